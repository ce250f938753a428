#!/usr/bin/env python3
"""Rows for the demo's retraining scene, of the four features of the test MLP (mlp.onnx), each a
standard normal, x2 moved by SHIFT: the world after a drift.

  drift_data.py bodies DIR COUNT SHIFT   COUNT V2 request bodies of 20 rows each, DIR/0.json ...
  drift_data.py labelled FILE ROWS SHIFT labelled rows as CSV (x0,x1,x2,x3,label): the recent data
                                         a retraining Job learns from

The label is the class of a row in that world: which of x0, x1 and x2 - SHIFT is the largest (as
the end-to-end tests' DriftRows): a linear model learns it; the test MLP, with random weights,
agrees with it on about a third of the rows.
"""
import json
import random
import sys
from pathlib import Path


def row(shift: float) -> list:
    x = [round(random.gauss(0, 1), 4) for _ in range(4)]
    x[2] = round(x[2] + shift, 4)
    return x


def label(x: list, shift: float) -> int:
    scores = [x[0], x[1], x[2] - shift]
    return scores.index(max(scores))


def main():
    what, target, count, shift = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    if what == "bodies":
        target.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            data = [v for _ in range(20) for v in row(shift)]
            body = {"inputs": [{"name": "input", "shape": [20, 4], "datatype": "FP32", "data": data}]}
            (target / f"{i}.json").write_text(json.dumps(body))
    elif what == "labelled":
        rows = [row(shift) for _ in range(count)]
        target.write_text("x0,x1,x2,x3,label\n" + "".join(
            ",".join(f"{v:.4f}" for v in x) + f",{label(x, shift)}\n" for x in rows))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
