#!/usr/bin/env bash
# Prints the OCI layout of the sandbox's Prometheus image, made from Debian's prometheus package
# (apt-get install prometheus) by images.py and cached; start.sh --prometheus loads it into the real
# node and runs it there (prometheus.yaml), scraping the runtime pods as a user's Prometheus would.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PROMETHEUS="$(command -v prometheus)" ||
  die "--prometheus needs Prometheus: apt-get install --no-install-recommends prometheus"
OUT="$MODELOPS_CACHE/sandbox/prometheus-image"
mkdir -p "$MODELOPS_CACHE/sandbox"
exec 9>"$MODELOPS_CACHE/sandbox/prometheus-image.lock"
flock 9
if [[ ! -f "$OUT/prometheus/index.json" || "$PROMETHEUS" -nt "$OUT/prometheus/index.json" ]]; then
  say "building the Prometheus image from $PROMETHEUS ($("$PROMETHEUS" --version 2>&1 | head -1))"
  rm -rf "$OUT.tmp"
  python3 "$SANDBOX_DIR/images.py" --binary "$PROMETHEUS" --name sandbox.modelops.dev/prometheus:1 \
    --port 9090/tcp --out "$OUT.tmp" >&2
  rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
fi
echo "$OUT/prometheus"
