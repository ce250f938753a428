#!/usr/bin/env bash
# Rollout timing (issue 14): how long the operator takes beyond a canary's step durations, and from
# a failed analysis to all traffic on the stable revision (operator/bench/rollout_timing.py says
# what is measured and how). Builds what is stale (the sandbox's binaries, the operator and the
# runtime and their images), starts a sandbox cluster with its real node, installs the operator
# with its chart, measures, and stops the cluster at the end, however the script ends. Example:
#   operator/bench/rollout-timing.sh --runs 3 --step 20 --interval 10
# Arguments go to rollout_timing.py; the raw numbers land in operator/target/rollout-timing.json and
# the operator's log (with the container runtime's timestamps) beside it.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$PWD"
source e2e/sandbox/lib.sh
BIN="$(e2e/sandbox/build.sh)"
source e2e/java-home.sh
e2e/demo/build-apps.sh
mkdir -p operator/target
DIR="$MODELOPS_CACHE/clusters/rollout-timing-$$"
PY=""
stop() {
  trap - EXIT INT TERM
  # The measuring script stops its load, its forward and its watches on TERM.
  if [[ -n "$PY" ]] && kill -TERM "$PY" 2>/dev/null; then wait "$PY" 2>/dev/null || true; fi
  if [[ -f "$DIR/kubeconfig" ]]; then
    "$BIN/kubectl" --kubeconfig "$DIR/kubeconfig" -n modelops-system logs deploy/modelops-operator \
      --timestamps >operator/target/rollout-timing-operator.log 2>/dev/null || true
  fi
  "$REPO/e2e/sandbox/stop.sh" "$DIR" >&2 || true
}
trap stop EXIT
trap 'exit 130' INT TERM
# One real node, no kwok nodes: every pod really runs. --owner-pid: a script killed outright (no
# trap) still has its cluster stopped, its logs kept in DIR.
KUBECONFIG="$(e2e/sandbox/start.sh --dir "$DIR" --cpu-nodes 0 --gpu-nodes 0 --owner-pid $$ \
  --load-image runtime-image/target/image/oci --load-image operator/target/image/oci)"
HELM_HOME="$DIR/helm-home"
HELM_CACHE_HOME="$HELM_HOME/cache" HELM_CONFIG_HOME="$HELM_HOME/config" HELM_DATA_HOME="$HELM_HOME/data" \
  "$BIN/helm" upgrade --install modelops-operator helm/modelops-operator --namespace modelops-system \
  --create-namespace --wait --timeout 3m --kubeconfig "$KUBECONFIG" >&2
# In the background, so that a TERM or Ctrl-C to this script runs stop() at once.
python3 operator/bench/rollout_timing.py --kubeconfig "$KUBECONFIG" --bin "$BIN" --cluster-dir "$DIR" "$@" &
PY=$!
wait "$PY"
