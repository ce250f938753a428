#!/usr/bin/env bash
# Where the runtime's latency tail comes from (not a test): each model (the mlp unless MODELS
# says), one row per request, JSON and binary, at concurrency 1 and 64, under each of several JVM settings (the garbage collector, the
# heap), with the JVM's GC log on. For each point it prints wrk's p50 and p99, and the GC
# pauses that fell inside the measured seconds (count, total, longest), read from the GC log.
# If the tail is the collector's pauses, the p99 moves with them.
# usage: runtime-image/bench/tail.sh [SECONDS_PER_POINT]   (default 10)
#        SETTINGS="g1|-XX:+UseG1GC zgc|-XX:+UseZGC" runtime-image/bench/tail.sh
#        MODELS="mlp cnn wide" SETTINGS="g1|-XX:+UseG1GC" runtime-image/bench/tail.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
SECONDS_PER_POINT="${1:-10}"
source runtime-image/bench/prepare.sh
PORT=18520
say() { printf '[tail] %s\n' "$*" >&2; }
bench_prepare

# name|JVM options; the heap is what a pod with the default 2 GiB limit gets (MaxRAM 2g, 75%).
SETTINGS="${SETTINGS:-g1|-XX:+UseG1GC serial|-XX:+UseSerialGC parallel|-XX:+UseParallelGC zgc|-XX:+UseZGC g1-young-256m|-XX:+UseG1GC_-Xmn256m}"
PID=""
stop() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; PID=""; }
trap stop EXIT

# GC pauses logged between two uptimes (seconds): "count total_ms max_ms"
pauses() { # LOG FROM TO
  python3 - "$@" <<'PY'
import re, sys
log, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
ms = [float(m.group(2)) for m in (re.match(r"^\[([0-9.]+)s\].*Pause.* ([0-9.]+)ms$", l) for l in open(log))
      if m and start <= float(m.group(1)) <= end]
print(len(ms), f"{sum(ms):.1f}", f"{max(ms, default=0):.2f}")
PY
}
uptime_of() { jcmd "$PID" VM.uptime 2>/dev/null | awk 'NR == 2 {print $1}'; }

echo "| model | JVM | protocol | concurrency | requests/s | p50 | p99 | GC pauses in the run (count, total, longest) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for model in ${MODELS:-mlp}; do
  for setting in $SETTINGS; do
    name="${setting%%|*}"
    read -r -a opts <<<"${setting#*|}"; opts=("${opts[@]//_/ }"); read -r -a opts <<<"${opts[*]}"
    log="$WORK/tail-$model-$name.gc.log"
    MODELOPS_MODEL_NAME=$model MODELOPS_MODEL_PATH="$WORK/models/$model.onnx" MODELOPS_BATCHING_MAX_BATCH_SIZE=1 \
      QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$PORT QUARKUS_LOG_LEVEL=WARN \
      java --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
      -XX:MaxRAM=2g -XX:MaxRAMPercentage=75 "${opts[@]}" "-Xlog:gc:file=$log:uptime" \
      -jar runtime-image/target/quarkus-app/quarkus-run.jar serve >"$WORK/tail-$model-$name.log" 2>&1 &
    PID=$!
    for _ in $(seq 300); do curl -fs "127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.2; done
    for protocol in json binary; do
      body="$WORK/bodies/$model.$protocol" header=""
      [[ $protocol == binary ]] && header="$(cat "$body.header")"
      for c in 1 64; do
        threads=$(( c > 1 ? 2 : 1 ))
        BODY_FILE="$body" HEADER_LENGTH="$header" wrk -t"$threads" -c"$c" -d3s -s runtime-image/bench/post.lua \
          "http://127.0.0.1:$PORT/v2/models/$model/infer" >/dev/null
        from="$(uptime_of)"
        out="$(BODY_FILE="$body" HEADER_LENGTH="$header" wrk -t"$threads" -c"$c" -d"${SECONDS_PER_POINT}s" --latency \
          -s runtime-image/bench/post.lua "http://127.0.0.1:$PORT/v2/models/$model/infer")"
        to="$(uptime_of)"
        read -r n total longest <<<"$(pauses "$log" "$from" "$to")"
        printf '| %s | %s | %s | %s | %s | %s | %s | %s, %s ms, %s ms |\n' "$model" "$name" "$protocol" "$c" \
          "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" \
          "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
          "$n" "$total" "$longest"
      done
    done
    stop
  done
done
