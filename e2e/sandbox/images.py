#!/usr/bin/env python3
"""Builds the sandbox's own container images offline, as OCI image layouts: each is one static Go
binary from the sandbox build (pause, CoreDNS, the model file server) on an empty root, run as a
non-root user. The layout is written as the runtime's image is (runtime-image/image/build_image.py).

Usage: images.py --bin DIR --out DIR
"""
import argparse
import importlib.util
import shutil
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
}
USER = 65532


def image(binary: Path, name: str, args: list, ports: list, out: Path):
    with tempfile.TemporaryDirectory() as tmp:
        rootfs = Path(tmp) / "rootfs"
        (rootfs / "bin").mkdir(parents=True)
        shutil.copy2(binary, rootfs / "bin" / binary.name)
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
    p.add_argument("--bin", required=True, help="the sandbox's binaries (build.sh prints it)")
    p.add_argument("--out", required=True, help="one OCI layout per image goes here, named after the image")
    args = p.parse_args()
    for name, (binary, entry_args, ports) in IMAGES.items():
        path = Path(args.bin) / binary
        if not path.exists():
            sys.exit(f"images.py: {path} is missing; run e2e/sandbox/build.sh")
        image(path, name, entry_args, ports, Path(args.out) / binary)
        print(f"[sandbox] image {name} from {binary}", file=sys.stderr)


if __name__ == "__main__":
    main()
