#!/usr/bin/env bash
# Stops a sandbox cluster started by start.sh and removes its directory. With the real node, its pods,
# containerd shims and pod cgroups go too; its mounts, network namespace and iptables rules end with
# the namespaces that hold them.
# usage: stop.sh [--keep-logs] [--check] [DIR]
#   --keep-logs  keep DIR/logs (for a failed test's report); the rest of DIR goes
#   --check      only tell, by the exit code, whether any of DIR's components still runs
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEEP_LOGS=false CHECK=false DIR="$MODELOPS_CACHE/clusters/default"
while (($#)); do
  case "$1" in
    --keep-logs) KEEP_LOGS=true; shift ;;
    --check) CHECK=true; shift ;;
    -*) die "unknown option: $1 (usage: $0 [--keep-logs] [--check] [DIR])" ;;
    *) DIR="$1"; shift ;;
  esac
done

PIDS="$DIR/pids"
alive() { [[ -e "/proc/$1" ]] && ! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
if $CHECK; then
  [[ -f "$PIDS" ]] || exit 1
  while read -r _ pid; do alive "$pid" && exit 0; done <"$PIDS"
  exit 1
fi
[[ -d "$DIR" ]] || { say "nothing to stop: $DIR does not exist"; exit 0; }
# As start.sh wrote it (absolute), whatever way it is given here: the node's paths are made from it.
DIR="$(cd "$DIR" && pwd)"

# Components stop one by one in the reverse order of their start, so that kube-apiserver still has
# etcd while it shuts down. Each gets 10 seconds after SIGTERM, then SIGKILL.
stop_one() {
  local name="$1" pid="$2"
  # A pid from an earlier boot may belong to another program by now: only stop our own.
  alive "$pid" && grep -qa "$name" "/proc/$pid/cmdline" 2>/dev/null || return 0
  say "stopping $name ($pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do alive "$pid" || return 0; sleep 0.1; done
  say "$name did not stop within 10s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
}
# The watcher of --owner-pid goes first, unless it is the one stopping the cluster.
if [[ -f "$DIR/owner-watch.pid" ]]; then
  watcher="$(cat "$DIR/owner-watch.pid")"
  [[ "$watcher" != "$$" ]] && grep -qa owner-watch "/proc/$watcher/cmdline" 2>/dev/null && kill "$watcher" 2>/dev/null
fi
# shellcheck source=real-node.sh
source "$SANDBOX_DIR/real-node.sh"
if [[ -f "$PIDS" ]]; then
  tac "$PIDS" | while read -r name pid; do
    stop_one "$name" "$pid"
    # The real node's pods and containerd shims end with containerd, before the API server they
    # watch and the namespaces that hold them.
    if [[ "$name" == containerd ]]; then stop_real_node "$DIR"; fi
  done
fi
if $KEEP_LOGS; then
  find "$DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
  say "stopped; logs kept in $DIR/logs"
else
  rm -rf "$DIR"
  say "stopped and removed $DIR"
fi
