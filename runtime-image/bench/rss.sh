#!/usr/bin/env bash
# The runtime's memory under a long run (not a test): the packaged runtime, started with the image's
# JVM options and the memory a pod gets by default (MaxRAM 2 GiB, the default memory limit, so the
# heap is the image's 75% of it), answers REQUESTS requests to the wide model (1,024 features, 42 MB
# of weights), by turns 100,000 as JSON and 100,000 in binary, at concurrency 16. After each turn
# it samples resident memory (VmRSS from /proc), heap used after a GC, and direct buffers (from
# the runtime's /q/metrics). Prints a Markdown table; the raw samples go to
# runtime-image/target/bench/rss.tsv.
# usage: runtime-image/bench/rss.sh [REQUESTS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
REQUESTS="${1:-1000000}"
TURN=100000
source runtime-image/bench/prepare.sh
PORT=18510
say() { printf '[rss] %s\n' "$*" >&2; }

bench_prepare

mapfile -t OPTIONS < <(grep -v '^#' runtime-image/image/java-options | sed '/^\s*$/d')
MODELOPS_MODEL_NAME=wide MODELOPS_MODEL_PATH="$WORK/models/wide.onnx" QUARKUS_HTTP_HOST=127.0.0.1 \
  QUARKUS_HTTP_PORT=$PORT QUARKUS_LOG_LEVEL=WARN java "${OPTIONS[@]}" -XX:MaxRAM=2g \
  -jar runtime-image/target/quarkus-app/quarkus-run.jar serve >"$WORK/rss-server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -fs "127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.2; done
curl -fs "127.0.0.1:$PORT/v2/health/ready" >/dev/null || { say "the runtime did not become ready: $WORK/rss-server.log"; exit 1; }

metric() { # NAME FILTER: the sum of a metric's samples whose labels match FILTER
  curl -fs "127.0.0.1:$PORT/q/metrics" | awk -v n="$1" -v f="$2" 'index($0, n "{") == 1 && $0 ~ f {s += $NF} END {printf "%.0f", s / 1048576}'
}
sample() { # REQUESTS_SO_FAR
  jcmd "$PID" GC.run >/dev/null
  printf '%s\t%s\t%s\t%s\n' "$1" "$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$PID/status")" \
    "$(metric jvm_memory_used_bytes 'area="heap"')" "$(metric jvm_buffer_memory_used_bytes 'id="direct"')"
}
turn() { # PROTOCOL: TURN requests, in wrk runs of a few seconds until they are done
  local body="$WORK/bodies/wide.$1" header="" done=0 out
  [[ $1 == binary ]] && header="$(cat "$body.header")"
  while (( done < TURN )); do
    out="$(BODY_FILE="$body" HEADER_LENGTH="$header" wrk -t2 -c16 -d5s -s runtime-image/bench/post.lua \
      "http://127.0.0.1:$PORT/v2/models/wide/infer")"
    grep -q 'Non-2xx' <<<"$out" && { say "errors in a wrk run: $out"; exit 1; }
    done=$(( done + $(awk '/requests in/ {print $1}' <<<"$out") ))
  done
  echo "$done"
}

printf 'requests\trss_mib\theap_after_gc_mib\tdirect_mib\n' >"$WORK/rss.tsv"
sample 0 >>"$WORK/rss.tsv"
total=0
protocol=json
while (( total < REQUESTS )); do
  total=$(( total + $(turn "$protocol") ))
  sample "$total" >>"$WORK/rss.tsv"
  say "$(tail -1 "$WORK/rss.tsv" | awk '{printf "%d requests: RSS %d MiB, heap after GC %d MiB, direct %d MiB", $1, $2, $3, $4}')"
  protocol=$([[ $protocol == json ]] && echo binary || echo json)
done
echo "| requests | RSS (MiB) | heap after a GC (MiB) | direct buffers (MiB) |"
echo "| ---: | ---: | ---: | ---: |"
tail -n +2 "$WORK/rss.tsv" | awk -F'\t' '{printf "| %d | %d | %d | %d |\n", $1, $2, $3, $4}'
