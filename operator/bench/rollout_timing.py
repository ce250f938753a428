#!/usr/bin/env python3
"""Rollout timing (issue 14), on a sandbox cluster that operator/bench/rollout-timing.sh started.

The operator runs as the chart's pod on the real node; one ModelDeployment `iris` serves the test
MLP (mlp.onnx from the sandbox's model server), one pod, under light steady load through its
Service (a sandbox-forward into the node's namespace to the ClusterIP, a connection per request,
so kube-proxy balances every request over the ready pods, as CanaryAnalysisTest's LoadGenerator).

Every time below is when this script saw it: a watch event's arrival (kubectl get --raw ?watch=1
on the ModelDeployment, its pods and its EndpointSlices) or an answer's arrival, on this machine's
clock, to the millisecond. Status timestamps are whole seconds and are not used for the numbers.

Scenario `promote`, N times: a new model version with a 3-step canary (weights 10/25/50, STEP s
each, analysis every INTERVAL s, source pods). Measured from the apply (the watch event of the new
generation) to the promotion (status.stableRevision is the new revision):
- total, and overhead = total - 3 x STEP;
- pod start = the canary pod's first watch event to its Ready one (kubelet, JVM, model fetch,
  readiness probe: not the operator's), and
- operator latency = overhead - pod start: the operator's own part (creating the canary's
  Deployment, noticing the pod Ready, moving on at each step's end, promoting), against the target
  of two analysis intervals.

Scenario `rollback`, N times: a version whose model fails every request (failing.onnx), one step
of 50% for 5 minutes, failureLimit 2. Measured:
- the Fails: the operator's log lines of the two failed checks (`AnalysisCheckFailed: canary
  revision R, check N of 2`, stamped by the container runtime), and the first status with a Fail
  verdict;
- rollback: the status that marks the canary revision Failed (Degraded=True/AnalysisFailed), written
  by the reconcile that recorded the second, deciding Fail;
- all traffic on stable: the canary's last answer (a 500: only the canary answers 500) that the
  load generator got, once 5 s of answers came without one; checked against the EndpointSlices
  (the first event with no ready endpoint of the canary's pod).
From the first and from the deciding Fail to the canary's last answer, against two intervals.

Prints a Markdown table (min / median / max) and writes every run's numbers as JSON (--out).
"""
import argparse
import hashlib
import http.client
import json
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

NS = "rollout-bench"
NAME = "iris"
MODELS = "http://models.modelops-sandbox.svc/"
BODY = json.dumps(
    {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [5.1, 3.5, 1.4, 0.2]}]}
)


def log(message):
    print(f"[rollout-timing] {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


class Watch:
    """A watch of one list path through `kubectl get --raw`, each event stamped when it arrives."""

    def __init__(self, kubectl, path):
        self.kubectl = kubectl
        self.path = path
        self.events = []  # (arrival time, type, object)
        self.cond = threading.Condition()
        self.proc = None
        self.stopped = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        version = None
        while not self.stopped:
            url = f"{self.path}?watch=1&allowWatchBookmarks=false"
            if version:
                url += f"&resourceVersion={version}"
            self.proc = subprocess.Popen(
                self.kubectl + ["get", "--raw", url], stdout=subprocess.PIPE, text=True
            )
            for line in self.proc.stdout:
                now = time.time()
                event = json.loads(line)
                if event["type"] == "ERROR":  # too old a resourceVersion: list again
                    version = None
                    break
                version = event["object"]["metadata"]["resourceVersion"]
                with self.cond:
                    self.events.append((now, event["type"], event["object"]))
                    self.cond.notify_all()
            self.proc.kill()
            self.proc.wait()

    def mark(self):
        with self.cond:
            return len(self.events)

    def first(self, what, predicate, since=0, timeout=300.0):
        """The first event from index `since` on whose object satisfies predicate: (time, object)."""
        deadline = time.time() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.events):
                    at, kind, obj = self.events[i]
                    i += 1
                    if predicate(kind, obj):
                        return at, obj
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError(f"no {what} within {timeout:.0f} s")
                self.cond.wait(left)

    def stop(self):
        self.stopped = True
        if self.proc:
            self.proc.kill()


class Load(threading.Thread):
    """Steady requests, one connection each; remembers every answer's arrival time and status."""

    def __init__(self, port, clients, pause):
        super().__init__(daemon=True)
        self.port, self.clients, self.pause = port, clients, pause
        self.answers = []  # (arrival time, status); status 0: no answer
        self.lock = threading.Lock()
        self.running = True

    def run(self):
        workers = [threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    def _client(self):
        while self.running:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request(
                    "POST",
                    f"/v2/models/{NAME}/infer",
                    BODY,
                    {"Content-Type": "application/json", "Connection": "close"},
                )
                status = conn.getresponse().status
                conn.close()
            except (OSError, http.client.HTTPException):
                status = 0
            with self.lock:
                self.answers.append((time.time(), status))
            time.sleep(self.pause)

    def since(self, t):
        with self.lock:
            return [a for a in self.answers if a[0] >= t]


def condition(obj, kind):
    for c in obj.get("status", {}).get("conditions", []) or []:
        if c.get("type") == kind:
            return c
    return {}


def pod_ready(pod):
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in pod.get("status", {}).get("conditions", []) or []
    )


def revision_of(pod):
    return pod["metadata"].get("labels", {}).get("modelops.dev/revision")


class Bench:
    def __init__(self, args):
        self.args = args
        self.kubectl = [str(Path(args.bin) / "kubectl"), "--kubeconfig", args.kubeconfig]
        self.models = Path(args.cluster_dir) / "models"
        self.version = 0

    def run_kubectl(self, *argv, input=None):
        done = subprocess.run(
            self.kubectl + list(argv), input=input, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(argv)}: {done.stderr}")
        return done.stdout

    def sha256(self, file):
        return hashlib.sha256((self.models / file).read_bytes()).hexdigest()

    def apply(self, file, rollout):
        self.version += 1
        mdep = {
            "apiVersion": "modelops.dev/v1alpha1",
            "kind": "ModelDeployment",
            "metadata": {"name": NAME, "namespace": NS},
            "spec": {
                "model": {
                    "name": NAME,
                    "version": str(self.version),
                    "uri": MODELS + file,
                    "sha256": self.sha256(file),
                },
                "runtime": {
                    "replicas": 1,
                    "resources": {"requests": {"cpu": "50m", "memory": "256Mi"}},
                },
                "rollout": rollout,
            },
        }
        self.run_kubectl(
            "apply", "--server-side", "--field-manager=rollout-bench", "-f", "-",
            input=json.dumps(mdep),
        )
        return str(self.version)

    def rollout(self, steps, failure_limit):
        interval = f"{self.args.interval}s"
        return {
            "strategy": "Canary",
            "steps": [{"weight": w, "duration": d} for w, d in steps],
            "analysis": {
                "interval": interval,
                "failureLimit": failure_limit,
                "minRequests": 10,
                "maxErrorRate": 0.01,
                "maxLatencyP99": "1s",
                "source": "pods",
            },
        }

    def start(self):
        self.run_kubectl("create", "namespace", NS)
        base = f"/apis/modelops.dev/v1alpha1/namespaces/{NS}/modeldeployments"
        self.mdeps = Watch(self.kubectl, base)
        self.pods = Watch(self.kubectl, f"/api/v1/namespaces/{NS}/pods")
        self.slices = Watch(self.kubectl, f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices")
        log("version 1 (no stable yet: served at once)")
        self.apply("mlp.onnx", self.rollout([(50, "20s")], 2))
        self.mdeps.first(
            "Available",
            lambda k, o: condition(o, "Available").get("status") == "True",
            timeout=300,
        )
        self.forward_and_load()

    def forward_and_load(self):
        service = json.loads(self.run_kubectl("-n", NS, "get", "service", NAME, "-o", "json"))
        ip = service["spec"]["clusterIP"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        netns = f"/proc/{(Path(self.args.cluster_dir) / 'node-ns.pid').read_text().strip()}/ns/net"
        self.forward = subprocess.Popen(
            [str(Path(self.args.bin) / "sandbox-forward"), "--netns", netns,
             "--listen", f"127.0.0.1:{port}", "--to", f"{ip}:8080"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        self.load = Load(port, self.args.clients, self.args.pause_ms / 1000)
        self.load.start()
        time.sleep(3)
        log(f"load: {self.args.clients} clients, {self.args.pause_ms} ms apart, "
            f"{len(self.load.answers)} answers in the first 3 s")

    def settled(self):
        """Waits until the previous rollout's retired pods are gone: one pod, Ready."""
        deadline = time.time() + 180
        while time.time() < deadline:
            pods = json.loads(self.run_kubectl("-n", NS, "get", "pods", "-o", "json"))["items"]
            if len(pods) == 1 and pod_ready(pods[0]) and not pods[0]["metadata"].get("deletionTimestamp"):
                return
            time.sleep(1)
        raise TimeoutError("the previous rollout's pods did not go within 3 minutes")

    def applied(self, mark_md, generation_before):
        at, _ = self.mdeps.first(
            "the new generation",
            lambda k, o: o["metadata"].get("generation", 0) > generation_before,
            since=mark_md,
        )
        return at

    def generation(self):
        return json.loads(self.run_kubectl("-n", NS, "get", "mdep", NAME, "-o", "json"))["metadata"]["generation"]

    def canary_revision(self, since):
        _, obj = self.mdeps.first(
            "a canary in status",
            lambda k, o: (o.get("status", {}).get("canary") or {}).get("revision") is not None,
            since=since,
        )
        return str(obj["status"]["canary"]["revision"])

    def canary_pod(self, revision, since_pods):
        seen, pod = self.pods.first(
            f"a pod of revision {revision}", lambda k, o: revision_of(o) == revision, since=since_pods
        )
        ready, _ = self.pods.first(
            f"revision {revision}'s pod Ready",
            lambda k, o: revision_of(o) == revision and pod_ready(o),
            since=since_pods,
        )
        return seen, ready, pod["metadata"]["name"]

    def promote_once(self):
        self.settled()
        steps = [(10, f"{self.args.step}s"), (25, f"{self.args.step}s"), (50, f"{self.args.step}s")]
        gen = self.generation()
        m, p = self.mdeps.mark(), self.pods.mark()
        answers_from = time.time()
        version = self.apply("mlp.onnx", self.rollout(steps, 2))
        t_apply = self.applied(m, gen)
        revision = self.canary_revision(m)
        pod_seen, pod_ready_at, _ = self.canary_pod(revision, p)
        step_starts = []
        for i in range(3):
            at, _ = self.mdeps.first(
                f"step {i + 1}",
                lambda k, o, i=i: (o.get("status", {}).get("canary") or {}).get("step") == i
                and (o["status"]["canary"]).get("stepStartedAt") is not None,
                since=m,
            )
            step_starts.append(at)
        t_promoted, _ = self.mdeps.first(
            "promotion",
            lambda k, o: str(o.get("status", {}).get("stableRevision")) == revision,
            since=m,
        )
        total = t_promoted - t_apply
        overhead = total - 3 * self.args.step
        pod_start = pod_ready_at - pod_seen
        answers = self.load.since(answers_from)
        run = {
            "version": version,
            "revision": revision,
            "total_s": round(total, 3),
            "overhead_s": round(overhead, 3),
            "apply_to_pod_s": round(pod_seen - t_apply, 3),
            "pod_start_s": round(pod_start, 3),
            "pod_ready_to_step1_s": round(step_starts[0] - pod_ready_at, 3),
            "step2_late_s": round(step_starts[1] - step_starts[0] - self.args.step, 3),
            "step3_late_s": round(step_starts[2] - step_starts[1] - self.args.step, 3),
            "promotion_late_s": round(t_promoted - step_starts[2] - self.args.step, 3),
            "operator_s": round(overhead - pod_start, 3),
            "answers": len(answers),
            "not_ok": sum(1 for _, s in answers if s != 200),
        }
        log(f"promote: {run}")
        return run

    def rollback_once(self):
        self.settled()
        gen = self.generation()
        m, p, s = self.mdeps.mark(), self.pods.mark(), self.slices.mark()
        version = self.apply("failing.onnx", self.rollout([(50, "5m")], 2))
        t_apply = self.applied(m, gen)
        revision = self.canary_revision(m)
        pod_seen, pod_ready_at, pod_name = self.canary_pod(revision, p)

        def fails(o):
            verdicts = (o.get("status", {}).get("canary") or {}).get("verdicts") or []
            return any(v.get("verdict") == "Fail" for v in verdicts)

        t_first_fail, _ = self.mdeps.first("a Fail verdict", lambda k, o: fails(o), since=m)

        def failed(o):
            return any(
                str(r.get("number")) == revision and r.get("phase") == "Failed"
                for r in o.get("status", {}).get("revisions", []) or []
            )

        t_rollback, obj = self.mdeps.first("the rollback", lambda k, o: failed(o), since=m)
        degraded = condition(obj, "Degraded")
        # The EndpointSlices: the first event after which no slice has a ready canary endpoint.
        latest = {}
        t_endpoints = None
        with self.slices.cond:
            events = list(self.slices.events)
        for at, kind, o in events:
            latest[o["metadata"]["name"]] = None if kind == "DELETED" else o
            if at < pod_ready_at:
                continue
            ready_canary = any(
                (e.get("targetRef") or {}).get("name") == pod_name
                and (e.get("conditions") or {}).get("ready")
                for sl in latest.values() if sl
                for e in sl.get("endpoints") or []
            )
            if not ready_canary and at >= t_first_fail:
                t_endpoints = at
                break
        if t_endpoints is None:
            t_endpoints, _ = self.slices.first(
                "no ready canary endpoint",
                lambda k, o: not any(
                    (e.get("targetRef") or {}).get("name") == pod_name
                    and (e.get("conditions") or {}).get("ready")
                    for e in o.get("endpoints") or []
                ),
                since=len(events),
            )
        # The canary's last answer: the last 500, once 5 s of answers came without one.
        while True:
            answers = self.load.since(t_apply)
            errors = [a for a, status in answers if status == 500]
            last = errors[-1] if errors else t_rollback
            if answers and answers[-1][0] - max(last, t_endpoints) > 5:
                break
            time.sleep(1)
        run = {
            "version": version,
            "revision": revision,
            "at": {"apply": t_apply, "first_fail": t_first_fail, "rollback": t_rollback,
                   "endpoints": t_endpoints, "last_canary_answer": last},
            "apply_to_ready_s": round(pod_ready_at - t_apply, 3),
            "ready_to_first_fail_s": round(t_first_fail - pod_ready_at, 3),
            "first_fail_to_rollback_s": round(t_rollback - t_first_fail, 3),
            "rollback_to_endpoints_s": round(t_endpoints - t_rollback, 3),
            "rollback_to_last_canary_answer_s": round(last - t_rollback, 3),
            "first_fail_to_last_canary_answer_s": round(last - t_first_fail, 3),
            "canary_500s": len(errors),
            "other_not_ok": sum(1 for _, st in answers if st not in (200, 500)),
            "degraded": f"{degraded.get('reason')}: {degraded.get('message', '')[:160]}",
        }
        log(f"rollback: {run}")
        return run

    def decisions(self, rollback):
        """The operator's own times of each rollback's two failed checks, from its log's lines
        (`AnalysisCheckFailed: canary revision R, check N of ...`), stamped by the container
        runtime on this machine's clock."""
        text = self.run_kubectl("-n", "modelops-system", "logs", "deploy/modelops-operator", "--timestamps")
        checks = {}
        for line in text.splitlines():
            stamp, _, rest = line.partition(" ")
            match = re.search(r"AnalysisCheckFailed: canary revision (\d+), check (\d+) of", rest)
            if match:
                checks[(match[1], int(match[2]))] = datetime.fromisoformat(
                    stamp[:26].rstrip("Z") + "+00:00"
                ).timestamp()
        for run in rollback:
            first, deciding = checks.get((run["revision"], 1)), checks.get((run["revision"], 2))
            last = run["at"]["last_canary_answer"]
            if first and deciding:
                run["logged_first_fail_to_last_canary_answer_s"] = round(last - first, 3)
                run["logged_deciding_fail_to_last_canary_answer_s"] = round(last - deciding, 3)
                run["logged_deciding_fail_to_endpoints_s"] = round(run["at"]["endpoints"] - deciding, 3)
                run["logged_deciding_fail_to_status_s"] = round(run["at"]["rollback"] - deciding, 3)

    def stop(self):
        if getattr(self, "load", None):
            self.load.running = False
            self.load.join(timeout=15)
        if getattr(self, "forward", None):
            self.forward.terminate()
            self.forward.wait()
        for w in ("mdeps", "pods", "slices"):
            if getattr(self, w, None):
                getattr(self, w).stop()


def spread(values):
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def table(args, promote, rollback):
    target = 2 * args.interval
    lines = [
        f"| measure ({args.runs} runs) | min / median / max (s) | target | met |",
        "| --- | --- | --- | --- |",
    ]

    def row(label, key, runs, target=None):
        values = [r[key] for r in runs]
        met = "" if target is None else ("yes" if max(values) < target else "**no**")
        lines.append(f"| {label} | {spread(values)} | {'' if target is None else f'< {target} s'} | {met} |")

    if promote:
        row(f"promote: apply to promotion (3 steps of {args.step} s)", "total_s", promote)
        row("promote: beyond the steps' sum", "overhead_s", promote)
        row("promote: of which the canary pod's start (kubelet, JVM, model)", "pod_start_s", promote)
        row("promote: the operator's own latency (beyond the steps and the pod start)", "operator_s", promote, target)
        row("promote: apply to the canary pod created", "apply_to_pod_s", promote)
        row("promote: pod Ready to step 1 started", "pod_ready_to_step1_s", promote)
        row("promote: step 2 started after step 1's end", "step2_late_s", promote)
        row("promote: step 3 started after step 2's end", "step3_late_s", promote)
        row("promote: promoted after step 3's end", "promotion_late_s", promote)
    if rollback:
        logged = [r for r in rollback if "logged_deciding_fail_to_last_canary_answer_s" in r]
        if len(logged) == len(rollback):
            row("rollback: first Fail (operator log) to the canary's last answer", "logged_first_fail_to_last_canary_answer_s", rollback, target)
            row("rollback: deciding Fail (operator log) to the canary's last answer", "logged_deciding_fail_to_last_canary_answer_s", rollback, target)
            row("rollback: deciding Fail (operator log) to no ready canary endpoint", "logged_deciding_fail_to_endpoints_s", rollback)
            row("rollback: deciding Fail (operator log) to the Failed status seen", "logged_deciding_fail_to_status_s", rollback)
        row("rollback: first Fail seen in status to the canary's last answer", "first_fail_to_last_canary_answer_s", rollback, target)
        row("rollback: Failed status seen to the canary's last answer", "rollback_to_last_canary_answer_s", rollback)
        row("rollback: Failed status seen to no ready canary endpoint", "rollback_to_endpoints_s", rollback)
        row("rollback: first Fail to the deciding Fail", "first_fail_to_rollback_s", rollback)
        row("rollback: canary pod Ready to the first Fail", "ready_to_first_fail_s", rollback)
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--bin", required=True, help="the sandbox's binaries (kubectl, sandbox-forward)")
    p.add_argument("--cluster-dir", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--step", type=int, default=20, help="each canary step's duration, seconds")
    p.add_argument("--interval", type=int, default=10, help="the analysis interval, seconds")
    p.add_argument("--clients", type=int, default=2)
    p.add_argument("--pause-ms", type=int, default=50, help="each client's pause between requests")
    p.add_argument("--scenarios", default="promote,rollback")
    p.add_argument("--out", default="operator/target/rollout-timing.json")
    args = p.parse_args()
    # rollout-timing.sh stops this script with TERM: stop the load, the forward and the watches.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(args)
    promote, rollback = [], []
    try:
        bench.start()
        scenarios = args.scenarios.split(",")
        for i in range(args.runs):
            if "promote" in scenarios:
                log(f"promote run {i + 1}/{args.runs}")
                promote.append(bench.promote_once())
        for i in range(args.runs):
            if "rollback" in scenarios:
                log(f"rollback run {i + 1}/{args.runs}")
                rollback.append(bench.rollback_once())
        bench.decisions(rollback)
    finally:
        bench.stop()
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(
            json.dumps({"args": vars(args), "promote": promote, "rollback": rollback}, indent=2) + "\n"
        )
        log(f"raw numbers: {args.out}")
    print(table(args, promote, rollback))


if __name__ == "__main__":
    main()
