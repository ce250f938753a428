#!/usr/bin/env python3
"""Builds the example trainer's container image offline, as an OCI image layout, without Docker.

The image is FROM scratch, made as the runtime's is (runtime-image/image/build_image.py, whose
library and layout functions this uses): the Python interpreter that runs this script and its
standard library (at the same paths as on this machine, without tests, IDLE, Tk and caches), the
packages of requirements.txt installed from PyPI (pip, cached in $MODELOPS_CACHE/trainer), the C
libraries ldd lists for all of them, this machine's CA certificates, train.py, and a non-root user
10001. Its entrypoint is train.py.

Usage: build_image.py [--out DIR] [--tag 0.1.0]
"""
import argparse
import hashlib
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
_spec = importlib.util.spec_from_file_location("build_image", REPO / "runtime-image/image/build_image.py")
build_image = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_image)

CACHE = Path(os.environ.get("MODELOPS_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "modelops")
APP = Path("/opt/trainer")
# This machine's CA certificates, for a reference model or data behind https.
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# Never imported by a trainer: the standard library's tests, IDLE, Tk, build files, pip's bootstrap.
STDLIB_LEFT_OUT = ["test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "pydoc_data",
                   "site-packages", "dist-packages", "config-*", "__pycache__", "_tkinter*", "_test*",
                   "_xxtestfuzz*", "xxlimited*", "_ctypes_test*"]
# In the installed packages: their tests (onnx's backend test data is 15 MB), C headers, type stubs.
PACKAGES_LEFT_OUT = ["tests", "test", "include", "__pycache__", "*.pyi", "*.pxd", "*.h", "py.typed"]


def site_packages() -> Path:
    """requirements.txt installed for this interpreter, once per requirements and Python version."""
    requirements = HERE / "requirements.txt"
    key = hashlib.sha256(requirements.read_bytes() + f"{sys.version} {platform.machine()}".encode()).hexdigest()[:12]
    target = CACHE / "trainer" / f"site-packages-{key}"
    if target.is_dir():
        return target
    build_image.step(f"pip: {', '.join(l for l in requirements.read_text().split() if '==' in l)} into {target}")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "--no-compile", "--only-binary=:all:", "--target", str(partial),
                          "--cache-dir", str(CACHE / "pip"), "-r", str(requirements)],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        sys.exit(f"build_image: pip could not install {requirements}:\n{pip.stdout}{pip.stderr}")
    shutil.rmtree(partial / "bin", ignore_errors=True)
    os.replace(partial, target)
    return target


def copy_tree(source: Path, dest: Path, left_out):
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(*left_out))


def strip_debug_info(prefix: Path):
    """A Python built from source (pyenv) keeps its debug information: 20 MB that no Job needs."""
    if not shutil.which("strip"):
        build_image.step("no strip on this machine (binutils): the interpreter keeps its debug information")
        return
    elf = [p for p in sorted(prefix.rglob("*")) if p.is_file() and not p.is_symlink() and p.read_bytes()[:4] == b"\x7fELF"]
    subprocess.run(["strip", "--strip-debug", *map(str, elf)], check=True)


def build_rootfs(rootfs: Path, packages: Path):
    if rootfs.exists():
        shutil.rmtree(rootfs)
    rootfs.mkdir(parents=True)
    python = Path(sys.executable).resolve()
    stdlib = Path(sysconfig.get_path("stdlib"))
    build_image.step(f"Python {platform.python_version()}: {python} and {stdlib}")
    build_image.copy_with_links(str(python), rootfs)
    copy_tree(stdlib, rootfs / stdlib.relative_to("/"), STDLIB_LEFT_OUT)
    dynload = Path(sysconfig.get_path("platstdlib")) / "lib-dynload"
    if not (rootfs / dynload.relative_to("/")).is_dir():
        copy_tree(dynload, rootfs / dynload.relative_to("/"), STDLIB_LEFT_OUT)
    build_image.step("the packages and train.py")
    copy_tree(packages, rootfs / APP.relative_to("/") / "site-packages", PACKAGES_LEFT_OUT)
    shutil.copy2(HERE / "train.py", rootfs / APP.relative_to("/") / "train.py")
    build_image.step("C libraries of the interpreter and the packages' extensions (ldd)")
    binaries = [python, *sorted(rootfs.rglob("*.so")), *sorted(rootfs.rglob("*.so.*"))]
    for lib in build_image.shared_libraries(binaries):
        if not lib.startswith(str(rootfs)):
            build_image.copy_with_links(lib, rootfs)
    build_image.copy_with_links("/lib64/ld-linux-x86-64.so.2", rootfs)
    strip_debug_info(rootfs / Path(sys.base_prefix).relative_to("/"))
    if Path(CA_BUNDLE).is_file():
        build_image.copy_with_links(CA_BUNDLE, rootfs)
    uid = build_image.UID
    (rootfs / "etc").mkdir(exist_ok=True)
    (rootfs / "etc" / "passwd").write_text(f"root:x:0:0:root:/root:/sbin/nologin\ntrainer:x:{uid}:{uid}:modelops-trainer:/tmp:/sbin/nologin\n")
    (rootfs / "etc" / "group").write_text(f"root:x:0:\ntrainer:x:{uid}:\n")
    for d in ("tmp", "dev", "proc"):
        (rootfs / d).mkdir(exist_ok=True)
    os.chmod(rootfs / "tmp", 0o1777)
    return python


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=HERE / "target" / "image", help="where the rootfs and the OCI layout go")
    p.add_argument("--tag", default="0.1.0")
    args = p.parse_args()
    python = build_rootfs(args.out / "rootfs", site_packages())
    image_config = {
        "User": f"{build_image.UID}:{build_image.UID}",
        "Env": [f"PATH={python.parent}:/usr/bin:/bin", f"PYTHONPATH={APP}/site-packages",
                # The image's files are root's: no bytecode cache to write, no user site to read.
                "PYTHONDONTWRITEBYTECODE=1", "PYTHONNOUSERSITE=1", f"SSL_CERT_FILE={CA_BUNDLE}"],
        "Entrypoint": [str(python), str(APP / "train.py")],
        "WorkingDir": "/tmp",
        "Labels": {"org.opencontainers.image.title": "modelops-trainer",
                   "org.opencontainers.image.description": "the example retraining Job of modelops: softmax regression with numpy, to ONNX"},
    }
    build_image.step("layer tar")
    oci = args.out / "oci"
    digest, compressed = build_image.write_oci_layout(args.out / "rootfs", oci, image_config, f"docker.io/modelops/trainer:{args.tag}")
    build_image.step(f"OCI image layout in {oci}: {compressed / 1e6:.1f} MB compressed, manifest {digest}")


if __name__ == "__main__":
    main()
