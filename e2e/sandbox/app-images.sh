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
  stale=false
  for source in "$jar" runtime-image/image/*.py runtime-image/image/java-options; do [[ "$source" -nt "$index" ]] && stale=true; done
  if [[ ! -f "$index" ]] || $stale; then
    echo "[images] building the $kind image (build_image.py, offline)" >&2
    log="$module/target/image-build.log"
    if ! python3 runtime-image/image/build_image.py --kind "$kind" --java-home "$JAVA_HOME" > "$log" 2>&1; then
      echo "[images] the $kind image did not build; the end of $log:" >&2
      tail -n 40 "$log" >&2
      exit 1
    fi
    grep -F -e 'AOT cache:' -e 'OCI image layout' "$log" >&2
  fi
  echo "$PWD/$module/target/image/oci"
done
