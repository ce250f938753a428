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
step() { printf '[demo] %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
# Scenes that start processes register how to stop them; Ctrl-C or the end runs these, newest first.
ON_EXIT=()
on_exit() { ON_EXIT+=("$*"); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Waits up to a minute for a process started by a scene to answer URL; shows its log if it exits.
await_ready() { # NAME PID URL LOG
  for _ in $(seq 120); do
    curl -fs "$3" >/dev/null && return
    kill -0 "$2" 2>/dev/null || { tail -20 "$4" >&2; echo "[demo] the $1 exited; its log: $4" >&2; exit 1; }
    sleep 0.5
  done
  echo "[demo] the $1 did not answer $3 within a minute; its log: $4" >&2
  exit 1
}

# Forwards a free loopback port to SERVICE's ClusterIP:8080 from inside the node's network namespace,
# so that kube-proxy balances each connection over the Service's ready pods; sets FORWARD_PORT.
forward_service() { # SERVICE
  local ip pid log="$DEMO_DIR/forward-$1.log"
  ip="$(kubectl get service "$1" -o jsonpath='{.spec.clusterIP}')"
  FORWARD_PORT="$(free_port)"
  sandbox-forward --netns "/proc/$(cat "$DEMO_DIR/node-ns.pid")/ns/net" --listen "127.0.0.1:$FORWARD_PORT" \
    --to "$ip:8080" >"$log" 2>&1 &
  pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  await_ready "forward to service/$1" "$pid" "localhost:$FORWARD_PORT/v2/health/ready" "$log"
}

cleanup() {
  trap - EXIT INT TERM
  for ((i = ${#ON_EXIT[@]} - 1; i >= 0; i--)); do eval "${ON_EXIT[$i]}" || true; done
  banner "stopping the demo cluster"
  "$REPO/e2e/sandbox/stop.sh" "$DEMO_DIR" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

banner "building the sandbox cluster's binaries (cached after the first run)"
BIN="$(e2e/sandbox/build.sh)"
banner "building the operator and the runtime and their images (skipped when they are up to date)"
source e2e/java-home.sh
e2e/demo/build-apps.sh
"$REPO/e2e/sandbox/stop.sh" "$DEMO_DIR" >/dev/null 2>&1 || true
banner "starting a sandbox Kubernetes cluster: control plane, a real node (kubelet, containerd, kube-proxy, CoreDNS)"
export KUBECONFIG
# One real node with 4 simulated GPUs, where every pod of the demo really runs; no kwok nodes, so no
# pod lands on a simulated one.
KUBECONFIG="$(e2e/sandbox/start.sh --dir "$DEMO_DIR" --cpu-nodes 0 --gpu-nodes 0 --real-node-gpus 4 \
  --load-image runtime-image/target/image/oci --load-image operator/target/image/oci \
  --load-image "$(e2e/sandbox/trainer-image.sh)")"
export PATH="$BIN:$PATH"

for scene in e2e/demo/scenes/*.sh; do
  # shellcheck source=/dev/null
  source "$scene"
done

banner "look around yourself"
cat <<HELP
  export KUBECONFIG=$KUBECONFIG PATH=$BIN:\$PATH
  kubectl get modeldeployments                         # short name: mdep
  kubectl describe mdep fraud-scorer                   # conditions, revisions, events
  kubectl get pods -o wide -l modelops.dev/deployment  # which node, which revision
  kubectl get controllerrevisions                      # the kept revision history
  kubectl get events --field-selector involvedObject.kind=ModelDeployment
  kubectl get nodes -L nvidia.com/gpu.product
  kubectl logs -l modelops.dev/deployment=fraud-scorer -c runtime   # the runtime pods, on the real node
  helm -n modelops-system status modelops-operator
  kubectl -n modelops-system logs -f deploy/modelops-operator   # the operator's decisions
  curl -s localhost:${OPERATOR_PORT:-18080}/q/metrics | grep ^modelops_
HELP
if $WAIT; then
  banner "the cluster stays up until you press Ctrl-C"
  while true; do sleep 3600; done
fi
