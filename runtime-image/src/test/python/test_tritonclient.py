"""Triton's own Python HTTP client, unchanged, against the modelops runtime.

Run by ClientCompatibilityTest with V2_URL (host:port) and V2_MODEL set to a running server.
"""
import os

import numpy as np
import pytest
import tritonclient.http as httpclient
from datatype_cases import CASES
from tritonclient.utils import InferenceServerException

URL = os.environ.get("V2_URL", "localhost:8080")
MODEL = os.environ.get("V2_MODEL", "types")


@pytest.fixture(scope="module")
def client():
    c = httpclient.InferenceServerClient(url=URL)
    yield c
    c.close()


def test_server_and_model_are_ready(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready(MODEL)
    meta = client.get_server_metadata()
    assert "binary_tensor_data" in meta["extensions"]
    model = client.get_model_metadata(MODEL)
    assert model["platform"] == "onnx_onnxv1"
    assert {i["name"] for i in model["inputs"]} >= {"in_FP32", "in_INT64", "in_BYTES"}




def zeros(datatype):
    if datatype == "BYTES":
        return np.array([[b"", b""], [b"", b""]], dtype=np.object_)
    return np.zeros((2, 2), dtype=CASES[datatype].dtype)


def infer(client, binary, request_id="req-1"):
    inputs = []
    for datatype, value in CASES.items():
        tensor = httpclient.InferInput(f"in_{datatype}", [2, 2], datatype)
        tensor.set_data_from_numpy(value, binary_data=binary)
        inputs.append(tensor)
    outputs = [httpclient.InferRequestedOutput(f"out_{d}", binary_data=binary) for d in CASES]
    return client.infer(MODEL, inputs, outputs=outputs, request_id=request_id)


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
def test_every_datatype_round_trips(client, binary):
    result = infer(client, binary)
    assert result.get_response()["id"] == "req-1"
    for datatype, value in CASES.items():
        got = result.as_numpy(f"out_{datatype}")
        assert got.shape == (2, 2), datatype
        if datatype == "BYTES":
            # JSON answers carry BYTES as text, binary answers as raw bytes: compare as bytes.
            as_bytes = [x if isinstance(x, bytes) else str(x).encode() for x in got.flatten()]
            assert as_bytes == list(value.flatten()), datatype
        else:
            np.testing.assert_array_equal(got, value, err_msg=datatype)


def test_requested_output_only(client):
    tensor_inputs = []
    for datatype, value in CASES.items():
        tensor = httpclient.InferInput(f"in_{datatype}", [2, 2], datatype)
        tensor.set_data_from_numpy(value, binary_data=True)
        tensor_inputs.append(tensor)
    result = client.infer(MODEL, tensor_inputs, outputs=[httpclient.InferRequestedOutput("out_FP32")])
    assert [o["name"] for o in result.get_response()["outputs"]] == ["out_FP32"]


def test_errors_reach_the_client_as_messages(client):
    bad = httpclient.InferInput("in_FP32", [2, 2], "FP64")
    bad.set_data_from_numpy(np.zeros((2, 2), dtype=np.float64))
    with pytest.raises(InferenceServerException) as error:
        client.infer(MODEL, [bad])
    assert "datatype FP64" in str(error.value)
    with pytest.raises(InferenceServerException) as error:
        client.get_model_metadata("no-such-model")
    assert "not served here" in str(error.value)
