#!/usr/bin/env bash
# Prints the path of the Gateway API CRDs (standard channel) of sigs.k8s.io/gateway-api, taken from
# its Go module (the Go module proxy is the only source this machine has) and cached; start.sh
# --gateway-api installs them. The version is kept here, not in versions.env, so that changing it
# does not rebuild the sandbox's binaries.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GATEWAY_API_VERSION=v1.6.3
OUT="$MODELOPS_CACHE/sandbox/gateway-api-$GATEWAY_API_VERSION-standard-crds.yaml"
if [[ ! -s "$OUT" ]]; then
  need_go
  say "fetching the Gateway API CRDs ($GATEWAY_API_VERSION) from the Go module proxy"
  # Outside any module, so no go.mod is touched; the module lands in Go's own cache.
  dir="$(cd "$MODELOPS_CACHE" && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  crds=("$dir"/config/crd/standard/gateway.networking.k8s.io_*.yaml)
  [[ -f "${crds[0]}" ]] || die "no CRDs under $dir/config/crd/standard"
  for f in "${crds[@]}"; do
    cat "$f"
    printf '\n---\n'
  done >"$OUT.tmp"
  mv "$OUT.tmp" "$OUT"
fi
echo "$OUT"
