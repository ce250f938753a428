"""Tests of the example trainer, run as the Job runs it: a process, its exit code, stderr and files.

python3 -m pytest examples/trainer/test_train.py (TrainerImageTest runs it in the build).
"""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx.reference import ReferenceEvaluator

TRAIN = Path(__file__).with_name("train.py")
MLP = Path(__file__).resolve().parents[2] / "runtime-image/src/test/resources/models/mlp.onnx"


def rows(n=600, seed=3):
    """The drift tests' traffic (four standard normal features, x2 moved by 1.5) labelled by a rule
    a linear model can learn: the class is the largest of x0, x1 and x2 - 1.5."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    x[:, 2] += 1.5
    return x, np.stack([x[:, 0], x[:, 1], x[:, 2] - 1.5], axis=1).argmax(axis=1)


def write_csv(path: Path, x, y, header="x0,x1,x2,x3,label"):
    lines = [header] + [",".join(f"{v:.5f}" for v in r) + f",{label}" for r, label in zip(x, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def train(tmp_path: Path, data: Path, *extra, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODELOPS_")}
    environment.update({"MODELOPS_MODEL_URI": str(MLP), "MODELOPS_MODEL_VERSION": "7",
                        "MODELOPS_MODEL_SHA256": hashlib.sha256(MLP.read_bytes()).hexdigest()})
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, str(TRAIN), "--data", str(data), "--out-dir", str(tmp_path / "out"),
         "--uri-prefix", "pvc://retraining/models", "--termination-log", str(tmp_path / "termination-log"), *extra],
        capture_output=True, text=True, env=environment, timeout=120)


def test_fits_the_labels_and_reports_a_model_with_the_reference_signature(tmp_path):
    x, y = rows()
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x, y))
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "termination-log").read_text())
    assert json.loads(run.stdout) == report
    assert set(report) == {"uri", "sha256", "version", "baseline"}
    assert report["version"].startswith("7-retrained-") and len(report["version"]) <= 63
    assert report["uri"] == f"pvc://retraining/models/{report['version']}/model.onnx"
    model_file = tmp_path / "out" / report["version"] / "model.onnx"
    assert hashlib.sha256(model_file.read_bytes()).hexdigest() == report["sha256"]

    model, reference = onnx.load(model_file), onnx.load(MLP)
    onnx.checker.check_model(model)
    assert list(model.graph.input) == list(reference.graph.input)
    assert list(model.graph.output) == list(reference.graph.output)
    fresh_x, fresh_y = rows(n=1000, seed=11)
    (probabilities,) = ReferenceEvaluator(model).run(None, {"input": fresh_x.astype(np.float32)})
    assert probabilities.shape == (1000, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    (old,) = ReferenceEvaluator(reference).run(None, {"input": fresh_x.astype(np.float32)})
    retrained_accuracy = (probabilities.argmax(axis=1) == fresh_y).mean()
    assert retrained_accuracy > 0.95
    assert (old.argmax(axis=1) == fresh_y).mean() < 0.6


def test_writes_the_baseline_of_the_data_it_learnt_with_the_labels_as_outputs(tmp_path):
    x, y = rows()
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x, y))
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "termination-log").read_text())
    version = report["version"]
    assert report["baseline"]["uri"] == f"pvc://retraining/models/{version}/baseline.json"
    data = (tmp_path / "out" / version / "baseline.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == report["baseline"]["sha256"]
    baseline = json.loads(data)
    assert baseline["formatVersion"] == 1
    assert [f["name"] for f in baseline["features"]] == ["x0", "x1", "x2", "x3"]
    for i, feature in enumerate(baseline["features"]):
        assert feature["type"] == "numeric" and feature["count"] == 600
        assert feature["mean"] == pytest.approx(x[:, i].mean(), abs=1e-4) and feature["std"] == pytest.approx(x[:, i].std(), abs=1e-4)
        edges = feature["binEdges"]
        assert len(edges) == 11 and all(a < b for a, b in zip(edges, edges[1:]))
        assert edges[0] == pytest.approx(x[:, i].min(), abs=1e-4) and edges[-1] == pytest.approx(x[:, i].max(), abs=1e-4)
        assert len(feature["binCounts"]) == 10 and sum(feature["binCounts"]) == 600
        assert min(feature["binCounts"]) >= 55  # quantile bins: about 60 each
    assert baseline["outputs"] == {"name": "probabilities", "type": "categorical",
                                   "frequencies": {str(c): int((y == c).sum()) for c in range(3)}}


def test_the_train_serve_skew_fault_makes_a_model_that_favours_the_moved_feature(tmp_path):
    x, y = rows()
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x, y), "--fault", "train-serve-skew")
    assert run.returncode == 0, run.stderr
    assert "fault train-serve-skew" in run.stderr
    report = json.loads((tmp_path / "termination-log").read_text())
    model = onnx.load(tmp_path / "out" / report["version"] / "model.onnx")
    fresh_x, fresh_y = rows(n=1000, seed=11)
    (probabilities,) = ReferenceEvaluator(model).run(None, {"input": fresh_x.astype(np.float32)})
    predicted = probabilities.argmax(axis=1)
    assert (predicted == 2).mean() > 0.7, np.bincount(predicted, minlength=3)
    assert (predicted == fresh_y).mean() < 0.6
    # What canary analysis measures: the Jensen-Shannon distance (bits) of the predictions from the
    # training labels' frequencies in the model's baseline.
    p = np.bincount(predicted, minlength=3) / len(predicted)
    q = np.bincount(y, minlength=3) / len(y)
    m = (p + q) / 2
    divergence = sum(a * np.log2(a / b) for a, b in zip(np.r_[p, q], np.r_[m, m]) if a > 0) / 2
    assert np.sqrt(divergence) > 0.3


def test_a_pvc_reference_is_read_where_the_claim_is_mounted(tmp_path):
    # A model retrained before is a pvc:// model: its Job mounts the claim and says where.
    mounted = tmp_path / "claim"
    (mounted / "models/7").mkdir(parents=True)
    (mounted / "models/7/model.onnx").write_bytes(MLP.read_bytes())
    x, y = rows()
    data = write_csv(tmp_path / "recent.csv", x, y)
    pvc = {"MODELOPS_MODEL_URI": "pvc://data/models/7/model.onnx"}
    run = train(tmp_path, data, "--claim-dir", f"data={mounted}", env=pvc)
    assert run.returncode == 0, run.stderr
    unmounted = train(tmp_path, data, env=pvc)
    assert unmounted.returncode == 1
    assert "mount the claim 'data' and say where with --claim-dir data=DIR" in unmounted.stderr
    wrong = train(tmp_path, data, "--claim-dir", "data", env=pvc)
    assert wrong.returncode == 2 and "CLAIM=DIR is needed" in wrong.stderr


def test_reads_an_npy_array_whose_last_column_is_the_label(tmp_path):
    x, y = rows()
    np.save(tmp_path / "recent.npy", np.column_stack([x, y]))
    run = train(tmp_path, tmp_path / "recent.npy", "--version", "8")
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "termination-log").read_text())["version"] == "8"


def test_a_long_version_is_shortened_to_63_characters(tmp_path):
    x, y = rows()
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x, y), env={"MODELOPS_MODEL_VERSION": "v" * 60})
    assert run.returncode == 0, run.stderr
    version = json.loads(run.stdout)["version"]
    assert len(version) == 63 and version.startswith("vvv") and "-retrained-" in version


def bad_csv(tmp_path, edit):
    x, y = rows()
    lines = write_csv(tmp_path / "recent.csv", x, y).read_text().splitlines()
    edit(lines)
    (tmp_path / "recent.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "recent.csv"


def replace_line(number, text):
    def edit(lines):
        lines[number - 1] = text
    return edit


@pytest.mark.parametrize("edit, message", [
    (replace_line(5, "0.1,abc,0.3,0.4,1"), "recent.csv line 5, column 'x1': 'abc' is not a number"),
    (replace_line(6, "0.1,0.2,nan,0.4,1"), "recent.csv line 6, column 'x2': 'nan' is not a finite number"),
    (replace_line(7, "0.1,0.2,0.3,1"), "recent.csv line 7: 4 cells, the header has 5"),
    (replace_line(8, "0.1,0.2,0.3,0.4,3"), "recent.csv data row 7: label 3 is not a class of the model: its output has 3 classes, 0 to 2"),
    (replace_line(9, "0.1,0.2,0.3,0.4,1.5"), "label 1.5 is not a class of the model"),
    (replace_line(1, "x0,x1,x2,x3,y"), "recent.csv: no column 'label' (the label); columns: x0, x1, x2, x3, y"),
    (lambda lines: lines.__setitem__(slice(None), [lines[0]]), "recent.csv: a header and no rows"),
])
def test_bad_data_is_exit_1_with_what_and_where(tmp_path, edit, message):
    run = train(tmp_path, bad_csv(tmp_path, edit))
    assert run.returncode == 1, run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "termination-log").exists()
    assert not (tmp_path / "out").exists()


def test_a_class_without_enough_rows_is_refused(tmp_path):
    x, y = rows()
    keep = (y != 2) | (np.cumsum(y == 2) <= 3)
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x[keep], y[keep]))
    assert run.returncode == 1
    assert "class 2 has 3 rows; at least 5 per class are needed" in run.stderr


def test_a_feature_of_one_value_is_refused(tmp_path):
    x, y = rows()
    x[:, 3] = 0.25
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x, y))
    assert run.returncode == 1
    assert "feature 'x3' has one value only, 0.25; nothing to learn from it" in run.stderr


def test_data_of_another_width_than_the_model_input_is_refused(tmp_path):
    x, y = rows()
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x[:, :3], y, header="x0,x1,x2,label"))
    assert run.returncode == 1
    assert "the data has 3 feature columns; the model's input 'input' takes 4" in run.stderr


def test_a_reference_model_that_does_not_match_its_digest_is_refused(tmp_path):
    x, y = rows()
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x, y), env={"MODELOPS_MODEL_SHA256": "0" * 64})
    assert run.returncode == 1
    assert f"reference model {MLP}: sha256 " in run.stderr and "expected " + "0" * 64 in run.stderr


def test_a_reference_that_is_not_onnx_is_refused(tmp_path):
    x, y = rows()
    (tmp_path / "model.onnx").write_bytes(b"\xff not a model")
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x, y), "--reference", str(tmp_path / "model.onnx"))
    assert run.returncode == 1
    assert "model.onnx: not an ONNX model" in run.stderr


def test_missing_data_is_exit_1_and_wrong_usage_exit_2(tmp_path):
    run = train(tmp_path, tmp_path / "absent.csv")
    assert run.returncode == 1 and "absent.csv: no such file" in run.stderr
    x, y = rows()
    run = train(tmp_path, write_csv(tmp_path / "recent.csv", x, y), env={"MODELOPS_MODEL_URI": ""})
    assert run.returncode == 2 and "no reference model: set MODELOPS_MODEL_URI" in run.stderr
