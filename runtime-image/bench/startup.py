#!/usr/bin/env python3
"""Start-up of the runtime image with and without its AOT cache: the image's own entrypoint, in its
root file system (runtime-image/target/image/rootfs, as build_image.py leaves it), started N times
each way; prints the median time until /v2/health/ready answers 200 and the CPU seconds the JVM
used by then (user + system, from /proc). Runs as root, in a mount and network namespace of its
own, like the training run that made the cache (image/aot_cache.py).

Usage: python3 runtime-image/bench/startup.py [--runs N]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "runtime-image" / "image"))
import aot_cache  # noqa: E402

ROOTFS = REPO / "runtime-image" / "target" / "image" / "rootfs"
HZ = os.sysconf("SC_CLK_TCK")


def entrypoint() -> list:
    oci = ROOTFS.parent / "oci"
    blobs = oci / "blobs" / "sha256"
    manifest = json.loads((blobs / json.loads((oci / "index.json").read_text())["manifests"][0]["digest"][7:]).read_text())
    config = json.loads((blobs / manifest["config"]["digest"][7:]).read_text())["config"]
    return config["Entrypoint"] + config["Cmd"]


def start_once(command: list) -> tuple:
    env = aot_cache.training_environment()
    started = time.monotonic()
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              preexec_fn=lambda: (os.chroot(ROOTFS), os.chdir("/tmp")))
    try:
        aot_cache.await_ready(server)
        wall = time.monotonic() - started
        stat = Path(f"/proc/{server.pid}/stat").read_text()
        fields = stat[stat.rfind(")") + 2:].split()
        return wall, (int(fields[11]) + int(fields[12])) / HZ
    finally:
        server.kill()
        server.wait()


def inside(runs: int):
    aot_cache.prepare(ROOTFS)
    with_cache = entrypoint()
    if aot_cache.cache_option() not in with_cache:
        sys.exit("startup: this image has no AOT cache (built with a JDK before 25, or not as root)")
    without = [a for a in with_cache if a != aot_cache.cache_option()]
    print("| JVM | start to ready (median) | CPU until ready (median) | runs |")
    print("| --- | --- | --- | --- |")
    for name, command in (("without the AOT cache", without), ("with the AOT cache", with_cache)):
        results = [start_once(command) for _ in range(runs)]
        print(f"| {name} | {statistics.median(r[0] for r in results):.2f} s "
              f"| {statistics.median(r[1] for r in results):.2f} s | {runs} |", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.inside:
        inside(args.runs)
        return
    if os.geteuid() != 0:
        sys.exit("startup: run as root (chroot and namespaces)")
    if not (ROOTFS / "app" / "quarkus-run.jar").exists():
        sys.exit(f"startup: no image at {ROOTFS}: run e2e/sandbox/app-images.sh (or build_image.py) first")
    sys.exit(subprocess.run(["unshare", "--mount", "--net", "--propagation", "private", "--",
                             sys.executable, __file__, "--inside", "--runs", str(args.runs)]).returncode)


if __name__ == "__main__":
    main()
