#!/usr/bin/env python3
"""An example retraining Job for modelops: fits a classifier to labelled recent data and reports it.

It keeps the contract of docs/drift-and-retraining.md ("The Job contract"), and no more:
1. reads labelled recent data: a CSV file with a header row (the feature columns in the model
   input's order and a label column), or a 2-D .npy array whose last column is the label;
2. reads the model it replaces (MODELOPS_MODEL_URI, checked against MODELOPS_MODEL_SHA256) for its
   input and output: one FLOAT input [batch, features] and one FLOAT output [batch, classes], so
   the new model answers V2 clients exactly as the old one did;
3. fits softmax (multinomial logistic) regression by full-batch gradient descent, with numpy;
4. writes it as ONNX (Gemm, Softmax) to OUT_DIR/<version>/model.onnx, where
   version = $MODELOPS_MODEL_VERSION-retrained-<UTC time>;
5. writes the drift baseline of the data it learnt (format version 1 of docs/drift-and-retraining.md:
   each feature's 10 quantile bins, count, mean and std; the labels' frequencies as the outputs) to
   OUT_DIR/<version>/baseline.json: the new revision's pods measure drift against it, and canary
   analysis compares the new model's predictions with those labels;
6. writes {"uri","sha256","version","baseline":{"uri","sha256"}} to the termination log, the uri
   being URI_PREFIX/<version>/model.onnx.

--fault train-serve-skew makes a worse model on purpose, for the demo and the tests of the automatic
rollback: it exports the weights it fitted to the standardised features as if they were for the raw
ones (a real bug of hand-written exporters), so the model favours the class of a feature whose
mean moved. It trains and reports as usual; its predictions no longer match its training labels.

Exit 0 with the model and the report written; 1 when the data or the reference model cannot be
used, with the reason on stderr; 2 for wrong usage.

Usage: train.py --data FILE --out-dir DIR --uri-prefix URI [--label COLUMN] [--reference MODEL]
                [--version VERSION] [--termination-log FILE] [--epochs N] [--learning-rate R]
                [--claim-dir CLAIM=DIR] [--fault train-serve-skew]
"""
import argparse
import csv
import hashlib
import json
import math
import os
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 9
MAX_VERSION = 63  # as spec.model.version
MIN_ROWS_PER_CLASS = 5
BASELINE_BINS = 10


class DataError(Exception):
    """Data or a model the trainer cannot use; the message says what and where."""


def env(name):
    value = os.environ.get(name, "")
    return value or None


def read_csv(path: Path, label: str):
    try:
        return parse_csv(path, label)
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None


def parse_csv(path: Path, label: str):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise DataError(f"{path}: empty; a header row and at least one row are needed")
        header = [h.strip() for h in header]
        if label not in header:
            raise DataError(f"{path}: no column '{label}' (the label); columns: {', '.join(header)}")
        features = [h for h in header if h != label]
        if not features:
            raise DataError(f"{path}: no feature columns besides the label '{label}'")
        rows = []
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(header):
                raise DataError(f"{path} line {line}: {len(row)} cells, the header has {len(header)}")
            values = []
            for column, cell in zip(header, row):
                try:
                    value = float(cell)
                except ValueError:
                    raise DataError(f"{path} line {line}, column '{column}': '{cell}' is not a number") from None
                if not math.isfinite(value):
                    raise DataError(f"{path} line {line}, column '{column}': '{cell}' is not a finite number")
                values.append(value)
            rows.append(values)
    if not rows:
        raise DataError(f"{path}: a header and no rows")
    table = np.array(rows, dtype=np.float64)
    index = header.index(label)
    return features, np.delete(table, index, axis=1), table[:, index]


def read_npy(path: Path):
    try:
        table = np.load(path, allow_pickle=False)
    except ValueError as e:
        raise DataError(f"{path}: not a numpy array file ({e})") from None
    if table.ndim != 2 or table.shape[1] < 2:
        raise DataError(f"{path}: shape {table.shape}; a 2-D array of feature columns and a last label column is needed")
    if table.dtype.kind not in "fiu":
        raise DataError(f"{path}: dtype {table.dtype}; a numeric array is needed")
    table = table.astype(np.float64)
    bad = np.argwhere(~np.isfinite(table))
    if len(bad):
        r, c = bad[0]
        raise DataError(f"{path} data row {r + 1}, column {c + 1}: {table[r, c]} is not a finite number")
    features = [f"x{i}" for i in range(table.shape[1] - 1)]
    return features, table[:, :-1], table[:, -1]


def read_data(path: Path, label: str):
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    return read_npy(path) if path.suffix == ".npy" else read_csv(path, label)


def labels_of(y: np.ndarray, classes: int, source: Path):
    """The labels as class indices 0..classes-1, each class with enough rows to learn it."""
    whole = np.round(y)
    wrong = np.flatnonzero((whole != y) | (whole < 0) | (whole >= classes))
    if len(wrong):
        raise DataError(f"{source} data row {wrong[0] + 1}: label {y[wrong[0]]:g} is not a class of the model: "
                        f"its output has {classes} classes, 0 to {classes - 1}")
    counts = np.bincount(whole.astype(np.int64), minlength=classes)
    few = [c for c in range(classes) if counts[c] < MIN_ROWS_PER_CLASS]
    if few:
        raise DataError(f"{source}: class {few[0]} has {counts[few[0]]} rows; at least {MIN_ROWS_PER_CLASS} "
                        f"per class are needed (counts per class: {counts.tolist()})")
    return whole.astype(np.int64), counts


def fetch_reference(reference: str, sha256, claim_dirs=None):
    """The bytes of the model being replaced: a local path, file://, http(s)://, or
    pvc://<claim>/<path> read where --claim-dir says the claim is mounted."""
    if reference.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(reference, timeout=30) as r:
                data = r.read()
        except OSError as e:
            raise DataError(f"reference model {reference}: {e}") from None
    else:
        if reference.startswith("pvc://"):
            claim, _, inside = reference.removeprefix("pvc://").partition("/")
            mounted = (claim_dirs or {}).get(claim)
            if mounted is None:
                raise DataError(f"reference model {reference}: mount the claim '{claim}' and say where with "
                                f"--claim-dir {claim}=DIR (or give its file with --reference)")
            path = Path(mounted) / inside
        else:
            path = Path(reference.removeprefix("file://"))
        if not path.is_file():
            raise DataError(f"reference model {reference}: no such file")
        data = path.read_bytes()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise DataError(f"reference model {reference}: sha256 {hashlib.sha256(data).hexdigest()}, expected {sha256}")
    return data


def read_model(data: bytes, reference: str) -> onnx.ModelProto:
    try:
        return onnx.load_from_string(data)
    except DecodeError:
        raise DataError(f"reference model {reference}: not an ONNX model") from None


def signature(model: onnx.ModelProto, features: int, reference: str):
    """The reference's input and output, if they are what this trainer makes: FLOAT [batch, features]
    in, FLOAT [batch, classes] out."""
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    outputs = list(model.graph.output)
    if len(inputs) != 1 or len(outputs) != 1:
        raise DataError(f"reference model {reference}: {len(inputs)} inputs and {len(outputs)} outputs; "
                        "this trainer makes models of one input and one output")
    for kind, value in (("input", inputs[0]), ("output", outputs[0])):
        tensor = value.type.tensor_type
        dims = tensor.shape.dim
        if tensor.elem_type != TensorProto.FLOAT or len(dims) != 2 or not dims[1].HasField("dim_value"):
            raise DataError(f"reference model {reference}: {kind} '{value.name}' is not FLOAT [batch, n]")
    width = inputs[0].type.tensor_type.shape.dim[1].dim_value
    if width != features:
        raise DataError(f"the data has {features} feature columns; the model's input '{inputs[0].name}' takes {width}")
    classes = outputs[0].type.tensor_type.shape.dim[1].dim_value
    if classes < 2:
        raise DataError(f"reference model {reference}: output '{outputs[0].name}' has {classes} column; a classifier has 2 or more")
    return inputs[0], outputs[0], classes


def fit(x: np.ndarray, y: np.ndarray, classes: int, epochs: int, learning_rate: float, features,
        skew=False):
    """Softmax regression on standardised features; returns weights and bias for the raw features
    (with skew, those for the standardised ones: the train-serve-skew fault)."""
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    constant = np.flatnonzero(std == 0)
    if len(constant):
        raise DataError(f"feature '{features[constant[0]]}' has one value only, {x[0, constant[0]]:g}; "
                        "nothing to learn from it")
    z = (x - mean) / std
    onehot = np.eye(classes)[y]
    w = np.zeros((x.shape[1], classes))
    b = np.zeros(classes)
    for _ in range(epochs):
        logits = z @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - onehot) / len(z)
        w -= learning_rate * (z.T @ grad + 1e-4 * w)
        b -= learning_rate * grad.sum(axis=0)
    if skew:
        return w, b
    # ((x - mean) / std) @ w + b == x @ (w / std) + (b - (mean / std) @ w)
    return w / std[:, None], b - (mean / std) @ w


def numeric_feature(name: str, values: np.ndarray) -> dict:
    """A numeric feature of the baseline: quantile edges (repeated ones merged), the counts of
    the bins (the last one closed, as numpy's histogram counts), count, mean, population std."""
    edges = np.unique(np.quantile(values, np.linspace(0, 1, BASELINE_BINS + 1)))
    if len(edges) < 2:
        edges = np.array([values[0], values[0] + 1.0])
    counts, _ = np.histogram(values, bins=edges)
    return {"name": name, "type": "numeric", "count": int(len(values)),
            "mean": float(values.mean()), "std": float(values.std()),
            "binEdges": [float(e) for e in edges], "binCounts": [int(c) for c in counts]}


def baseline(features, x: np.ndarray, labels: np.ndarray, classes: int, output_name: str) -> bytes:
    """The drift baseline of the training data, format version 1: the features, and the labels as
    the distribution of the outputs (the predicted class a model that learnt them should spread)."""
    frequencies = np.bincount(labels, minlength=classes)
    document = {
        "formatVersion": 1,
        "features": [numeric_feature(name, x[:, i]) for i, name in enumerate(features)],
        "outputs": {"name": output_name, "type": "categorical",
                    "frequencies": {str(c): int(frequencies[c]) for c in range(classes)}},
    }
    return (json.dumps(document, indent=1) + "\n").encode()


def to_onnx(weights, bias, model_input, model_output, name: str) -> bytes:
    graph = helper.make_graph(
        [helper.make_node("Gemm", [model_input.name, "weights", "bias"], ["logits"]),
         helper.make_node("Softmax", ["logits"], [model_output.name], axis=1)],
        name,
        [model_input],
        [model_output],
        [numpy_helper.from_array(weights.astype(np.float32), "weights"),
         numpy_helper.from_array(bias.astype(np.float32), "bias")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    model.producer_name = "modelops-example-trainer"
    onnx.checker.check_model(model)
    return model.SerializeToString()


def new_version(base, now: float) -> str:
    suffix = "retrained-" + time.strftime("%Y%m%d%H%M%S", time.gmtime(now))
    if not base:
        return suffix
    return base[: MAX_VERSION - len(suffix) - 1].rstrip("-_.") + "-" + suffix


def write_atomically(path: Path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, type=Path, help="labelled recent data: .csv with a header, or .npy")
    p.add_argument("--label", default="label", help="the CSV's label column (default: label)")
    p.add_argument("--out-dir", required=True, type=Path, help="the new model goes to OUT_DIR/<version>/model.onnx")
    p.add_argument("--uri-prefix", required=True,
                   help="where the runtime's pods find OUT_DIR, e.g. pvc://<claim>/<path>")
    p.add_argument("--reference", default=env("MODELOPS_MODEL_URI"),
                   help="the model being replaced, for its input and output (default: $MODELOPS_MODEL_URI)")
    p.add_argument("--version", help="the new model's version (default: $MODELOPS_MODEL_VERSION-retrained-<UTC time>)")
    p.add_argument("--termination-log", type=Path, default=Path("/dev/termination-log"),
                   help="where the report goes (the container's terminationMessagePath)")
    p.add_argument("--epochs", type=int, default=500)
    p.add_argument("--learning-rate", type=float, default=0.5)
    p.add_argument("--claim-dir", action="append", default=[], metavar="CLAIM=DIR",
                   help="where a PersistentVolumeClaim is mounted, to read a pvc:// reference model (as a model"
                        " retrained before is); repeatable")
    p.add_argument("--fault", choices=["train-serve-skew"],
                   help="make a worse model on purpose, to show the automatic rollback (see above)")
    args = p.parse_args(argv)
    if not args.reference:
        p.error("no reference model: set MODELOPS_MODEL_URI (the operator does) or give --reference")
    if not args.uri_prefix.startswith(("pvc://", "http://", "https://", "file://")):
        p.error(f"--uri-prefix {args.uri_prefix}: a pvc://, http://, https:// or file:// URI is needed")
    claim_dirs = {}
    for given in args.claim_dir:
        claim, equals, directory = given.partition("=")
        if not equals or not claim or not directory:
            p.error(f"--claim-dir {given}: CLAIM=DIR is needed, for example data=/data")
        claim_dirs[claim] = directory
    if args.epochs < 1 or not args.learning_rate > 0:
        p.error("--epochs must be at least 1 and --learning-rate above 0")

    def say(message):
        print(f"train: {message}", file=sys.stderr, flush=True)

    try:
        if env("MODELOPS_DRIFTED_FEATURES"):
            say(f"{env('MODELOPS_DEPLOYMENT')} revision {env('MODELOPS_REVISION')} drifted "
                f"({env('MODELOPS_DRIFT_METHOD')} {env('MODELOPS_DRIFT_SCORE')}); worst features: {env('MODELOPS_DRIFTED_FEATURES')}")
        features, x, y = read_data(args.data, args.label)
        sha256 = env("MODELOPS_MODEL_SHA256") if args.reference == env("MODELOPS_MODEL_URI") else None
        reference = read_model(fetch_reference(args.reference, sha256, claim_dirs), args.reference)
        model_input, model_output, classes = signature(reference, len(features), args.reference)
        labels, counts = labels_of(y, classes, args.data)
        say(f"{args.data}: {len(x)} rows, features {', '.join(features)}, rows per class {counts.tolist()}")
        skew = args.fault == "train-serve-skew"
        weights, bias = fit(x, labels, classes, args.epochs, args.learning_rate, features, skew)
        accuracy = float(((x @ weights + bias).argmax(axis=1) == labels).mean())
        say(f"softmax regression, {args.epochs} epochs: accuracy {accuracy:.3f} on the training data"
            + (" (fault train-serve-skew: the standardised weights exported as raw ones)" if skew else ""))
        version = args.version or new_version(env("MODELOPS_MODEL_VERSION"), time.time())
        if len(version) > MAX_VERSION:
            raise DataError(f"version '{version}' is longer than {MAX_VERSION} characters")
        model = to_onnx(weights, bias, model_input, model_output, env("MODELOPS_MODEL_NAME") or "retrained")
        path = args.out_dir / version / "model.onnx"
        described = baseline(features, x, labels, classes, model_output.name)
        write_atomically(path.with_name("baseline.json"), described)
        write_atomically(path, model)
        prefix = f"{args.uri_prefix.rstrip('/')}/{version}"
        report = {"uri": f"{prefix}/model.onnx", "sha256": hashlib.sha256(model).hexdigest(),
                  "version": version,
                  "baseline": {"uri": f"{prefix}/baseline.json",
                               "sha256": hashlib.sha256(described).hexdigest()}}
        say(f"wrote {path} ({len(model)} bytes), input '{model_input.name}', output '{model_output.name}',"
            f" and its baseline.json ({len(features)} features, labels per class {counts.tolist()})")
        args.termination_log.write_text(json.dumps(report))
        print(json.dumps(report))
    except (DataError, OSError) as e:
        say(str(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
