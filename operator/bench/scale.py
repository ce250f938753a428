#!/usr/bin/env python3
"""The operator at scale (issue 14): N ModelDeployments on a sandbox cluster of kwok nodes.

Starts a kwok-only sandbox cluster (e2e/sandbox/start.sh) with the API server's audit log on, runs
the packaged operator as a process (operator/target/quarkus-app), applies N ModelDeployments of
one replica each (kwok makes their pods Ready), and measures:
- the time from the end of the last apply until every ModelDeployment is Available;
- reconciles and reconciles per second, p50 and p99 reconcile time (JOSDK's histogram,
  operator_sdk_controllers_execution_reconcile_seconds);
- API requests per ModelDeployment, reads and writes apart, from the audit log (the operator's
  requests are those with Fabric8's user agent);
- writes while nothing changes (IDLE seconds after all are Available);
- heap used (jvm_memory_used_bytes, area heap, from the operator's metrics; at rest after a GC) and
  resident memory (VmRSS, peak VmHWM) of the operator's process;
- the number of series on the operator's /q/metrics.

With --canary, every ModelDeployment then gets model version 2 at once (one server-side apply of
all; their rollout is a canary of one 5 s step), and it measures the time from the end of that
apply until every one has promoted revision 2, those stuck, and the operator's requests the API
server answered 409 Conflict (each retried by the operator).

With --jfr, the operator runs with a Java Flight Recorder profile (settings=profile), written to
operator.jfr in the work directory when it stops.

Usage: operator/bench/scale.sh [--count N] [--idle SECONDS] [--nodes K] [--xmx SIZE] [--canary] [--jfr]
                               [--controller-qps QPS]
Prints a Markdown table and writes the raw numbers as JSON (--out).
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WRITES = {"create", "update", "patch", "delete", "deletecollection"}
READS = {"get", "list", "watch"}


def log(message):
    print(f"[scale] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(directory: Path, nodes: int, audit_log: Path, controller_qps: int):
    policy = directory.parent / "audit-policy.yaml"
    policy.write_text("apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\n"
                      "rules:\n- level: Metadata\n")
    env = dict(os.environ, KUBE_APISERVER_EXTRA_ARGS=f"--audit-policy-file={policy} --audit-log-path={audit_log}")
    if controller_qps:
        # Each controller of the controller manager (and the scheduler) has a client of its own,
        # limited to 20 (50) requests/s with a burst of 30 (100) by default.
        qps = f"--kube-api-qps={controller_qps} --kube-api-burst={2 * controller_qps}"
        env.update(KUBE_CONTROLLER_MANAGER_EXTRA_ARGS=qps, KUBE_SCHEDULER_EXTRA_ARGS=qps)
    run = subprocess.run(
        [str(REPO / "e2e/sandbox/start.sh"), "--kwok-only", "--cpu-nodes", str(nodes), "--gpu-nodes", "0",
         "--dir", str(directory), "--owner-pid", str(os.getpid())],
        env=env, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"[scale] the sandbox did not start:\n{run.stderr[-3000:]}")
    kubeconfig = run.stdout.strip().splitlines()[-1]
    path = re.search(r"PATH=(\S+):\$PATH", run.stderr)
    if not path:
        sys.exit("[scale] the sandbox did not say where its kubectl is")
    return kubeconfig, Path(path.group(1)) / "kubectl"


class Cluster:
    def __init__(self, kubeconfig, kubectl):
        self.env = dict(os.environ, KUBECONFIG=kubeconfig)
        self.kubectl_path = str(kubectl)

    def kubectl(self, *args, stdin=None):
        run = subprocess.run([self.kubectl_path, *args], env=self.env, input=stdin, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)}: {run.stderr.strip()}")
        return run.stdout


def manifests(count: int, version: str = "1") -> str:
    docs = ["apiVersion: v1\nkind: Namespace\nmetadata: {name: scale}\n"]
    for i in range(count):
        docs.append(
            "apiVersion: modelops.dev/v1alpha1\nkind: ModelDeployment\n"
            f"metadata: {{name: m{i:04d}, namespace: scale}}\n"
            f"spec:\n  model: {{version: \"{version}\", uri: \"file:///models/m.onnx\"}}\n"
            "  runtime:\n    replicas: 1\n    resources: {requests: {cpu: 10m, memory: 32Mi}}\n"
            "  rollout:\n    strategy: Canary\n    steps: [{weight: 50, duration: 5s}]\n")
    return "---\n".join(docs)


class Operator:
    def __init__(self, kubeconfig, xmx, logfile, jfr=None):
        self.port = free_port()
        java = Path(os.environ["JAVA_HOME"]) / "bin/java"
        env = dict(os.environ, KUBECONFIG=kubeconfig, QUARKUS_HTTP_PORT=str(self.port))
        profile = [f"-XX:StartFlightRecording=filename={jfr},settings=profile,dumponexit=true"] if jfr else []
        self.process = subprocess.Popen(
            [str(java), f"-Xmx{xmx}", *profile, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-jar",
             str(REPO / "operator/target/quarkus-app/quarkus-run.jar")],
            env=env, stdout=open(logfile, "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/q/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                sys.exit(f"[scale] the operator exited; see {logfile}")
            time.sleep(0.5)
        sys.exit(f"[scale] the operator was not ready in 90 s; see {logfile}")

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/q/metrics", timeout=10) as r:
            return r.read().decode()

    def memory(self):
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, re.M)}
        return kib.get("VmRSS", 0) * 1024, kib.get("VmHWM", 0) * 1024

    def heap_used(self, text=None) -> float:
        text = text or self.metrics()
        return sum(float(v) for v in re.findall(r'^jvm_memory_used_bytes\{[^}]*area="heap"[^}]*\} (\S+)', text, re.M))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def histogram(text: str, name: str):
    buckets = sorted((float("inf") if le == "+Inf" else float(le), float(v))
                     for le, v in re.findall(rf'^{name}_bucket\{{[^}}]*le="([^"]+)"[^}}]*\}} (\S+)', text, re.M))
    count = sum(float(v) for v in re.findall(rf"^{name}_count(?:\{{[^}}]*\}})? (\S+)", text, re.M))
    total = sum(float(v) for v in re.findall(rf"^{name}_sum(?:\{{[^}}]*\}})? (\S+)", text, re.M))
    return buckets, count, total


def quantile(buckets, q):
    """As PromQL's histogram_quantile: linear within the bucket that holds the rank."""
    if not buckets or buckets[-1][1] == 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for bound, cumulative in buckets:
        if cumulative >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / max(cumulative - below, 1e-12)
        lower, below = bound, cumulative
    return lower


def audit_counts(audit_log: Path, since: float, until: float):
    detail = audit_detail(audit_log, since, until)
    return detail["reads"], detail["writes"], detail["verbs"]


def audit_events(audit_log: Path):
    """Every request in the audit log and in the files the API server rotated it into (100 MB each)."""
    for path in sorted(audit_log.parent.glob("audit*.log")):
        with open(path) as f:
            for line in f:
                yield json.loads(line)


def audit_detail(audit_log: Path, since: float, until: float):
    """The operator's reads, writes, requests by verb, requests answered 409 Conflict, the writes
    of every client by user agent, and when the operator wrote each Deployment (patch) and deleted
    one (seconds since the epoch, in order)."""
    detail = {"reads": 0, "writes": 0, "verbs": {}, "conflicts": 0, "writes_by_agent": {},
              "deployment_patches": [], "deployment_deletes": []}
    for event in audit_events(audit_log):
        at = event.get("requestReceivedTimestamp", "")
        t = datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()
        if not since <= t <= until:
            continue
        verb = event.get("verb", "")
        agent = event.get("userAgent", "").split("/")[0]
        if verb in WRITES:
            detail["writes_by_agent"][agent] = detail["writes_by_agent"].get(agent, 0) + 1
        if not agent.startswith("fabric8"):
            continue
        detail["verbs"][verb] = detail["verbs"].get(verb, 0) + 1
        if event.get("responseStatus", {}).get("code") == 409:
            detail["conflicts"] += 1
        if verb in WRITES:
            detail["writes"] += 1
        elif verb in READS:
            detail["reads"] += 1
        ref = event.get("objectRef", {})
        if ref.get("resource") == "deployments" and not ref.get("subresource"):
            if verb == "patch":
                detail["deployment_patches"].append(t)
            elif verb == "delete":
                detail["deployment_deletes"].append(t)
    for key in ("deployment_patches", "deployment_deletes"):
        detail[key].sort()
    return detail


def nth_after(times, n, start):
    """Seconds from start to the n-th of the times, or None when there are fewer."""
    return round(times[n - 1] - start, 1) if len(times) >= n else None


def await_all(cluster, count, since, jsonpath, what, until):
    """Polls every 5 s until each ModelDeployment's jsonpath value is `until`; returns how many.
    Not every second: a kubectl get of 1,000 ModelDeployments took 60% of a core each second, on the
    machine it measures."""
    done, seen = 0, -1
    deadline = since + 1800
    while time.time() < deadline:
        out = cluster.kubectl("get", "mdep", "-n", "scale", "-o", f"jsonpath={{range .items[*]}}{jsonpath}{{\"\\n\"}}{{end}}")
        done = out.split().count(until)
        if done != seen:
            log(f"{done}/{count} {what} after {time.time() - since:.1f} s")
            seen = done
        if done == count:
            break
        time.sleep(5)
    return done


def canary_all(cluster, operator, audit_log, count):
    """Model version 2 for all at once; the time until each has promoted revision 2."""
    before = operator.metrics()
    _, reconciles_before, _ = histogram(before, "operator_sdk_controllers_execution_reconcile_seconds")
    first = time.time()
    cluster.kubectl("apply", "--server-side", "-f", "-", stdin=manifests(count, "2"))
    last = time.time()
    log(f"version 2 applied to {count} in {last - first:.1f} s; waiting for the promotions")
    promoted = await_all(cluster, count, last, "{.status.stableRevision}", "promoted (stable revision 2)", "2")
    done = time.time()
    text = operator.metrics()
    buckets, reconciles, _ = histogram(text, "operator_sdk_controllers_execution_reconcile_seconds")
    detail = audit_detail(audit_log, first - 1, done)
    reads, writes, conflicts = detail["reads"], detail["writes"], detail["conflicts"]
    return {
        "canary_apply_seconds": round(last - first, 1),
        "canary_all_promoted_after_last_apply_seconds": round(done - last, 1),
        "canary_promoted": promoted,
        "canary_stuck": count - promoted,
        "canary_reconciles": int(reconciles - reconciles_before),
        "canary_api_reads_per_mdep": round(reads / count, 2),
        "canary_api_writes_per_mdep": round(writes / count, 2),
        "canary_conflicts_409": conflicts,
        "canary_operator_created_all_canaries_after_last_apply_seconds": nth_after(detail["deployment_patches"], count, last),
        "canary_operator_retired_all_stables_after_last_apply_seconds": nth_after(detail["deployment_deletes"], count, last),
        "canary_api_writes_by_agent": detail["writes_by_agent"],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--idle", type=int, default=60)
    p.add_argument("--nodes", type=int, default=0, help="kwok nodes (default: enough for 100 pods each)")
    p.add_argument("--xmx", default="1g", help="the operator's -Xmx (default 1g: room to see what it uses)")
    p.add_argument("--out", type=Path, default=REPO / "operator/target/scale-results.json")
    p.add_argument("--canary", action="store_true", help="then change the model version of all at once")
    p.add_argument("--jfr", action="store_true", help="record a Java Flight Recorder profile of the operator")
    p.add_argument("--controller-qps", type=int, default=0,
                   help="the controller manager's and scheduler's client QPS (burst twice); default theirs")
    args = p.parse_args()
    nodes = args.nodes or max(2, -(-args.count // 100))
    work = Path(tempfile.mkdtemp(prefix="modelops-scale-"))
    audit_log = work / "audit.log"
    log(f"{args.count} ModelDeployments on {nodes} kwok nodes; cluster in {work}")
    kubeconfig, kubectl = start_cluster(work / "cluster", nodes, audit_log, args.controller_qps)
    cluster = Cluster(kubeconfig, kubectl)
    operator = None
    try:
        cluster.kubectl("apply", "--server-side", "-f", str(REPO / "crds/modeldeployments.modelops.dev-v1.yml"))
        operator = Operator(kubeconfig, args.xmx, work / "operator.log", work / "operator.jfr" if args.jfr else None)
        heap_rest_before = operator.heap_used()
        rss_before, _ = operator.memory()
        log(f"operator ready (pid {operator.process.pid}), heap {heap_rest_before / 2**20:.0f} MiB, RSS {rss_before / 2**20:.0f} MiB")

        peak = {"heap": 0.0}
        sampling = threading.Event()

        def sample():
            while not sampling.is_set():
                try:
                    peak["heap"] = max(peak["heap"], operator.heap_used())
                except OSError:
                    pass
                sampling.wait(1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        first_apply = time.time()
        cluster.kubectl("apply", "--server-side", "-f", "-", stdin=manifests(args.count))
        last_apply = time.time()
        log(f"applied {args.count} in {last_apply - first_apply:.1f} s; waiting for Available")
        available = await_all(cluster, args.count, last_apply, '{.status.conditions[?(@.type=="Available")].status}',
                              "Available", "True")
        all_available = time.time()
        settle_text = operator.metrics()
        sampling.set()
        sampler.join()
        buckets, reconciles, reconcile_seconds = histogram(settle_text, "operator_sdk_controllers_execution_reconcile_seconds")
        rss, hwm = operator.memory()
        detail = audit_detail(audit_log, first_apply - 1, all_available)
        reads, writes, verbs = detail["reads"], detail["writes"], detail["verbs"]

        log(f"idle for {args.idle} s")
        idle_start = time.time()
        time.sleep(args.idle)
        idle_end = time.time()
        _, idle_writes, idle_verbs = audit_counts(audit_log, idle_start, idle_end)
        subprocess.run([str(Path(os.environ["JAVA_HOME"]) / "bin/jcmd"), str(operator.process.pid), "GC.run"],
                       capture_output=True)
        time.sleep(2)
        rest_text = operator.metrics()
        heap_rest = operator.heap_used(rest_text)
        rss_rest, hwm = operator.memory()
        series = sum(1 for line in rest_text.splitlines() if line and not line.startswith("#"))
        josdk_series = sum(1 for line in rest_text.splitlines() if line.startswith("operator_sdk_"))

        results = {
            "count": args.count, "nodes": nodes, "xmx": args.xmx, "controller_qps": args.controller_qps or None,
            "apply_seconds": round(last_apply - first_apply, 1),
            "all_available_after_last_apply_seconds": round(all_available - last_apply, 1),
            "available": available,
            "reconciles": int(reconciles),
            "reconciles_per_second": round(reconciles / max(all_available - first_apply, 1e-9), 1),
            "reconcile_mean_ms": round(1000 * reconcile_seconds / max(reconciles, 1), 2),
            "reconcile_p50_ms": round(1000 * (quantile(buckets, 0.5) or 0), 2),
            "reconcile_p99_ms": round(1000 * (quantile(buckets, 0.99) or 0), 2),
            "api_reads_per_mdep": round(reads / args.count, 2),
            "api_writes_per_mdep": round(writes / args.count, 2),
            "api_verbs": verbs,
            "operator_wrote_all_deployments_after_last_apply_seconds": nth_after(detail["deployment_patches"], args.count, last_apply),
            "api_writes_by_agent": detail["writes_by_agent"],
            "idle_seconds": args.idle,
            "idle_writes": idle_writes, "idle_verbs": idle_verbs,
            "heap_before_mib": round(heap_rest_before / 2**20, 1),
            "heap_peak_sampled_mib": round(peak["heap"] / 2**20, 1),
            "heap_at_rest_after_gc_mib": round(heap_rest / 2**20, 1),
            "rss_before_mib": round(rss_before / 2**20, 1),
            "rss_at_all_available_mib": round(rss / 2**20, 1),
            "rss_at_rest_mib": round(rss_rest / 2**20, 1),
            "rss_peak_mib": round(hwm / 2**20, 1),
            "metric_series": series, "operator_sdk_series": josdk_series,
        }
        if args.canary:
            results.update(canary_all(cluster, operator, audit_log, args.count))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
        args.out.with_suffix(".metrics.txt").write_text(rest_text)
        print("| measure | value |\n| --- | --- |")
        for key, value in results.items():
            print(f"| {key} | {value} |")
        log(f"raw numbers in {args.out}, the last scrape beside it; operator log {work / 'operator.log'}")
    finally:
        if operator:
            operator.stop()
        subprocess.run([str(REPO / "e2e/sandbox/stop.sh"), str(work / "cluster")], capture_output=True)


if __name__ == "__main__":
    main()
