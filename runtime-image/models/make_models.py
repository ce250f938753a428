#!/usr/bin/env python3
"""Makes the small ONNX models the runtime's tests serve. This script is their source.

Usage: python3 make_models.py OUTPUT_DIR [--bench-models]
Each model is deterministic (fixed seeds), so rerunning it reproduces the committed files.
Two are bad revisions of mlp.onnx for canary tests, with its input and output:
failing.onnx loads and answers 500 model_error for any input that is not all zeros, and
slow.onnx answers mlp.onnx's probabilities after about 100 ms of work on one CPU core.
swapped.onnx answers mlp.onnx's probabilities with classes 1 and 2 swapped.
The benchmark's models (a CNN of about 370 KB and a wide MLP of about 42 MB) are not committed:
--bench-models makes them too.
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 9


def save(model: onnx.ModelProto, out: Path, name: str) -> None:
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    # Stable bytes: no producer version that changes with the onnx package.
    model.producer_name = "modelops-test-models"
    model.producer_version = "1"
    onnx.save(model, out / name)
    print(f"wrote {out / name} ({(out / name).stat().st_size} bytes)")


def graph_model(nodes, name, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def mlp_layers(probabilities: str):
    """The MLP's nodes and weights, ending in the tensor named probabilities."""
    rng = np.random.default_rng(7)
    w1 = numpy_helper.from_array(rng.normal(0, 0.5, (4, 16)).astype(np.float32), "w1")
    b1 = numpy_helper.from_array(rng.normal(0, 0.1, (16,)).astype(np.float32), "b1")
    w2 = numpy_helper.from_array(rng.normal(0, 0.5, (16, 3)).astype(np.float32), "w2")
    b2 = numpy_helper.from_array(rng.normal(0, 0.1, (3,)).astype(np.float32), "b2")
    nodes = [
        helper.make_node("Gemm", ["input", "w1", "b1"], ["h"]),
        helper.make_node("Relu", ["h"], ["hr"]),
        helper.make_node("Gemm", ["hr", "w2", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], [probabilities], axis=1),
    ]
    return nodes, [w1, b1, w2, b2]


def mlp_signature(nodes, name, initializers):
    """A model with the MLP's input and output: input FLOAT [batch, 4] -> probabilities [batch, 3]."""
    return graph_model(
        nodes,
        name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3])],
        initializers,
    )


def mlp(out: Path) -> None:
    """A small classifier: 4 features, one hidden layer of 16, 3 class probabilities; free batch."""
    nodes, weights = mlp_layers("probabilities")
    save(mlp_signature(nodes, "mlp", weights), out, "mlp.onnx")


def failing(out: Path) -> None:
    """The MLP as a bad revision: it loads, and fails inside the model (a Gather out of range) for
    any input that is not all zeros, so the runtime answers 500 model_error.

    Rows of zeros pass because the runtime warms a model up with one row of zeros before it says
    ready; a model that failed on those too would never be ready and would answer 503 instead.
    """
    nodes, weights = mlp_layers("mlp_probabilities")
    constants = [
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero"),
        numpy_helper.from_array(np.array([0, 1, 2], dtype=np.int64), "classes"),
        numpy_helper.from_array(np.array(3, dtype=np.int64), "three"),
    ]
    nodes += [
        # classes + 3 when any value is not zero (NaN included): past the 3 probabilities.
        helper.make_node("Equal", ["input", "zero"], ["is_zero"]),
        helper.make_node("Not", ["is_zero"], ["is_set"]),
        helper.make_node("Cast", ["is_set"], ["set"], to=TensorProto.INT64),
        helper.make_node("ReduceMax", ["set"], ["any_set"], keepdims=0),
        helper.make_node("Mul", ["any_set", "three"], ["offset"]),
        helper.make_node("Add", ["classes", "offset"], ["picked"]),
        helper.make_node("Gather", ["mlp_probabilities", "picked"], ["probabilities"], axis=1),
    ]
    save(mlp_signature(nodes, "failing", weights + constants), out, "failing.onnx")


SLOW_SIZE = 1024
SLOW_PRODUCTS = 4


def slow(out: Path) -> None:
    """The MLP as a slow revision: the same probabilities, after four products of 1,024 x 1,024
    matrices (2 GFLOP each): 60 to 105 ms of CPU time per request on one core of a Xeon (ONNX
    Runtime 1.24 with one intra-op thread, as the runtime runs it); more wall time on a busy node.

    The matrices are made from the input's batch size, so ONNX Runtime cannot fold them away when
    it loads the model, and every value is 1/1,024, a power of two: each product is exactly the
    same matrix, and its sum, times zero, is added to the probabilities without changing them.
    The file stays small: the matrix is made at load time, not stored.
    """
    nodes, weights = mlp_layers("mlp_probabilities")
    mean = helper.make_tensor("mean", TensorProto.FLOAT, [1], [1.0 / SLOW_SIZE])
    constants = [
        numpy_helper.from_array(np.array([SLOW_SIZE, SLOW_SIZE], dtype=np.int64), "size"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero"),
    ]
    nodes += [
        helper.make_node("ConstantOfShape", ["size"], ["mean"], value=mean),
        helper.make_node("Shape", ["input"], ["batch"], end=1),
        helper.make_node("Min", ["batch", "one"], ["batch_one"]),
        helper.make_node("Cast", ["batch_one"], ["factor"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["mean", "factor"], ["product0"]),
    ]
    for i in range(SLOW_PRODUCTS):
        nodes.append(helper.make_node("MatMul", [f"product{i}", "mean"], [f"product{i + 1}"]))
    nodes += [
        helper.make_node("ReduceSum", [f"product{SLOW_PRODUCTS}"], ["total"], keepdims=0),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Add", ["mlp_probabilities", "nothing"], ["probabilities"]),
    ]
    save(mlp_signature(nodes, "slow", weights + constants), out, "slow.onnx")


def swapped(out: Path) -> None:
    """The MLP as a revision whose classes are out of order (1 and 2 swapped), as a model trained
    with another order of class names would answer: no errors, no delay, other predictions."""
    nodes, weights = mlp_layers("mlp_probabilities")
    order = numpy_helper.from_array(np.array([0, 2, 1], dtype=np.int64), "order")
    nodes.append(helper.make_node("Gather", ["mlp_probabilities", "order"], ["probabilities"], axis=1))
    save(mlp_signature(nodes, "swapped", weights + [order]), out, "swapped.onnx")


def multi_io(out: Path) -> None:
    """Several inputs and datatypes: sum = double(a) + b, masked = mask ? a : 0."""
    zero = numpy_helper.from_array(np.array(0, dtype=np.int64), "zero")
    nodes = [
        helper.make_node("Cast", ["a"], ["a_double"], to=TensorProto.DOUBLE),
        helper.make_node("Add", ["a_double", "b"], ["sum"]),
        helper.make_node("Where", ["mask", "a", "zero"], ["masked"]),
    ]
    save(
        graph_model(
            nodes,
            "multi_io",
            [
                helper.make_tensor_value_info("a", TensorProto.INT64, ["batch", 2]),
                helper.make_tensor_value_info("b", TensorProto.DOUBLE, ["batch", 2]),
                helper.make_tensor_value_info("mask", TensorProto.BOOL, ["batch", 2]),
            ],
            [
                helper.make_tensor_value_info("sum", TensorProto.DOUBLE, ["batch", 2]),
                helper.make_tensor_value_info("masked", TensorProto.INT64, ["batch", 2]),
            ],
            [zero],
        ),
        out,
        "multi_io.onnx",
    )


def fixed_add(out: Path) -> None:
    """No batch dimension: a fixed [2, 3] input, y = x + 1. Batching stays off for it."""
    one = numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one")
    save(
        graph_model(
            [helper.make_node("Add", ["x", "one"], ["y"])],
            "fixed_add",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
            [one],
        ),
        out,
        "fixed_add.onnx",
    )


TYPES = {
    "BOOL": TensorProto.BOOL,
    "UINT8": TensorProto.UINT8,
    "INT8": TensorProto.INT8,
    "INT16": TensorProto.INT16,
    "INT32": TensorProto.INT32,
    "INT64": TensorProto.INT64,
    "FP16": TensorProto.FLOAT16,
    "FP32": TensorProto.FLOAT,
    "FP64": TensorProto.DOUBLE,
    "BYTES": TensorProto.STRING,
}


def identity_types(out: Path) -> None:
    """Each V2 datatype ONNX Runtime Java can hold, in and out unchanged: in_<TYPE> -> out_<TYPE>.

    UINT16, UINT32 and UINT64 are left out: ONNX Runtime's Java API has no tensors of those types.
    """
    nodes, inputs, outputs = [], [], []
    for name, proto in TYPES.items():
        nodes.append(helper.make_node("Identity", [f"in_{name}"], [f"out_{name}"]))
        inputs.append(helper.make_tensor_value_info(f"in_{name}", proto, ["batch", "n"]))
        outputs.append(helper.make_tensor_value_info(f"out_{name}", proto, ["batch", "n"]))
    save(graph_model(nodes, "identity_types", inputs, outputs), out, "identity_types.onnx")


def gather(out: Path) -> None:
    """Fails inside the model for an index out of range: a 500, not a 4xx. Zeros (warm-up) work."""
    save(
        graph_model(
            [helper.make_node("Gather", ["data", "indices"], ["picked"])],
            "gather",
            [
                helper.make_tensor_value_info("data", TensorProto.FLOAT, ["n"]),
                helper.make_tensor_value_info("indices", TensorProto.INT64, ["k"]),
            ],
            [helper.make_tensor_value_info("picked", TensorProto.FLOAT, ["k"])],
        ),
        out,
        "gather.onnx",
    )


def pick(out: Path) -> None:
    """Picks one value per row; an index out of range fails inside the model. It batches (one
    "batch" dimension), so a failing request can share a batch with good ones."""
    save(
        graph_model(
            [helper.make_node("GatherElements", ["data", "index"], ["picked"], axis=1)],
            "pick",
            [
                helper.make_tensor_value_info("data", TensorProto.FLOAT, ["batch", 4]),
                helper.make_tensor_value_info("index", TensorProto.INT64, ["batch", 1]),
            ],
            [helper.make_tensor_value_info("picked", TensorProto.FLOAT, ["batch", 1])],
        ),
        out,
        "pick.onnx",
    )


def long_run(out: Path) -> None:
    """Takes a while: y = 2x, after a Loop of 200,000 small matrix products (about a second
    per run on one core) whose result is added times zero, so the runtime cannot skip it. Requests
    to it stay in flight long enough for a test to shut the server down under them. It batches."""
    width = 64
    rng = np.random.default_rng(17)
    w_in = numpy_helper.from_array(
        rng.normal(0, 1 / np.sqrt(width), (4, width)).astype(np.float32), "w_in")
    w_step = numpy_helper.from_array(
        rng.normal(0, 1 / np.sqrt(width), (width, width)).astype(np.float32), "w_step")
    step = helper.make_graph(
        [
            helper.make_node("MatMul", ["h_in", "w_step"], ["m"]),
            helper.make_node("Tanh", ["m"], ["h_out"]),
            helper.make_node("Identity", ["go_in"], ["go_out"]),
        ],
        "step",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("go_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("h_in", TensorProto.FLOAT, ["batch", width]),
        ],
        [
            helper.make_tensor_value_info("go_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("h_out", TensorProto.FLOAT, ["batch", width]),
        ],
    )
    constants = [
        numpy_helper.from_array(np.array(200_000, dtype=np.int64), "steps"),
        numpy_helper.from_array(np.array(2.0, dtype=np.float32), "two"),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero"),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "w_in"], ["h0"]),
        helper.make_node("Loop", ["steps", "", "h0"], ["h"], body=step),
        helper.make_node("ReduceSum", ["h"], ["total"], keepdims=1),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Mul", ["x", "two"], ["doubled"]),
        helper.make_node("Add", ["doubled", "nothing"], ["y"]),
    ]
    save(
        graph_model(
            nodes,
            "long_run",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
            [w_in, w_step, *constants],
        ),
        out,
        "long_run.onnx",
    )


def cnn(out: Path) -> None:
    """A mid-size CNN for the benchmark: 3x64x64 image, three conv blocks, 10 classes; free batch."""
    rng = np.random.default_rng(11)
    inits, nodes = [], []
    channels, prev = [3, 32, 64, 128], "image"
    for i in range(3):
        w = numpy_helper.from_array(
            rng.normal(0, 0.1, (channels[i + 1], channels[i], 3, 3)).astype(np.float32), f"conv{i}_w")
        b = numpy_helper.from_array(np.zeros(channels[i + 1], dtype=np.float32), f"conv{i}_b")
        inits += [w, b]
        nodes += [
            helper.make_node("Conv", [prev, f"conv{i}_w", f"conv{i}_b"], [f"c{i}"], pads=[1, 1, 1, 1]),
            helper.make_node("Relu", [f"c{i}"], [f"r{i}"]),
            helper.make_node("MaxPool", [f"r{i}"], [f"p{i}"], kernel_shape=[2, 2], strides=[2, 2]),
        ]
        prev = f"p{i}"
    fc = numpy_helper.from_array(rng.normal(0, 0.05, (128, 10)).astype(np.float32), "fc_w")
    inits.append(fc)
    nodes += [
        helper.make_node("GlobalAveragePool", [prev], ["gap"]),
        helper.make_node("Flatten", ["gap"], ["flat"]),
        helper.make_node("MatMul", ["flat", "fc_w"], ["logits"]),
    ]
    save(
        graph_model(
            nodes,
            "cnn",
            [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 64, 64])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])],
            inits,
        ),
        out,
        "cnn.onnx",
    )


def wide_mlp(out: Path) -> None:
    """A wide MLP for the benchmark, like a ranking or tabular model: 1,024 features, three hidden
    layers of 2,048, 10 scores; free batch. Its 42 MB of weights do not fit in a CPU cache, so one
    row per run is bound by memory bandwidth and batching rows into one run pays even on a CPU."""
    rng = np.random.default_rng(13)
    inits, nodes, prev, width = [], [], "features", 1024
    for i in range(3):
        inits += [
            numpy_helper.from_array(rng.normal(0, 0.03, (width, 2048)).astype(np.float32), f"w{i}"),
            numpy_helper.from_array(np.zeros(2048, dtype=np.float32), f"b{i}"),
        ]
        nodes += [
            helper.make_node("Gemm", [prev, f"w{i}", f"b{i}"], [f"h{i}"]),
            helper.make_node("Relu", [f"h{i}"], [f"r{i}"]),
        ]
        prev, width = f"r{i}", 2048
    inits.append(numpy_helper.from_array(rng.normal(0, 0.03, (2048, 10)).astype(np.float32), "out_w"))
    nodes.append(helper.make_node("MatMul", [prev, "out_w"], ["scores"]))
    save(
        graph_model(
            nodes,
            "wide",
            [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 1024])],
            [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 10])],
            inits,
        ),
        out,
        "wide.onnx",
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = Path(args[0] if args else ".")
    out.mkdir(parents=True, exist_ok=True)
    for make in (mlp, multi_io, fixed_add, identity_types, gather, pick, failing, slow, swapped, long_run):
        make(out)
    if "--bench-models" in sys.argv:
        cnn(out)
        wide_mlp(out)


if __name__ == "__main__":
    main()
