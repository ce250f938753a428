#!/usr/bin/env bash
# Builds the runtime's and the operator's images offline (runtime-image/image/build_image.py) from
# their packaged jars, when an image is missing or older than its jar; prints the two OCI layouts'
# directories, runtime first. The real node loads them (start.sh --load-image).
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
# One build at a time: test classes running in parallel, and the demo beside them, wait here.
mkdir -p runtime-image/target
exec 9>runtime-image/target/app-images.lock
flock 9
for kind in runtime operator; do
  module=operator
  [[ $kind == runtime ]] && module=runtime-image
  jar="$module/target/quarkus-app/quarkus-run.jar"
  index="$module/target/image/oci/index.json"
  [[ -f "$jar" ]] || { echo "[images] $jar is missing: build it with ./mvnw -pl $module -am package" >&2; exit 1; }
  if [[ ! -f "$index" || "$jar" -nt "$index" || runtime-image/image/build_image.py -nt "$index" ]]; then
    echo "[images] building the $kind image (build_image.py, offline)" >&2
    python3 runtime-image/image/build_image.py --kind "$kind" --java-home "$JAVA_HOME" 2>&1 | grep -F 'OCI image layout' >&2
  fi
  echo "$PWD/$module/target/image/oci"
done
