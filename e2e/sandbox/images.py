#!/usr/bin/env python3
"""Builds the sandbox's own container images offline, as OCI image layouts: each is one static Go
binary from the sandbox build (pause, CoreDNS, the model file server, the pod lister of the
sandbox's Prometheus) on an empty root, run as a
non-root user. The layout is written as the runtime's image is (runtime-image/image/build_image.py).
With --binary, one image of a program installed on this machine (Debian's Prometheus), with the
shared libraries ldd finds for it.

Usage: images.py --bin DIR --out DIR
       images.py --binary PATH --name IMAGE [--port 9090/tcp] --out DIR
"""
import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("build_image", REPO / "runtime-image/image/build_image.py")
build_image = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_image)

# name -> (binary, entrypoint arguments, exposed ports). The names are those the sandbox's
# manifests and containerd's sandbox_image use.
IMAGES = {
    "sandbox.modelops.dev/pause:1": ("pause", [], []),
    "sandbox.modelops.dev/coredns:1": ("coredns", [], ["53/udp", "53/tcp"]),
    "sandbox.modelops.dev/model-files:1": ("sandbox-files", [], ["8080/tcp"]),
    "sandbox.modelops.dev/pod-sd:1": ("sandbox-pod-sd", [], []),
}
USER = 65532


def libraries(binary: Path) -> list:
    """The shared libraries and the loader a dynamically linked binary needs; none for a static one."""
    run = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
    if run.returncode != 0:
        return []  # "not a dynamic executable"
    found = []
    for line in run.stdout.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) > parts.index("=>") + 1:
            found.append(Path(parts[parts.index("=>") + 1]))
        elif parts and parts[0].startswith("/"):
            found.append(Path(parts[0]))
    missing = [p for p in found if not p.exists()]
    if missing:
        sys.exit(f"images.py: {binary} needs {missing}, which this machine does not have")
    return found


def image(binary: Path, name: str, args: list, ports: list, out: Path):
    with tempfile.TemporaryDirectory() as tmp:
        rootfs = Path(tmp) / "rootfs"
        (rootfs / "bin").mkdir(parents=True)
        shutil.copy2(binary, rootfs / "bin" / binary.name)
        for lib in libraries(binary):
            target = rootfs / lib.relative_to("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(lib.resolve(), target)
        (rootfs / "etc").mkdir()
        (rootfs / "etc" / "passwd").write_text(f"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:{USER}:{USER}::/tmp:/sbin/nologin\n")
        (rootfs / "etc" / "group").write_text(f"root:x:0:\nnonroot:x:{USER}:\n")
        (rootfs / "tmp").mkdir()
        build_image.write_oci_layout(
            rootfs, out, {"User": f"{USER}:{USER}", "Entrypoint": [f"/bin/{binary.name}", *args],
                          "ExposedPorts": {p: {} for p in ports}, "WorkingDir": "/tmp",
                          "Labels": {"org.opencontainers.image.title": name}}, name)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", help="the sandbox's binaries (build.sh prints it)")
    p.add_argument("--binary", type=Path, help="one program of this machine to make an image of")
    p.add_argument("--name", help="the image's name, with --binary")
    p.add_argument("--port", action="append", default=[], help="a port the image exposes, with --binary")
    p.add_argument("--out", required=True, help="one OCI layout per image goes here, named after the image")
    args = p.parse_args()
    if args.binary:
        if not args.name:
            p.error("--binary needs --name")
        image(args.binary, args.name, [], args.port, Path(args.out) / args.binary.name)
        print(f"[sandbox] image {args.name} from {args.binary}", file=sys.stderr)
        return
    if not args.bin:
        p.error("give --bin, or --binary with --name")
    for name, (binary, entry_args, ports) in IMAGES.items():
        path = Path(args.bin) / binary
        if not path.exists():
            sys.exit(f"images.py: {path} is missing; run e2e/sandbox/build.sh")
        image(path, name, entry_args, ports, Path(args.out) / binary)
        print(f"[sandbox] image {name} from {binary}", file=sys.stderr)


if __name__ == "__main__":
    main()
