#!/usr/bin/env python3
"""CPU of the runtime image with its own JVM options and with extra ones (JAVA_TOOL_OPTIONS, as the
operator's runtimeJavaOptions passes them): the image's entrypoint in its root file system
(runtime-image/target/image/rootfs), CPU seconds until /v2/health/ready answers, then for SECONDS of
inference requests, each on a connection of its own (as the e2e load generators send them) and
followed by a pause of 1/RATE s (about RATE a second on a quiet machine). Runs as root, in a mount and network namespace of its own, like startup.py.

Usage: python3 runtime-image/bench/jit.py [--seconds 120] [--rate 31] [--options -XX:TieredStopAtLevel=1]
"""
import argparse
import http.client
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import startup  # noqa: E402
from startup import aot_cache  # noqa: E402


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / startup.HZ


def body() -> str:
    metadata = aot_cache.get(f"/v2/models/{aot_cache.MODEL}")
    inputs = [{"name": i["name"], "datatype": i["datatype"], "shape": [d if d > 0 else 1 for d in i["shape"]],
               "data": [0] * math.prod(d if d > 0 else 1 for d in i["shape"])} for i in metadata["inputs"]]
    return json.dumps({"inputs": inputs})


def run_once(options: str, seconds: float, rate: float) -> tuple:
    env = aot_cache.training_environment()
    if options:
        env["JAVA_TOOL_OPTIONS"] = options
    server = subprocess.Popen(startup.entrypoint(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              preexec_fn=lambda: (os.chroot(startup.ROOTFS), os.chdir("/tmp")))
    try:
        aot_cache.await_ready(server)
        ready = cpu_seconds(server.pid)
        request, path, end = body(), f"/v2/models/{aot_cache.MODEL}/infer", time.monotonic() + seconds
        while time.monotonic() < end:
            connection = http.client.HTTPConnection("127.0.0.1", 8080, timeout=5)
            connection.request("POST", path, request, {"Content-Type": "application/json", "Connection": "close"})
            connection.getresponse().read()
            connection.close()
            time.sleep(1 / rate)
        return ready, cpu_seconds(server.pid) - ready
    finally:
        server.kill()
        server.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--rate", type=float, default=31)
    p.add_argument("--options", default="-XX:TieredStopAtLevel=1")
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if not args.inside:
        if os.geteuid() != 0:
            sys.exit("jit: run as root (chroot and namespaces)")
        if not (startup.ROOTFS / "app" / "quarkus-run.jar").exists():
            sys.exit(f"jit: no image at {startup.ROOTFS}: run e2e/sandbox/app-images.sh (or build_image.py) first")
        sys.exit(subprocess.run(["unshare", "--mount", "--net", "--propagation", "private", "--",
                                 sys.executable, __file__, "--inside", *sys.argv[1:]]).returncode)
    aot_cache.prepare(startup.ROOTFS)
    print(f"| JVM options | CPU until ready | CPU for {args.seconds:.0f} s at {args.rate:g} requests/s |")
    print("| --- | --- | --- |")
    for name, options in (("the image's", ""), (f"the image's and {args.options}", args.options)):
        ready, load = run_once(options, args.seconds, args.rate)
        print(f"| {name} | {ready:.2f} s | {load:.2f} s |", flush=True)


if __name__ == "__main__":
    main()
