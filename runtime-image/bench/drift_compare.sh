#!/usr/bin/env bash
# Drift detection against Evidently and Alibi Detect (not a test): false alarm rate on stationary
# streams and detection delay after a 0.5 and a 1.5 standard-deviation shift, windows of 200 and
# 5000 rows. modelops scores with its own code (the runtime's baseline command, DriftCompare.java
# on the runtime's windows and the operator's DriftRule); the Python libraries live in a virtualenv
# outside the repository (DRIFT_BENCH_VENV, default ~/.cache/modelops/bench-venv).
# usage: runtime-image/bench/drift_compare.sh [drift_compare.py options, e.g. --streams 5]
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
WORK="runtime-image/target/bench"
VENV="${DRIFT_BENCH_VENV:-$HOME/.cache/modelops/bench-venv}"
mkdir -p "$WORK/drift-compare-classes"
say() { printf '[bench] %s\n' "$*" >&2; }

[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r runtime-image/bench/requirements-drift.txt >&2
if [[ ! -f runtime-image/target/quarkus-app/quarkus-run.jar || ! -d operator/target/classes ]]; then
  say "building drift-stats, operator and runtime-image"
  ./mvnw -B -ntp -q -pl drift-stats,operator,runtime-image package -DskipTests -Dspotless.check.skip=true
fi
# compile: without a phase, the reactor cannot hand drift-stats to runtime-image (not installed)
./mvnw -B -ntp -q -pl runtime-image -am compile dependency:build-classpath -Dspotless.check.skip=true \
  -Dmdep.outputFile="$PWD/$WORK/classpath.txt" >/dev/null
CP="runtime-image/target/classes:drift-stats/target/classes:operator/target/classes:$(cat "$WORK/classpath.txt")"
javac -d "$WORK/drift-compare-classes" -cp "$CP" runtime-image/bench/DriftCompare.java

echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1)"
echo "python: $("$VENV/bin/python" --version 2>&1); $("$VENV/bin/pip" list --disable-pip-version-check 2>/dev/null |
  awk '$1 ~ /^(evidently|alibi-detect|numpy|scipy|pandas)$/ {printf "%s%s %s", sep, $1, $2; sep = ", "}')"
echo "command: runtime-image/bench/drift_compare.sh $*"
start=$(date +%s)
"$VENV/bin/python" runtime-image/bench/drift_compare.py --work "$WORK/drift-compare" \
  --java-cp "$WORK/drift-compare-classes:$CP" --runtime-jar runtime-image/target/quarkus-app/quarkus-run.jar "$@"
echo "took $(( $(date +%s) - start )) s"
