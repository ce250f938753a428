#!/usr/bin/env python3
"""Makes the reference values the runtime's drift tests compare against. This script is their source.

Usage: python3 make_drift_fixtures.py OUTPUT_DIR [REFERENCE_DIR]
  (the runtime's tests read runtime-image/src/test/resources/drift; reference.json goes to
  REFERENCE_DIR, default OUTPUT_DIR, which for the measures' tests is
  drift-stats/src/test/resources/drift)
Writes, deterministically (fixed seeds, values rounded so the JSON is exact):
  reference.json  samples and scipy's two-sample KS (statistic, p-value by the asymptotic
                  method scipy uses for large samples) and Wasserstein distance on them, and
                  Jensen-Shannon distances from scipy.spatial on small histograms;
  table.npy       a float32 2-D array (200 x 3) as numpy writes it, for the baseline command,
  table_f64.npy   the same as float64,
  table.expected.json  what the baseline command must make of table_f64.npy with 4 bins: count,
                  mean, population std, quantile edges (numpy's default, linear) without
                  repeats, and the rows in each bin [edge_i, edge_i+1) (the last bin closed);
  mlp-baseline.json  a baseline file for mlp.onnx: its 4 inputs x0..x3 standard normal (20,000
                  rows, 10 bins), its outputs the classes mlp.onnx predicts for those rows.
"""
import json
import sys
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.spatial import distance

from make_models import mlp_layers
from onnx import numpy_helper


def ks_case(name, a, b):
    result = stats.ks_2samp(a, b, method="asymp")
    return {
        "name": name,
        "a": a.tolist(),
        "b": b.tolist(),
        "ksStatistic": float(result.statistic),
        "ksPValue": float(result.pvalue),
        "wasserstein": float(stats.wasserstein_distance(a, b)),
    }


def samples(rng, n, loc, scale, decimals):
    return np.round(rng.normal(loc, scale, n), decimals)


def js_case(p, q):
    return {"a": p, "b": q, "jensenShannon": float(distance.jensenshannon(p, q, base=2))}


def table_expected(x, bins):
    features = []
    for j in range(x.shape[1]):
        col = x[:, j]
        edges = np.unique(np.quantile(col, np.linspace(0, 1, bins + 1)))
        index = np.searchsorted(edges, col, side="right")  # edges[i-1] <= v < edges[i] -> i
        index[col == edges[-1]] = len(edges) - 1  # the last bin is closed
        counts = np.bincount(index, minlength=len(edges) + 1)[1 : len(edges)]
        features.append(
            {
                "name": f"f{j}",
                "count": int(col.size),
                "mean": float(col.mean()),
                "std": float(col.std()),
                "binEdges": edges.tolist(),
                "binCounts": counts.tolist(),
            }
        )
    return {"bins": bins, "features": features}


def mlp_baseline(rng):
    """The MLP's forward pass in numpy (Gemm, Relu, Gemm; softmax keeps the argmax)."""
    x = rng.normal(0, 1, (20000, 4))
    _, (w1, b1, w2, b2) = mlp_layers("probabilities")
    w1, b1, w2, b2 = (numpy_helper.to_array(t).astype(np.float64) for t in (w1, b1, w2, b2))
    classes = np.argmax(np.maximum(x @ w1 + b1, 0) @ w2 + b2, axis=1)
    features = table_expected(x, 10)["features"]
    for f in features:
        f["name"] = f["name"].replace("f", "x")
        f["type"] = "numeric"
    frequencies = {str(c): int((classes == c).sum()) for c in range(3)}
    outputs = {"name": "probabilities", "type": "categorical", "frequencies": frequencies}
    return {"formatVersion": 1, "features": features, "outputs": outputs}


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(12)
    cases = [
        # Small samples with ties (one decimal), the same distribution.
        ks_case("small-ties", samples(rng, 40, 0, 1, 1), samples(rng, 60, 0, 1, 1)),
        # Mid-size, shifted by half a standard deviation.
        ks_case("shifted", samples(rng, 300, 0, 1, 3), samples(rng, 500, 0.5, 1, 3)),
        # Large, the same distribution: the p-value is far from 0.
        ks_case("large-same", samples(rng, 2000, 10, 3, 2), samples(rng, 5000, 10, 3, 2)),
        # Large, a wider spread: a tiny p-value.
        ks_case("large-wider", samples(rng, 1000, 0, 1, 3), samples(rng, 1500, 0, 1.3, 3)),
    ]
    js = [
        js_case([50, 50], [25, 75]),
        js_case([10, 20, 30, 40], [40, 30, 20, 10]),
        js_case([5, 0, 5], [0, 5, 5]),
        js_case([1, 2, 3, 4, 0], [1, 2, 3, 4, 0]),
    ]
    reference = {
        "generator": "make_drift_fixtures.py with numpy %s, scipy %s"
        % (np.__version__, __import__("scipy").__version__),
        "twoSample": cases,
        "jensenShannon": js,
    }
    reference_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else out
    (reference_dir / "reference.json").write_text(json.dumps(reference, indent=1) + "\n")
    table = np.round(rng.normal([5.8, 3.0, 1.2], [0.8, 0.4, 0.7], (200, 3)), 1)
    np.save(out / "table.npy", table.astype(np.float32))
    np.save(out / "table_f64.npy", table.astype(np.float64))
    (out / "table.expected.json").write_text(json.dumps(table_expected(table, 4), indent=1) + "\n")
    baseline = mlp_baseline(rng)
    (out / "mlp-baseline.json").write_text(json.dumps(baseline, indent=1) + "\n")
    print(f"wrote {reference_dir / 'reference.json'}")
    for name in ("table.npy", "table_f64.npy", "table.expected.json", "mlp-baseline.json"):
        print(f"wrote {out / name} ({(out / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
