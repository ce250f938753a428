"""Drift detection of modelops against Evidently and Alibi Detect on the same synthetic streams.

Not a test: run by bench/drift_compare.sh, which builds what this needs and passes --java-cp and
--runtime-jar. modelops' scores come from its own code (the runtime's `baseline` command and
bench/DriftCompare.java); this file only makes the data, runs the other two libraries on the same
windows and turns everyone's alarms into false alarm rates and detection delays.

Data: 4 standard normal features; 20 references (training sets) of 5,000 rows. Stationary: per
reference, 15 windows of the same distribution back to back. Shifted: `window` rows of the same
distribution, then feature x1 shifted by 0.5 or 1.5 standard deviations; the window slides over it
and is evaluated every window/20 rows, up to 2 windows after the change. The delay is the number of
shifted rows in the first window flagged.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from alibi_detect.cd import CVMDrift, KSDrift
from evidently import Report
from evidently.legacy.calculations.stattests.registry import get_stattest
from evidently.legacy.core import ColumnType
from evidently.presets import DataDriftPreset

FEATURES = [f"x{i}" for i in range(4)]
SHIFTED = 1  # x1
REFERENCE_ROWS = 5000
METHODS = ["psi", "ks", "jensenShannon", "wasserstein"]
RULES = {  # modelops' documented defaults (docs/drift-and-retraining.md, "The methods")
    "psi": "overall psi > 0.1",
    "ks": "overall KS p < 0.01 (Bonferroni over features)",
    "jensenShannon": "overall JS distance > 0.1",
    "wasserstein": "overall Wasserstein/std > 0.1",
}
EVIDENTLY_REPORTS = 3  # full DataDriftPreset reports per window size, to check the stat tests


def seed(kind, *parts):
    """A fixed, printed seed per stream: kind 1 references, 2 stationary, 3 shifted."""
    return int("".join(str(p) for p in (kind, *parts)))


def normal(seed_value, rows):
    return np.random.default_rng(seed_value).standard_normal((rows, len(FEATURES)))


def modelops_baselines(work, runtime_jar, references):
    """Each reference through the runtime's own `baseline` command (CSV in, baseline JSON out)."""
    paths = []
    for r, data in enumerate(references):
        csv = work / f"reference{r}.csv"
        pd.DataFrame(data, columns=FEATURES).to_csv(csv, index=False, float_format="%.17g")
        out = work / f"reference{r}.baseline.json"
        subprocess.run(
            ["java", "-jar", str(runtime_jar), "baseline", "--input", str(csv), "--output", str(out)],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        paths.append(out)
    return paths


def modelops_runs(work, java_cp, jobs, extra_rules):
    """jobs: (name, baseline, stream array, window, step, first end); returns
    {name: [(end, flags, nanoseconds, overall scores)]}, flags by rule: a method's name (at its default
    threshold) or one of extra_rules ("psi=0.2"), scores by method."""
    lines = []
    for name, baseline, data, window, step, first in jobs:
        npy = work / f"{name}.npy"
        np.save(npy, data)
        lines.append(f"{name} {baseline} {npy} {window} {step} {first}")
    (work / "jobs.txt").write_text("\n".join(lines) + "\n")
    subprocess.run(
        ["java", "-cp", java_cp, "dev.modelops.runtime.drift.DriftCompare",
         str(work / "jobs.txt"), str(work / "modelops.tsv"), *extra_rules],
        check=True,
    )
    header, *lines = (work / "modelops.tsv").read_text().splitlines()
    rules = header.split()[2:]
    runs = {}
    for line in lines:
        f = line.split()
        flags = dict(zip(rules, (x == "1" for x in f[6:6 + len(rules)])))
        scores = dict(zip(METHODS, (float(x) for x in f[2:6])))
        runs.setdefault(f[0], []).append((int(f[1]), flags, int(f[-1]), scores))
    return runs


class Others:
    """Evidently's and Alibi Detect's detectors fitted on one reference, each deciding on a window."""

    def __init__(self, reference):
        self.reference = pd.DataFrame(reference, columns=FEATURES)
        self.ks = KSDrift(reference, p_val=0.05)  # default correction: Bonferroni
        self.cvm = CVMDrift(reference, p_val=0.05)

    def evidently_columns(self, window):
        """Evidently's default stat test per column (what its DataDriftPreset picks and runs)."""
        current = pd.DataFrame(window, columns=FEATURES)
        results = []
        for c in FEATURES:
            test = get_stattest(self.reference[c], current[c], ColumnType.Numerical, None)
            results.append((test.name, test(self.reference[c], current[c], ColumnType.Numerical, None)))
        return results

    def decide(self, window):
        """{detector: (drift?, seconds)} for one window."""
        out = {}
        t = time.perf_counter()
        columns = self.evidently_columns(window)
        seconds = time.perf_counter() - t
        drifted = sum(bool(r.drifted) for _, r in columns)
        out["evidently any column"] = (drifted >= 1, seconds)
        out["evidently dataset drift"] = (drifted / len(FEATURES) >= 0.5, seconds)
        t = time.perf_counter()
        out["alibi KSDrift"] = (bool(self.ks.predict(window)["data"]["is_drift"]), time.perf_counter() - t)
        t = time.perf_counter()
        out["alibi CVMDrift"] = (bool(self.cvm.predict(window)["data"]["is_drift"]), time.perf_counter() - t)
        return out

    def check_report(self, window):
        """A full Evidently Report with DataDriftPreset on the window: its per-column scores must
        be the stat tests' ones. Returns (seconds, test names)."""
        t = time.perf_counter()
        snapshot = Report([DataDriftPreset()]).run(
            current_data=pd.DataFrame(window, columns=FEATURES), reference_data=self.reference
        )
        seconds = time.perf_counter() - t
        values = {}
        count = None
        for m in snapshot.dict()["metrics"]:
            if m["config"]["type"].endswith("ValueDrift"):
                values[m["config"]["column"]] = m["value"]
            elif m["config"]["type"].endswith("DriftedColumnsCount"):
                count = m["value"]["count"]
        columns = self.evidently_columns(window)
        for c, (_, r) in zip(FEATURES, columns):
            if abs(values[c] - r.drift_score) > 1e-9:
                sys.exit(f"Evidently's Report gives {values[c]} for {c}, its stat test {r.drift_score}")
        if count != sum(r.drifted for _, r in columns):
            sys.exit(f"Evidently's Report counts {count} drifted columns, the stat tests otherwise")
        return seconds, sorted({name for name, _ in columns})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--java-cp", required=True)
    p.add_argument("--runtime-jar", type=Path, required=True)
    p.add_argument("--windows", default="200,5000", help="window sizes, comma-separated")
    p.add_argument("--references", type=int, default=20, help="references (training sets), each its own baseline")
    p.add_argument("--stationary", type=int, default=15, help="stationary windows per reference")
    p.add_argument("--streams", type=int, default=10, help="shifted streams per shift and window")
    p.add_argument("--extra-rules", default="psi=0.2,ks=0.05",
                   help="modelops rules besides the defaults, METHOD=THRESHOLD, comma-separated (default:"
                        " psi 0.2, the e2e tests' threshold for windows of 200; ks 0.05, Alibi's p_val)")
    a = p.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    windows = [int(w) for w in a.windows.split(",")]
    shifts = [0.5, 1.5]

    references = [normal(seed(1, r), REFERENCE_ROWS) for r in range(a.references)]
    print(f"references: {a.references} x {REFERENCE_ROWS} rows, seeds {[seed(1, r) for r in range(a.references)]}")
    baselines = modelops_baselines(a.work, a.runtime_jar, references)
    others = [Others(ref) for ref in references]

    # Every stream, as (name, reference index, data, window, step, first end, seed, shift).
    streams = []
    for w in windows:
        for r in range(a.references):
            s = seed(2, w, r)
            streams.append((f"stationary-w{w}-r{r}", r, normal(s, w * a.stationary), w, w, w, s, 0.0))
        for shift in shifts:
            for i in range(a.streams):
                s = seed(3, w, int(shift * 10), i)
                data = normal(s, 3 * w)
                data[w:, SHIFTED] += shift
                step = w // 20
                streams.append((f"shift{shift}-w{w}-s{i}", i % a.references, data, w, step, w + step, s, shift))
    for name, r, data, w, step, first, s, shift in streams:
        print(f"stream {name}: seed {s}, {len(data)} rows, reference {r}, window {w}, step {step}")

    t = time.perf_counter()
    extra = [r for r in a.extra_rules.split(",") if r]
    modelops = modelops_runs(
        a.work, a.java_cp, [(n, baselines[r], d, w, st, f) for n, r, d, w, st, f, _, _ in streams], extra
    )
    print(f"modelops: {time.perf_counter() - t:.1f} s for all streams (one JVM)", file=sys.stderr)

    # {stream name: [(end, {detector: (drift?, seconds)})]}, modelops' methods as "modelops <m>".
    alarms = {}
    for name, r, data, w, step, first, _, _ in streams:
        evaluations = []
        for end, flags, nanos, _ in modelops[name]:
            decided = {f"modelops {rule}": (flag, nanos / 1e9) for rule, flag in flags.items()}
            decided.update(others[r].decide(data[end - w:end]))
            evaluations.append((end, decided))
        alarms[name] = evaluations
    print(f"all detectors: {time.perf_counter() - t:.1f} s", file=sys.stderr)

    report_checks = {}
    for w in windows:
        data = [s for s in streams if s[0] == f"stationary-w{w}-r0"][0][2]
        checks = [others[0].check_report(data[i * w:(i + 1) * w]) for i in range(min(EVIDENTLY_REPORTS, a.stationary))]
        report_checks[w] = (statistics.median(c[0] for c in checks), sorted({n for c in checks for n in c[1]}))

    detectors = [f"modelops {m}" for m in METHODS + extra] + [
        "evidently any column", "evidently dataset drift", "alibi KSDrift", "alibi CVMDrift"]
    results = summarise(streams, alarms, detectors, windows, shifts, a.references)
    (a.work / "results.json").write_text(json.dumps({"results": results, "evidently_reports": report_checks}, indent=1))
    print_tables(results, detectors, windows, shifts, report_checks, extra)
    print("\nmodelops' overall scores on the stationary windows (1st percentile / median / 99th percentile):")
    for w in windows:
        scores = [e[3] for n, *_ in streams if n.startswith(f"stationary-w{w}-") for e in modelops[n]]
        cells = []
        for m in METHODS:
            values = sorted(x[m] for x in scores)
            at = [values[int(q * (len(values) - 1))] for q in (0.01, 0.5, 0.99)]
            cells.append(f"{m} " + " / ".join(f"{x:.3g}" for x in at))
        print(f"window {w}: " + "; ".join(cells))


def summarise(streams, alarms, detectors, windows, shifts, references):
    results = {}
    for w in windows:
        for d in detectors:
            stationary = [e[1][d] for s in streams if s[0].startswith(f"stationary-w{w}-") for e in alarms[s[0]]]
            row = {
                "false_alarms": sum(bool(flag) for flag, _ in stationary),
                "windows": len(stationary),
                "seconds_per_window": statistics.median(sec for _, sec in stationary),
                # a reference's own sampling error is shared by all the windows compared with it
                "false_alarms_by_reference": [
                    sum(bool(e[1][d][0]) for e in alarms[f"stationary-w{w}-r{r}"]) for r in range(references)],
            }
            for shift in shifts:
                delays = []
                for name, _, _, sw, _, _, _, sh in streams:
                    if sw == w and sh == shift:
                        # the change is at row w: the window ending at `end` holds end - w shifted rows
                        delays.append(next((end - w for end, dec in alarms[name] if dec[d][0]), None))
                row[f"delays_{shift}"] = delays
            results[f"{w} {d}"] = row
    return results


def delay_cell(delays):
    found = sorted(x for x in delays if x is not None)
    if not found:
        return f"0/{len(delays)} | - | -"
    return f"{len(found)}/{len(delays)} | {statistics.median(found):g} | {found[-1]}"


RULE_OF = dict({f"modelops {m}": rule for m, rule in RULES.items()}, **{
    "evidently any column": "default stat test per column; drift in any of the 4",
    "evidently dataset drift": "default stat test per column; drift in >= 50% of columns (the preset's default)",
    "alibi KSDrift": "KS p < 0.05 / 4 in any feature (defaults: p_val 0.05, Bonferroni)",
    "alibi CVMDrift": "Cramer-von Mises p < 0.05 / 4 in any feature (defaults)",
})


def print_tables(results, detectors, windows, shifts, report_checks, extra):
    rule_of = dict(RULE_OF, **{f"modelops {r}": "overall {} {} {}".format(
        r.split("=")[0], "<" if r.startswith("ks=") else ">", r.split("=")[1]) for r in extra})
    for w in windows:
        print(f"\nWindow {w} rows (Evidently's default stat test here: {', '.join(report_checks[w][1])};"
              f" a full DataDriftPreset Report takes {report_checks[w][0] * 1e3:.0f} ms per window"
              f" and gave the same per-column scores)\n")
        head = "| detector | drift when | false alarms | " + " | ".join(
            f"{s} sd found | {s} sd median delay | {s} sd max delay" for s in shifts) + " | time per window (side note) |"
        print(head)
        print("|" + " --- |" * (head.count("|") - 1))
        for d in detectors:
            r = results[f"{w} {d}"]
            rate = f"{r['false_alarms']}/{r['windows']} ({100 * r['false_alarms'] / r['windows']:.1f}%)"
            cells = " | ".join(delay_cell(r[f"delays_{s}"]) for s in shifts)
            print(f"| {d} | {rule_of[d]} | {rate} | {cells} | {r['seconds_per_window'] * 1e3:.2f} ms |")
    print("\nRaw delays (rows of shifted data in the first window flagged; None: not within 2 windows):")
    for key, r in results.items():
        print(key, {f"{s} sd": r[f"delays_{s}"] for s in shifts},
              f"false alarms {r['false_alarms']}/{r['windows']}, by reference {r['false_alarms_by_reference']}")


if __name__ == "__main__":
    main()
