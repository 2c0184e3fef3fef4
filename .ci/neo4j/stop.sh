#!/usr/bin/env bash
# Stops the Neo4j test server started by start.sh (the pid in its work directory), waiting for a
# clean shutdown and killing it after NEO4J_STOP_TIMEOUT seconds (default 60). Safe to call when
# nothing runs, so it can sit in a `trap … EXIT`. NEO4J_STOP_SIGNAL=KILL simulates a crash
# (no checkpoint; the next start recovers from the transaction log). The data directory is kept; start.sh with
# NEO4J_FRESH=1 or `rm -rf .ci/neo4j/work` removes it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${NEO4J_WORK_DIR:-$here/work}"
timeout="${NEO4J_STOP_TIMEOUT:-60}"
pidfile="$work/run/neo4j.pid"

log() { printf 'neo4j/stop: %s\n' "$*" >&2; }

if [[ ! -f "$pidfile" ]]; then
	log "not running (no $pidfile)"
	exit 0
fi
pid="$(cat "$pidfile")"
if ! kill -0 "$pid" 2>/dev/null; then
	log "not running (stale pid $pid)"
	rm -f "$pidfile"
	exit 0
fi
# SIGTERM runs Neo4j's shutdown hook, which checkpoints and closes the store cleanly.
kill -"${NEO4J_STOP_SIGNAL:-TERM}" "$pid"
deadline=$((SECONDS + timeout))
while kill -0 "$pid" 2>/dev/null; do
	if ((SECONDS >= deadline)); then
		log "pid $pid still alive after ${timeout}s; killing"
		kill -KILL "$pid" 2>/dev/null || true
		break
	fi
	sleep 0.2
done
rm -f "$pidfile"
log "stopped pid $pid"
