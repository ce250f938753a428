#!/usr/bin/env bash
# Builds the operator and the runtime with Maven when their packaged jars are missing or older
# than their sources, then their images (build_image.py) when older than the jars; prints nothing
# to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
stale() { # MODULE
  local jar="$1/target/quarkus-app/quarkus-run.jar"
  [[ ! -f "$jar" ]] || [[ -n "$(find "$1/src/main" "$1/pom.xml" pom.xml -newer "$jar" -print -quit)" ]]
}
modules=()
stale operator && modules+=(operator)
stale runtime-image && modules+=(runtime-image)
if ((${#modules[@]} == 0)); then
  echo "[demo] operator and runtime are up to date" >&2
else
  echo "[demo] building ${modules[*]} (about a minute)" >&2
  ./mvnw -B -ntp -q -pl "$(IFS=,; echo "${modules[*]}")" -am package -DskipTests -Dspotless.check.skip=true -Dspotless.apply.skip=true >&2
fi
e2e/sandbox/app-images.sh >/dev/null
