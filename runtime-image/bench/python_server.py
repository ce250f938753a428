"""What users write by hand: a V2-style JSON endpoint with FastAPI and onnxruntime (CPU).

uvicorn python_server:app --port PORT, with MODEL_PATH and MODEL_NAME in the environment.
"""
import os

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, Request

options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession(os.environ["MODEL_PATH"], options, providers=["CPUExecutionProvider"])
MODEL = os.environ.get("MODEL_NAME", "model")
app = FastAPI()


@app.get("/v2/health/ready")
def ready():
    return {}


@app.post("/v2/models/{name}/infer")
async def infer(name: str, request: Request):
    body = await request.json()
    feed = {i["name"]: np.asarray(i["data"], dtype=np.float32).reshape(i["shape"]) for i in body["inputs"]}
    outputs = session.run(None, feed)
    return {
        "model_name": MODEL,
        "outputs": [
            {"name": meta.name, "datatype": "FP32", "shape": list(out.shape), "data": out.flatten().tolist()}
            for meta, out in zip(session.get_outputs(), outputs)
        ],
    }
