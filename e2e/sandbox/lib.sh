# Shared by the sandbox scripts: versions, cache location, messages.
# shellcheck shell=bash
SANDBOX_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$SANDBOX_DIR/versions.env"

MODELOPS_CACHE="${MODELOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelops}"

say() { printf '[sandbox] %s\n' "$*" >&2; }
die() { printf '[sandbox] error: %s\n' "$*" >&2; exit 1; }

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "Go is not installed or not on PATH. Install Go >= 1.24 (Debian: apt-get install golang, or the official toolchain) and retry."
  local v
  v="$(go env GOVERSION | sed 's/^go//')"
  case "$v" in
    1.2[4-9]* | 1.[3-9]* | [2-9].*) ;;
    *) die "Go $v is too old: Kubernetes $KUBERNETES_VERSION needs Go >= 1.24." ;;
  esac
}

# The cache key changes whenever a version, the Go module or a main changes, so an edit rebuilds.
sandbox_key() {
  local sum
  sum="$( (cat "$SANDBOX_DIR/versions.env" "$SANDBOX_DIR/gobuild/go.mod" "$SANDBOX_DIR/gobuild/go.sum" \
    "$SANDBOX_DIR"/gobuild/cmd/*/main.go \
    "$SANDBOX_DIR"/dnsbuild/go.mod "$SANDBOX_DIR"/dnsbuild/go.sum "$SANDBOX_DIR"/dnsbuild/main.go; go env GOVERSION) | sha256sum | cut -c1-12)"
  echo "k8s-$KUBERNETES_VERSION-$sum"
}

sandbox_bin_dir() { echo "$MODELOPS_CACHE/sandbox/$(sandbox_key)/bin"; }
