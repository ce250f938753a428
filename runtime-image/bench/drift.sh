#!/usr/bin/env bash
# What drift recording costs (not a test): DriftCost.java in process, then the packaged runtime
# serving the mlp at concurrency 1 with drift off and on (twice each, alternating), with wrk.
# usage: runtime-image/bench/drift.sh [SECONDS_PER_POINT]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
SECONDS_PER_POINT="${1:-10}"
WORK="runtime-image/target/bench"
mkdir -p "$WORK/drift-classes"
say() { printf '[bench] %s\n' "$*" >&2; }
[[ -f runtime-image/target/quarkus-app/quarkus-run.jar ]] || ./mvnw -B -ntp -q -pl runtime-image -am package -DskipTests
# compile: without a phase, the reactor cannot hand drift-stats to runtime-image (not installed)
./mvnw -B -ntp -q -pl runtime-image -am compile dependency:build-classpath -Dspotless.check.skip=true \
  -Dmdep.outputFile="$PWD/$WORK/classpath.txt" >/dev/null
CP="runtime-image/target/classes:drift-stats/target/classes:$(cat "$WORK/classpath.txt")"
javac -d "$WORK/drift-classes" -cp "$CP" runtime-image/bench/DriftCost.java
for features in 4 100; do
  for rows in 1 32; do
    java -cp "$WORK/drift-classes:$CP" dev.modelops.runtime.drift.DriftCost "$features" "$rows" 3
  done
done

command -v wrk >/dev/null || { say "installing wrk (Debian package)"; apt-get install -y -qq wrk >/dev/null; }
python3 runtime-image/bench/make_bodies.py "$WORK/bodies" >/dev/null
python3 runtime-image/models/make_models.py "$WORK/models" >/dev/null
PORT=18501
PID=""
stop() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; PID=""; }
trap stop EXIT
for round in 1 2; do
  for drift in off on; do
    baseline=""
    [[ $drift == on ]] && baseline="runtime-image/src/test/resources/drift/mlp-baseline.json"
    MODELOPS_MODEL_NAME=mlp MODELOPS_MODEL_PATH="$WORK/models/mlp.onnx" MODELOPS_BASELINE="$baseline" \
      QUARKUS_HTTP_PORT=$PORT QUARKUS_LOG_LEVEL=WARN java --add-opens java.base/java.lang=ALL-UNNAMED \
      --enable-native-access=ALL-UNNAMED -jar runtime-image/target/quarkus-app/quarkus-run.jar \
      >"$WORK/server-drift-$drift.log" 2>&1 &
    PID=$!
    for _ in $(seq 200); do curl -fs "localhost:$PORT/v2/health/ready" >/dev/null && break; sleep 0.2; done
    for protocol in json binary; do
      body="$WORK/bodies/mlp.$protocol" header=""
      [[ $protocol == binary ]] && header="$(cat "$body.header")"
      BODY_FILE="$body" HEADER_LENGTH="$header" wrk -t1 -c1 -d2s -s runtime-image/bench/post.lua \
        "http://127.0.0.1:$PORT/v2/models/mlp/infer" >/dev/null
      out="$(BODY_FILE="$body" HEADER_LENGTH="$header" wrk -t1 -c1 -d"${SECONDS_PER_POINT}s" --latency \
        -s runtime-image/bench/post.lua "http://127.0.0.1:$PORT/v2/models/mlp/infer")"
      samples="$(curl -fs "localhost:$PORT/v2/models/mlp/drift" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r.get("samples","-"), r.get("droppedSamples","-"))')"
      printf '| %s | drift %s | %s | %s | %s | %s | %s |\n' "$round" "$drift" "$protocol" \
        "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" \
        "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" "$samples"
    done
    stop
  done
done
