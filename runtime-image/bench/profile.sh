#!/usr/bin/env bash
# Where one request's time goes (not a test): the mlp, one row per request, batching off, JSON and
# binary, at concurrency 1. For each protocol: warm-up, then wrk's p50 and p99 with nothing
# recording, then a second run under a flight recording of CPU-time samples (JDK 25's
# jdk.CPUTimeSample: a sample per PERIOD of a thread's CPU, in Java or native code), which
# Phases.java sorts into the phases of a request (read body, decode, validate, run, encode, write,
# and the rest). CPU time, not wall time: what other work on the machine takes is not counted, only
# how the server's own CPU is shared. It also prints the server process's whole CPU per request
# (/proc, GC and JIT threads included), of which the sampled threads are a part.
# usage: runtime-image/bench/profile.sh [SECONDS_PER_RUN] [PERIOD]   (default 15, 1ms)
#        APP=path/to/quarkus-app LABEL=before runtime-image/bench/profile.sh   (another build; LABEL
#        names its recordings, $WORK/profile-LABEL-PROTOCOL.jfr)
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
if (($(jdk_major "$JAVA_HOME") < 25)); then
  echo "profile.sh needs JDK 25 or newer (its CPU-time sampler); JAVA_HOME is $JAVA_HOME" >&2
  exit 1
fi
SECONDS_PER_RUN="${1:-15}"
PERIOD="${2:-1ms}"
source runtime-image/bench/prepare.sh
PORT=18530
# Methods whose whole cost (with all they call) gets a line of its own.
METHODS="${METHODS:-dev.modelops.runtime.inference.Datatype. dev.modelops.runtime.metrics.RuntimeMetrics.request dev.modelops.runtime.protocol.InferRequestReader.object}"
say() { printf '[profile] %s\n' "$*" >&2; }
bench_prepare

PID=""
stop() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; PID=""; }
trap stop EXIT
MODELOPS_MODEL_NAME=mlp MODELOPS_MODEL_PATH="$WORK/models/mlp.onnx" MODELOPS_BATCHING_MAX_BATCH_SIZE=1 \
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$PORT QUARKUS_LOG_LEVEL=WARN \
  java --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
  -XX:MaxRAM=2g -XX:MaxRAMPercentage=75 -XX:FlightRecorderOptions:stackdepth=256 \
  -jar "${APP:-runtime-image/target/quarkus-app}/quarkus-run.jar" serve >"$WORK/profile-server.log" 2>&1 &
PID=$!
for _ in $(seq 300); do curl -fs "127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.2; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
# "name ticks" per thread of the server (utime + stime), to see which threads the CPU went to.
thread_ticks() { for t in /proc/"$PID"/task/*; do printf '%s %s\n' "$(tr ' ' _ <"$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"; done; }
wrk_run() { # PROTOCOL SECONDS [--latency]
  local body="$WORK/bodies/mlp.$1" header=""
  [[ $1 == binary ]] && header="$(cat "$body.header")"
  BODY_FILE="$body" HEADER_LENGTH="$header" wrk -t1 -c1 -d"$2s" ${3:-} -s runtime-image/bench/post.lua \
    "http://127.0.0.1:$PORT/v2/models/mlp/infer"
}

# Only the CPU-time sampler: the recording costs little beside what it measures.
cat >"$WORK/cpu-time.jfc" <<JFC
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="CPU time only">
  <event name="jdk.CPUTimeSample">
    <setting name="enabled">true</setting>
    <setting name="throttle">$PERIOD</setting>
    <setting name="stackTrace">true</setting>
  </event>
  <event name="jdk.CPUTimeSamplesLost"><setting name="enabled">true</setting></event>
</configuration>
JFC

for protocol in json binary; do
  say "$protocol: warm-up (10 s, recording too, so the recorder's own start-up is done before)"
  jcmd "$PID" JFR.start name=warmup settings="$PWD/$WORK/cpu-time.jfc" >/dev/null
  wrk_run "$protocol" 10 >/dev/null
  jcmd "$PID" JFR.stop name=warmup >/dev/null
  say "$protocol: latency, nothing recording"
  out="$(wrk_run "$protocol" "$SECONDS_PER_RUN" --latency)"
  printf '%s c=1: p50 %s p99 %s, %s requests/s\n' "$protocol" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")"
  say "$protocol: recording CPU-time samples every $PERIOD of CPU"
  jfr="$WORK/profile-${LABEL:-run}-$protocol.jfr"
  jcmd "$PID" JFR.start name=phases settings="$PWD/$WORK/cpu-time.jfc" >/dev/null
  before="$(cpu_ticks)" threads_before="$(thread_ticks)"
  out="$(wrk_run "$protocol" "$SECONDS_PER_RUN")"
  after="$(cpu_ticks)" threads_after="$(thread_ticks)"
  jcmd "$PID" JFR.stop name=phases filename="$PWD/$jfr" >/dev/null
  requests="$(awk '/requests in/ {print $1}' <<<"$out")"
  printf '%s, recorded: %s requests; server process CPU %.1f us per request (all threads, /proc)\n' \
    "$protocol" "$requests" "$(awk -v b="$before" -v a="$after" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {print (a - b) / hz / n * 1e6}')"
  printf 'threads by CPU in the recorded run (ms): %s\n' "$(awk -v hz="$(getconf CLK_TCK)" 'NR == FNR {b[$1] += $2; next} {a[$1] += $2}
    END {for (t in a) if (a[t] - b[t] > 0) printf "%s %d\n", t, (a[t] - b[t]) * 1000 / hz}' \
    <(echo "$threads_before") <(echo "$threads_after") | sort -k2 -rn | head -6 | paste -sd, -)"
  loop_ms="$(awk -v hz="$(getconf CLK_TCK)" '$1 ~ /^vert.x-eventloo/ {if (NR == FNR) b += $2; else a += $2}
    END {print (a - b) * 1000 / hz}' <(echo "$threads_before") <(echo "$threads_after"))"
  # shellcheck disable=SC2086 # a list of method prefixes
  java runtime-image/bench/Phases.java "$jfr" "$requests" "$loop_ms" $METHODS
done
