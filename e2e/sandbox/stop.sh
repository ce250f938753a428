#!/usr/bin/env bash
# Stops a sandbox cluster started by start.sh and removes its directory.
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
running() { [[ -f "$PIDS" ]] && awk '{print $2}' "$PIDS" | while read -r pid; do kill -0 "$pid" 2>/dev/null && echo "$pid"; done; }
if $CHECK; then
  [[ -n "$(running)" ]]
  exit
fi
[[ -d "$DIR" ]] || { say "nothing to stop: $DIR does not exist"; exit 0; }

# Components stop in the reverse order of their start: kwok and the controllers before the API server and etcd.
if [[ -f "$PIDS" ]]; then
  tac "$PIDS" | while read -r name pid; do
    kill -TERM "$pid" 2>/dev/null && say "stopping $name ($pid)" || true
  done
  for _ in $(seq 50); do
    [[ -z "$(running)" ]] && break
    sleep 0.2
  done
  for pid in $(running); do kill -KILL "$pid" 2>/dev/null || true; done
fi
if $KEEP_LOGS; then
  find "$DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
  say "stopped; logs kept in $DIR/logs"
else
  rm -rf "$DIR"
  say "stopped and removed $DIR"
fi
