"""Writes the benchmark's request bodies: batch-1 random FP32 inputs, JSON and binary.

python3 make_bodies.py OUT_DIR  ->  OUT_DIR/{mlp,cnn,wide}.{json,binary} and .header (the JSON length)
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np

MODELS = {"mlp": ("input", [1, 4]), "cnn": ("image", [1, 3, 64, 64]), "wide": ("features", [1, 1024])}


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    for model, (name, shape) in MODELS.items():
        data = rng.random(int(np.prod(shape)), dtype=np.float32)
        body = {"inputs": [{"name": name, "shape": shape, "datatype": "FP32", "data": [float(x) for x in data]}]}
        (out / f"{model}.json").write_text(json.dumps(body))
        header = json.dumps({"inputs": [{"name": name, "shape": shape, "datatype": "FP32",
                                         "parameters": {"binary_data_size": 4 * data.size}}],
                             "parameters": {"binary_data_output": True}}).encode()
        (out / f"{model}.binary").write_bytes(header + struct.pack(f"<{data.size}f", *data))
        (out / f"{model}.binary.header").write_text(str(len(header)))


if __name__ == "__main__":
    main()
