"""KServe's own Python SDK (kserve.InferenceRESTClient, protocol v2), unchanged, against the
modelops runtime: health, model readiness, and inference in JSON and with binary tensor data.

Run by ClientCompatibilityTest with V2_URL (host:port) and V2_MODEL set to a running server.
"""
import asyncio
import os

import numpy as np
import pytest
from datatype_cases import CASES
from kserve import InferenceRESTClient, RESTConfig
from kserve.protocol.infer_type import InferInput, InferRequest

URL = "http://" + os.environ.get("V2_URL", "localhost:8080")
MODEL = os.environ.get("V2_MODEL", "types")


def run(call):
    async def with_client():
        client = InferenceRESTClient(RESTConfig(protocol="v2", retries=0, timeout=30))
        try:
            return await call(client)
        finally:
            await client.close()

    return asyncio.run(with_client())


def test_server_is_live_and_ready():
    # The SDK reads {"live": true} and {"ready": true}, as the V2 REST OpenAPI spec defines them.
    assert run(lambda c: c.is_server_live(URL)) is True
    assert run(lambda c: c.is_server_ready(URL)) is True


def test_model_is_ready():
    assert run(lambda c: c.is_model_ready(URL, MODEL)) is True




@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
def test_infer_every_datatype(binary):
    inputs = []
    for datatype, data in CASES.items():
        tensor = InferInput(name=f"in_{datatype}", shape=list(data.shape), datatype=datatype)
        # The SDK itself refuses FP16 in JSON ("use the binary data format"): that one tensor
        # travels as binary data in the JSON request too.
        tensor.set_data_from_numpy(data, binary_data=binary or datatype == "FP16")
        inputs.append(tensor)
    req = InferRequest(model_name=MODEL, infer_inputs=inputs, request_id="kserve-sdk")
    response = run(lambda c: c.infer(URL, req, model_name=MODEL))
    outputs = {o.name: o for o in response.outputs}
    for datatype, data in CASES.items():
        expected = data
        if datatype == "BYTES":
            # The SDK hands BYTES back as text, decoded as UTF-8, whichever way they travelled.
            expected = np.vectorize(lambda b: b.decode("utf-8"), otypes=[object])(data)
        np.testing.assert_array_equal(outputs[f"out_{datatype}"].as_numpy(), expected)
