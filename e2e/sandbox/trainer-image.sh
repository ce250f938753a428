#!/usr/bin/env bash
# Builds the example trainer's image offline (examples/trainer/build_image.py) when it is missing or
# older than train.py, its build or its requirements; prints its OCI layout's directory, for
# start.sh --load-image. Only clusters that run the trainer load it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/sandbox/lib.sh
mkdir -p examples/trainer/target
# One build at a time: test classes running in parallel wait here.
exec 9>examples/trainer/target/image.lock
flock 9
index=examples/trainer/target/image/oci/index.json
for source in examples/trainer/train.py examples/trainer/build_image.py examples/trainer/requirements.txt \
  runtime-image/image/build_image.py; do
  if [[ ! -f "$index" || "$source" -nt "$index" ]]; then
    say "building the trainer image (examples/trainer/build_image.py, offline but for pip's first download)"
    python3 examples/trainer/build_image.py 2>&1 | grep -E 'OCI image layout|^build_image|pip' >&2 ||
      die "building the trainer image failed: run python3 examples/trainer/build_image.py to see why"
    break
  fi
done
[[ -f "$index" ]] || die "the trainer image was not built: run python3 examples/trainer/build_image.py to see why"
echo "$PWD/examples/trainer/target/image/oci"
