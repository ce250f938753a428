"""One value of each V2 datatype, 2x2, for the client-compatibility tests."""
import numpy as np

CASES = {
    "BOOL": np.array([[True, False], [False, True]]),
    "UINT8": np.array([[0, 255], [7, 128]], dtype=np.uint8),
    "INT8": np.array([[-128, 127], [0, -1]], dtype=np.int8),
    "INT16": np.array([[-32768, 32767], [0, -1]], dtype=np.int16),
    "INT32": np.array([[-2**31, 2**31 - 1], [0, -1]], dtype=np.int32),
    "INT64": np.array([[-2**62, 2**62], [0, -1]], dtype=np.int64),
    "FP16": np.array([[1.5, -2.0], [0.0, 0.25]], dtype=np.float16),
    "FP32": np.array([[1.5, -2.0], [0.0, 3.25]], dtype=np.float32),
    "FP64": np.array([[1.5, -2.0], [0.0, 1e300]], dtype=np.float64),
    "BYTES": np.array([[b"abc", b""], [b"h\xc3\xa9", b"z"]], dtype=np.object_),
}
