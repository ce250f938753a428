#!/usr/bin/env python3
"""Builds the sandbox's own container images offline, as OCI image layouts: each is one static Go
binary from the sandbox build (pause, CoreDNS, the model file server) on an empty root, run as a
non-root user. The layers are made as the runtime's image is (runtime-image/image/build_image.py).

Usage: images.py --bin DIR --out DIR
"""
import argparse
import hashlib
import importlib.util
import json
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
        uncompressed, compressed = build_image.layer(rootfs)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    layer_digest = build_image.blob(out, compressed)
    config = {
        "architecture": "amd64", "os": "linux",
        "config": {"User": f"{USER}:{USER}", "Entrypoint": [f"/bin/{binary.name}", *args],
                   "ExposedPorts": {p: {} for p in ports}, "WorkingDir": "/tmp",
                   "Labels": {"org.opencontainers.image.title": name}},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(uncompressed).hexdigest()]},
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    manifest = {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": build_image.blob(out, config_bytes), "size": len(config_bytes)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                    "size": len(compressed)}],
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": manifest["mediaType"], "digest": build_image.blob(out, manifest_bytes),
                            "size": len(manifest_bytes),
                            "annotations": {"io.containerd.image.name": name,
                                            "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}}]}
    (out / "index.json").write_text(json.dumps(index, sort_keys=True))
    (out / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))


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
