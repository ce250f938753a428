#!/usr/bin/env python3
"""Builds the runtime's or the operator's container image offline, as an OCI image layout, without Docker.

The image is FROM scratch: a jlink'd Java runtime, the C libraries it (and for the runtime, ONNX
Runtime) links against (copied from this machine, found with ldd), the Quarkus application, for the
runtime a demo model at /models/iris.onnx, and a non-root user 10001. The layout can be pushed with
skopeo or crane:
  skopeo copy oci:runtime-image/target/image/oci:0.1.0 docker://REGISTRY/modelops/runtime:0.1.0

Usage: build_image.py [--kind runtime|operator] --java-home DIR [--app DIR] [--out DIR]
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# Beside this file; also when another build loads this one as a library (examples/trainer).
sys.path.insert(0, str(Path(__file__).resolve().parent))
import aot_cache  # noqa: E402

MODULES = [
    "java.base", "java.compiler", "java.desktop", "java.instrument", "java.logging", "java.management",
    "java.naming", "java.net.http", "java.security.jgss", "java.sql", "java.transaction.xa", "java.xml",
    "jdk.crypto.ec", "jdk.management", "jdk.naming.dns", "jdk.net", "jdk.unsupported", "jdk.zipfs",
]
UID = 10001
REPO = Path(__file__).resolve().parents[2]
# What differs between the two images; everything else is built the same way.
KINDS = {
    "runtime": {"title": "modelops-runtime", "description": "KServe V2 inference server on ONNX Runtime Java",
                "user": "runtime", "cmd": ["serve"], "app": "runtime-image/target/quarkus-app",
                "out": "runtime-image/target/image", "model": "runtime-image/src/test/resources/models/mlp.onnx"},
    "operator": {"title": "modelops-operator", "description": "the modelops Kubernetes operator",
                 "user": "operator", "cmd": [], "app": "operator/target/quarkus-app",
                 "out": "operator/target/image", "model": None},
}
GRAPHICS = r"awt|font|lcms|jsound|splash|jpeg|mlib"
# The entrypoint's JVM options, kept in a file of their own so the tests of the packaged runtime use
# the same ones.
JAVA_OPTS = [line.strip() for line in (Path(__file__).resolve().parent / "java-options").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]


def step(message):
    print(f"[image] {message}", file=sys.stderr, flush=True)


def jlink(java_home: Path, dest: Path):
    available = subprocess.run([str(java_home / "bin" / "java"), "--list-modules"], check=True, capture_output=True, text=True).stdout
    present = {line.split("@")[0] for line in available.splitlines()}
    modules = [m for m in MODULES if m in present]
    subprocess.run([str(java_home / "bin" / "jlink"), "--add-modules", ",".join(modules), "--strip-debug", "--no-header-files",
                    "--no-man-pages", "--compress", "zip-6", "--output", str(dest)], check=True)


def shared_libraries(binaries):
    """Every library the binaries load, by absolute path, with the dynamic loader."""
    libs = set()
    for binary in binaries:
        out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.search(r"=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(", line)
            if m:
                libs.add(m.group(1))
    return sorted(libs)


def copy_with_links(path: str, rootfs: Path):
    """Copies a file into rootfs at the same path, and the symlinks that lead to it."""
    source = Path(path)
    while True:
        target = rootfs / source.relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            link = os.readlink(source)
            if not target.exists() and not target.is_symlink():
                os.symlink(link, target)
            # Follow the link without resolving the directories on the way: /lib may itself be a
            # link to usr/lib, and the image needs the file where the loader will look.
            source = Path(os.path.normpath(source.parent / link)) if not os.path.isabs(link) else Path(link)
            continue
        shutil.copy2(source, target)
        return


def onnxruntime_natives(app: Path, work: Path):
    """The ONNX Runtime natives for Linux x64 in the application's jar; none in the operator."""
    jar = next((app / "lib" / "main").glob("com.microsoft.onnxruntime.onnxruntime*.jar"), None)
    out = []
    if jar is None:
        return out
    with zipfile.ZipFile(jar) as z:
        for name in z.namelist():
            if name.startswith("ai/onnxruntime/native/linux-x64/") and name.endswith(".so"):
                dest = work / Path(name).name
                dest.write_bytes(z.read(name))
                out.append(dest)
    return out


def build_rootfs(args, rootfs: Path):
    if rootfs.exists():
        shutil.rmtree(rootfs)
    rootfs.mkdir(parents=True)
    kind = KINDS[args.kind]
    step("jlink: a Java runtime with the modules the application needs")
    jlink(Path(args.java_home), rootfs / "opt" / "java")
    step("the application")
    shutil.copytree(args.app, rootfs / "app")
    if args.model:
        (rootfs / "models").mkdir()
        shutil.copy2(args.model, rootfs / "models" / "iris.onnx")
    step("C libraries of the JVM and native code in the application (ldd)")
    with tempfile.TemporaryDirectory() as work:
        # Graphics and sound libraries of java.desktop are never loaded by a server: their X11 and ALSA
        # dependencies stay out (java.desktop itself is in for java.beans).
        jdk_libs = [p for p in sorted((rootfs / "opt/java/lib").rglob("*.so")) if not re.search(GRAPHICS, p.name)]
        binaries = [rootfs / "opt/java/bin/java", *jdk_libs, *onnxruntime_natives(Path(args.app), Path(work))]
        for lib in shared_libraries(binaries):
            if not lib.startswith(str(rootfs)):
                copy_with_links(lib, rootfs)
    for loader in ["/lib64/ld-linux-x86-64.so.2"]:
        copy_with_links(loader, rootfs)
    (rootfs / "etc").mkdir(exist_ok=True)
    (rootfs / "etc" / "passwd").write_text(f"root:x:0:0:root:/root:/sbin/nologin\n{kind['user']}:x:{UID}:{UID}:{kind['title']}:/tmp:/sbin/nologin\n")
    (rootfs / "etc" / "group").write_text(f"root:x:0:\n{kind['user']}:x:{UID}:\n")
    for d in ("tmp", "dev", "proc"):
        (rootfs / d).mkdir(exist_ok=True)
    os.chmod(rootfs / "tmp", 0o1777)


def layer(rootfs: Path):
    """A reproducible gzipped tar of rootfs: sorted, owned by root, mtime 0."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(rootfs.rglob("*")):
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(rootfs)))
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            if info.isfile():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    uncompressed = raw.getvalue()
    compressed = gzip.compress(uncompressed, compresslevel=6, mtime=0)
    return uncompressed, compressed


def blob(oci: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    path = oci / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return "sha256:" + digest


def write_oci_layout(rootfs: Path, oci: Path, image_config: dict, name: str):
    """Writes rootfs as a one-layer OCI image layout named name (REPOSITORY:TAG) into oci, with the
    image config's "config" section; returns the manifest's digest and the layer's compressed size.
    containerd imports it under name (io.containerd.image.name); other tools see the tag
    (org.opencontainers.image.ref.name)."""
    if oci.exists():
        shutil.rmtree(oci)
    oci.mkdir(parents=True)
    uncompressed, compressed = layer(rootfs)
    layer_digest = blob(oci, compressed)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": image_config,
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(uncompressed).hexdigest()]},
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_digest = blob(oci, config_bytes)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config_bytes)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": len(compressed)}],
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
    manifest_digest = blob(oci, manifest_bytes)
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": manifest["mediaType"], "digest": manifest_digest, "size": len(manifest_bytes),
                            "annotations": {"org.opencontainers.image.ref.name": name.rsplit(":", 1)[1],
                                            "io.containerd.image.name": name}}]}
    (oci / "index.json").write_text(json.dumps(index, sort_keys=True))
    (oci / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    return manifest_digest, len(compressed)


def entrypoint(with_aot_cache: bool):
    return ["/opt/java/bin/java", *JAVA_OPTS, *([aot_cache.cache_option()] if with_aot_cache else []), "-jar", "/app/quarkus-run.jar"]


def oci_layout(rootfs: Path, oci: Path, tag: str, kind: dict, with_aot_cache: bool):
    step("layer tar")
    image_config = {
        "User": f"{UID}:{UID}",
        "Env": ["PATH=/opt/java/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java"],
        "Entrypoint": entrypoint(with_aot_cache),
        "Cmd": kind["cmd"],
        "WorkingDir": "/tmp",
        "ExposedPorts": {"8080/tcp": {}},
        "Labels": {"org.opencontainers.image.title": kind["title"],
                   "org.opencontainers.image.description": kind["description"]},
    }
    # The name the chart and the operator use by default.
    manifest_digest, compressed = write_oci_layout(rootfs, oci, image_config, f"docker.io/modelops/{kind['user']}:{tag}")
    step(f"OCI image layout in {oci}: {compressed / 1e6:.1f} MB compressed, manifest {manifest_digest}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kind", choices=sorted(KINDS), default="runtime")
    p.add_argument("--java-home", default=os.environ.get("JAVA_HOME"))
    p.add_argument("--app", help="the Quarkus application (default: the kind's target/quarkus-app)")
    p.add_argument("--model", help="the runtime's demo model (default: the test MLP); not for the operator")
    p.add_argument("--out", help="where the rootfs and the OCI layout go (default: the kind's target/image)")
    p.add_argument("--tag", default="0.1.0")
    args = p.parse_args()
    kind = KINDS[args.kind]
    # Defaults are the repository's paths, wherever the script is run from.
    args.app = args.app or REPO / kind["app"]
    args.out = args.out or REPO / kind["out"]
    if args.model and not kind["model"]:
        sys.exit(f"build_image: the {args.kind} image has no model; drop --model")
    args.model = args.model or (kind["model"] and REPO / kind["model"])
    if not args.java_home:
        sys.exit("build_image: set --java-home or JAVA_HOME to a JDK 21+")
    if not (Path(args.app) / "quarkus-run.jar").exists():
        sys.exit(f"build_image: {args.app}/quarkus-run.jar is missing: build it with ./mvnw -pl {Path(kind['app']).parts[0]} package")
    out = Path(args.out)
    build_rootfs(args, out / "rootfs")
    with_aot_cache = False
    if not aot_cache.supported(Path(args.java_home)):
        step("AOT cache skipped: it needs a JDK 25 or later; the image starts without it")
    else:
        with_aot_cache = aot_cache.build(out / "rootfs", args.kind, entrypoint(False) + kind["cmd"], step)
    oci_layout(out / "rootfs", out / "oci", args.tag, kind, with_aot_cache)


if __name__ == "__main__":
    main()
