#!/usr/bin/env bash
# The runtime benchmark (not a test): requests/s and p50/p99 latency at concurrency 1, 16 and 64,
# JSON and binary, on the MLP, a mid-size CNN and a wide MLP (42 MB of weights), for
#   raw ONNX Runtime Java in process (the limit), the modelops runtime with batching off and on,
#   and a hand-written Python onnxruntime + FastAPI server (JSON only).
# Everything runs on this machine over loopback; the load generator (wrk) shares its cores.
# usage: runtime-image/bench/run.sh [SECONDS_PER_POINT]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
SECONDS_PER_POINT="${1:-5}"
source runtime-image/bench/prepare.sh
say() { printf '[bench] %s\n' "$*" >&2; }

bench_prepare runtime-image/bench/requirements.txt
ORT_JAR="$(ls runtime-image/target/quarkus-app/lib/main/com.microsoft.onnxruntime.onnxruntime-*.jar)"
JAVA_FLAGS=(--add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)

declare -A INPUT=([mlp]=input [cnn]=image [wide]=features) SHAPE=([mlp]=1,4 [cnn]=1,3,64,64 [wide]=1,1024)
PORT=18500
PID=""
stop() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; PID=""; }
trap stop EXIT
wait_ready() {
  for _ in $(seq 200); do curl -fs "localhost:$PORT/v2/health/ready" >/dev/null && return; sleep 0.2; done
  say "server on $PORT did not become ready"; exit 1
}
# "sum count" of the runtime's own request timer (decode, validate, infer, encode: the time inside
# the server's handler, without HTTP parsing and socket I/O); nothing for the Python server.
handler_time() {
  curl -fs "localhost:$PORT/q/metrics" 2>/dev/null |
    awk '/^modelops_inference_request_duration_seconds_sum/ {s += $NF} /^modelops_inference_request_duration_seconds_count/ {c += $NF} END {if (c) print s, c}' ||
    true
}
point() { # SYSTEM MODEL PROTOCOL CONCURRENCY
  local body="$WORK/bodies/$2.$3" header="" threads=$(( $4 > 1 ? 2 : 1 )) out before after handler="-"
  [[ $3 == binary ]] && header="$(cat "$body.header")"
  BODY_FILE="$body" HEADER_LENGTH="$header" wrk -t"$threads" -c"$4" -d1s -s runtime-image/bench/post.lua \
    "http://127.0.0.1:$PORT/v2/models/$2/infer" >/dev/null
  before="$(handler_time)"
  out="$(BODY_FILE="$body" HEADER_LENGTH="$header" wrk -t"$threads" -c"$4" -d"${SECONDS_PER_POINT}s" --latency \
    -s runtime-image/bench/post.lua "http://127.0.0.1:$PORT/v2/models/$2/infer")"
  after="$(handler_time)"
  if [[ -n "$before" && -n "$after" ]]; then
    handler="$(awk -v b="$before" -v a="$after" 'BEGIN {split(b, x, " "); split(a, y, " "); if (y[2] > x[2]) printf "%.0fus", (y[1] - x[1]) / (y[2] - x[2]) * 1e6; else print "-"}')"
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" \
    "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$handler" "$(awk '/Non-2xx/ {print $NF} END {}' <<<"$out" | grep . || echo 0)"
}

# A request that does no inference: the same server answering GET /v2/health/live (no body, no
# model, through JAX-RS and SmallRye Health) under the same wrk, at concurrency 1 and 64.
floor() { # CONCURRENCY
  local out threads=$(( $1 > 1 ? 2 : 1 ))
  wrk -t"$threads" -c"$1" -d1s "http://127.0.0.1:$PORT/v2/health/live" >/dev/null
  out="$(wrk -t"$threads" -c"$1" -d"${SECONDS_PER_POINT}s" --latency "http://127.0.0.1:$PORT/v2/health/live")"
  printf '| modelops, GET /v2/health/live (no inference) | - | - | %s | %s | %s | %s | - | 0 |\n' "$1" \
    "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}

echo "| system | model | protocol | concurrency | requests/s | p50 | p99 | mean in handler | non-2xx |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for model in ${MODELS:-mlp cnn wide}; do
  for c in 1 16 64; do
    say "raw ONNX Runtime Java, $model, concurrency $c"
    r="$(java "${JAVA_FLAGS[@]}" -cp "$ORT_JAR" runtime-image/bench/RawOrt.java "$WORK/models/$model.onnx" "${INPUT[$model]}" "${SHAPE[$model]}" "$c" "$SECONDS_PER_POINT" 2>/dev/null)"
    printf '| raw ORT Java (in process) | %s | - | %s | %s |\n' "$model" "$c" "$(echo "$r" | awk '{printf "%s | %sus | %sus | - | %s", $1, $2, $3, $4}')"
  done
  # What batching can gain at most on this machine: 32 rows per run on two threads (the server's
  # two model runners), in rows/s; p50 and p99 are per run of 32.
  say "raw ONNX Runtime Java, $model, 32 rows per run"
  r="$(java "${JAVA_FLAGS[@]}" -cp "$ORT_JAR" runtime-image/bench/RawOrt.java "$WORK/models/$model.onnx" "${INPUT[$model]}" "32,${SHAPE[$model]#1,}" 2 "$SECONDS_PER_POINT" 2>/dev/null)"
  printf '| raw ORT Java (in process), 32 rows per run, rows/s | %s | - | 2 | %s |\n' "$model" "$(echo "$r" | awk '{printf "%.0f | %sus | %sus | - | %s", $1 * 32, $2, $3, $4}')"
  for batch in 1 32; do
    label="modelops, batching $([[ $batch == 1 ]] && echo off || echo "on ($batch, 2ms)")"
    say "$label, $model"
    MODELOPS_MODEL_NAME=$model MODELOPS_MODEL_PATH="$WORK/models/$model.onnx" MODELOPS_BATCHING_MAX_BATCH_SIZE=$batch \
      QUARKUS_HTTP_PORT=$PORT QUARKUS_LOG_LEVEL=WARN java "${JAVA_FLAGS[@]}" -jar runtime-image/target/quarkus-app/quarkus-run.jar serve \
      >"$WORK/server-$model-$batch.log" 2>&1 &
    PID=$!
    wait_ready
    for protocol in json binary; do
      for c in 1 16 64; do point "$label" "$model" "$protocol" "$c"; done
    done
    [[ $model == mlp && $batch == 1 ]] && floor 1 && floor 64
    stop
  done
  say "Python onnxruntime + FastAPI, $model"
  (cd runtime-image/bench && MODEL_PATH="../../$WORK/models/$model.onnx" MODEL_NAME=$model \
    exec python3 -m uvicorn python_server:app --port "$PORT" --log-level warning) >"$WORK/python-$model.log" 2>&1 &
  PID=$!
  wait_ready
  for c in 1 16 64; do point "Python FastAPI + onnxruntime" "$model" json "$c"; done
  stop
done
