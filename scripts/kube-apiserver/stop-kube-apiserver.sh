#!/usr/bin/env bash
# Stop the etcd + kube-apiserver started by start-kube-apiserver.sh.
# usage: stop-kube-apiserver.sh STATE_DIR [--keep]
#   --keep  leave STATE_DIR (logs, etcd data, certs) in place; default removes it
# Only the PIDs recorded in STATE_DIR/pids are signalled, and only if their
# command line still refers to STATE_DIR (guards against PID reuse).
set -uo pipefail

STATE="${1:?usage: $0 STATE_DIR [--keep]}"
KEEP="${2:-}"
PIDS_FILE="$STATE/pids"
log() { echo "[stop-kube-apiserver] $*" >&2; }

ours() { # pid -> true if the process still belongs to this state dir
  [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$STATE"
}

if [[ -f "$PIDS_FILE" ]]; then
  # stop kube-apiserver before etcd (reverse start order)
  tac "$PIDS_FILE" | while read -r name pid; do
    [[ -n "${pid:-}" ]] || continue
    if ! ours "$pid"; then log "$name (pid $pid) not running"; continue; fi
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do ours "$pid" || break; sleep 0.1; done
    if ours "$pid"; then log "$name (pid $pid) ignored SIGTERM; SIGKILL"; kill -KILL "$pid" 2>/dev/null; sleep 0.2; fi
    log "stopped $name (pid $pid)"
  done
else
  log "no $PIDS_FILE"
fi

if [[ "$KEEP" != "--keep" && -d "$STATE" && -f "$STATE/pids" ]]; then
  rm -rf -- "$STATE"
  log "removed $STATE"
fi
