#!/usr/bin/env bash
# Builds the runtime's and the operator's images offline (runtime-image/image/build_image.py) from
# their packaged jars, when an image is missing or older than its jar; prints the OCI layouts'
# directories, runtime first. The real node loads them (start.sh --load-image).
# Usage: app-images.sh [runtime|operator ...]   (both by default; each module's package phase
# builds its own, so the e2e tests usually find them fresh)
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
kinds=("$@")
((${#kinds[@]})) || kinds=(runtime operator)
for kind in "${kinds[@]}"; do
  case "$kind" in
    runtime) module=runtime-image ;;
    operator) module=operator ;;
    *) echo "[images] unknown image '$kind': say runtime or operator" >&2; exit 2 ;;
  esac
  jar="$module/target/quarkus-app/quarkus-run.jar"
  index="$module/target/image/oci/index.json"
  [[ -f "$jar" ]] || { echo "[images] $jar is missing: build it with ./mvnw -pl $module -am package" >&2; exit 1; }
  # One build of an image at a time: test classes running in parallel, the demo beside them and
  # the module's own build wait here; the two images build side by side.
  exec 9>"$module/target/image.lock"
  flock 9
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
  exec 9>&-
  echo "$PWD/$module/target/image/oci"
done
