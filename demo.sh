#!/usr/bin/env bash
# The demo: starts the sandbox cluster on this machine and plays each scene in e2e/demo/scenes, in order.
# The cluster stays up until you press Ctrl-C, which stops it and removes what it started.
#   ./demo.sh            play the demo and keep the cluster up
#   ./demo.sh --no-wait  play it, then stop at once (for scripts and tests)
set -euo pipefail
cd "$(dirname "$0")"
REPO="$PWD"
WAIT=true
[[ "${1:-}" == "--no-wait" ]] && WAIT=false

source e2e/sandbox/lib.sh
DEMO_DIR="${DEMO_DIR:-$MODELOPS_CACHE/clusters/demo}"
banner() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

cleanup() {
  trap - EXIT INT TERM
  banner "stopping the demo cluster"
  "$REPO/e2e/sandbox/stop.sh" "$DEMO_DIR" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

banner "building the sandbox cluster's binaries (cached after the first run)"
BIN="$(e2e/sandbox/build.sh)"
"$REPO/e2e/sandbox/stop.sh" "$DEMO_DIR" >/dev/null 2>&1 || true
banner "starting a sandbox Kubernetes cluster: etcd, kube-apiserver, controller manager, scheduler, kwok nodes"
export KUBECONFIG
KUBECONFIG="$(e2e/sandbox/start.sh --dir "$DEMO_DIR")"
export PATH="$BIN:$PATH"

for scene in e2e/demo/scenes/*.sh; do
  # shellcheck source=/dev/null
  source "$scene"
done

banner "look around yourself"
cat <<HELP
  export KUBECONFIG=$KUBECONFIG PATH=$BIN:\$PATH
  kubectl get nodes -L nvidia.com/gpu.product
  kubectl describe node sandbox-gpu-1
  kubectl get pods -A -o wide
HELP
if $WAIT; then
  banner "the cluster stays up until you press Ctrl-C"
  while true; do sleep 3600; done
fi
