#!/usr/bin/env python3
"""The image's AOT cache (JDK 25+, JEP 483 and 515): one training run of the image's own JVM and
application, inside the image's root file system, leaves /app/app.aot, which the entrypoint maps
at every start (-XX:AOTCache). Classes come loaded and linked from it and the first methods
arrive profiled: a runtime pod is ready in a third less time with a quarter less CPU (measured,
docs/benchmarks.md). The cache only counts for the JVM, class path and files it was made with,
which is why the run happens in the root file system (chroot) and not beside it; a JVM that cannot
use it warns and starts as it would have without it.

The run has a mount and a network namespace of its own (unshare): /proc, /dev and /tmp are mounted
there for the JVM, the application listens on the namespace's own loopback, and nothing of the run
but the cache stays in the image. The runtime serves the image's demo model and answers a few V2
requests; the operator has no cluster to reach, so it stops after what it loads on the way there.

Usage (from build_image.py): aot_cache.py ROOTFS KIND ENTRYPOINT...
"""
import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CACHE = "/app/app.aot"
MODEL = "iris"
TRAINING_TIMEOUT_S = 120


def cache_option() -> str:
    return f"-XX:AOTCache={CACHE}"


def supported(java_home: Path) -> bool:
    """-XX:AOTCacheOutput came with JDK 25. Asked of the flags' list, never by giving it a file: the
    JVM replaces the file it is given with the cache (once, given /dev/null, it left the machine a
    regular file there, and every process reading /dev/null read what others had written to it)."""
    flags = subprocess.run([str(java_home / "bin" / "java"), "-XX:+PrintFlagsFinal", "-version"],
                           capture_output=True, text=True).stdout
    return any(line.split()[1:2] == ["AOTCacheOutput"] for line in flags.splitlines())


def build(rootfs: Path, kind: str, entrypoint: list, step) -> bool:
    """Runs the training in namespaces of its own; True when the cache was written."""
    if os.geteuid() != 0:
        step("AOT cache skipped: the training run needs root (chroot and namespaces); the image starts without it")
        return False
    step("AOT cache: a training run of the image's JVM in its own root file system")
    result = subprocess.run(["unshare", "--mount", "--net", "--propagation", "private", "--",
                             sys.executable, __file__, str(rootfs), kind, *entrypoint])
    cache = rootfs / CACHE.lstrip("/")
    if result.returncode != 0 or not cache.exists():
        sys.exit(f"aot_cache: the training run failed (exit {result.returncode}); its output is above")
    os.chmod(cache, 0o644)
    step(f"AOT cache: {cache.stat().st_size / 1e6:.0f} MB")
    return True


def mount(*args):
    subprocess.run(["mount", *args], check=True)


def prepare(rootfs: Path):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    mount("-t", "proc", "proc", str(rootfs / "proc"))
    mount("-t", "tmpfs", "tmpfs", str(rootfs / "tmp"))
    mount("-t", "tmpfs", "tmpfs", str(rootfs / "dev"))
    for device in ("null", "zero", "random", "urandom"):
        (rootfs / "dev" / device).touch()
        mount("--bind", f"/dev/{device}", str(rootfs / "dev" / device))


def get(path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:8080{path}", timeout=5) as response:
        return json.loads(response.read() or b"null")


def post(path: str, body: dict):
    request = urllib.request.Request(f"http://127.0.0.1:8080{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def await_ready(server: subprocess.Popen):
    """Waits until the runtime in the namespace answers ready."""
    deadline = time.monotonic() + TRAINING_TIMEOUT_S
    while True:
        if server.poll() is not None:
            sys.exit(f"aot_cache: the runtime exited with {server.returncode} before it was ready")
        try:
            get("/v2/health/ready")
            return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("aot_cache: the runtime was not ready in time")
            time.sleep(0.05)


def exercise_runtime(server: subprocess.Popen):
    """Waits for the model to be ready, then asks what clients, probes and scrapes ask."""
    await_ready(server)
    get("/v2")
    metadata = get(f"/v2/models/{MODEL}")
    inputs = [{"name": i["name"], "datatype": i["datatype"], "shape": [d if d > 0 else 1 for d in i["shape"]],
               "data": [0] * math.prod(d if d > 0 else 1 for d in i["shape"])} for i in metadata["inputs"]]
    for _ in range(20):
        post(f"/v2/models/{MODEL}/infer", {"inputs": inputs})
    for path in ("/q/metrics", f"/v2/models/{MODEL}/drift", "/v2/health/live"):
        urllib.request.urlopen(f"http://127.0.0.1:8080{path}", timeout=5).read()


def training_environment() -> dict:
    """The runtime serves the image's demo model on the namespace's loopback and stops at once on
    SIGTERM; the operator's client fails at once instead of waiting on a name no resolver answers."""
    return {"PATH": "/opt/java/bin:/usr/bin:/bin", "JAVA_HOME": "/opt/java", "HOME": "/tmp",
            "QUARKUS_HTTP_HOST": "127.0.0.1", "MODELOPS_DRAIN_DELAY": "0s",
            "MODELOPS_MODEL_NAME": MODEL, "MODELOPS_MODEL_PATH": "/models/iris.onnx",
            "KUBERNETES_MASTER": "https://127.0.0.1:1"}


def train(rootfs: Path, kind: str, entrypoint: list):
    prepare(rootfs)
    java, options = entrypoint[0], entrypoint[1:]
    server = subprocess.Popen([java, f"-XX:AOTCacheOutput={CACHE}", *options], env=training_environment(),
                              preexec_fn=lambda: (os.chroot(rootfs), os.chdir("/tmp")))
    try:
        if kind == "runtime":
            exercise_runtime(server)
            server.send_signal(signal.SIGTERM)
        # The operator stops by itself once its client finds no API server.
        server.wait(timeout=TRAINING_TIMEOUT_S)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    train(Path(sys.argv[1]), sys.argv[2], sys.argv[3:])
