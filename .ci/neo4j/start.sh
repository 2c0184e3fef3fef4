#!/usr/bin/env bash
# Starts a genuine Neo4j 5.26 Community server for RingTrace's integration tests, on 127.0.0.1,
# with its data under a work directory, and waits until it answers Bolt. Idempotent: when the
# server recorded in the pid file is alive and answering, it only prints the URI again.
#
# Environment (all optional):
#   NEO4J_BOLT_PORT        Bolt port (default 7687)
#   NEO4J_WORK_DIR         server home: conf, data, logs, pid (default .ci/neo4j/work)
#   NEO4J_HEAP             JVM heap, -Xms and -Xmx (default 2g, the most the CI machine can spare)
#   NEO4J_PAGECACHE        page cache size (default 1g)
#   NEO4J_START_TIMEOUT    seconds to wait for Bolt (default 300: on 2 cores shared with builds a start has taken over 180 s)
#   NEO4J_FRESH=1          wipe the data directory before starting
#   JAVA                   java binary (default: Java 17 if present, else `java` on PATH)
#   NEO4J_BOLT_TLS_DIR     directory with private.key and public.crt (PEM): Bolt then also serves
#                          TLS (tls_level OPTIONAL: bolt:// and bolt+s:// on the same port)
#
# Prints exactly one line on stdout when ready: the Bolt URI, e.g. bolt://127.0.0.1:7687.
# Progress goes to stderr. Exit status is non-zero when the server does not come up in time,
# in which case the tail of its log is printed to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${NEO4J_BOLT_PORT:-7687}"
work="${NEO4J_WORK_DIR:-$here/work}"
heap="${NEO4J_HEAP:-2g}"
pagecache="${NEO4J_PAGECACHE:-1g}"
timeout="${NEO4J_START_TIMEOUT:-300}"
lib="$here/lib"

log() { printf 'neo4j/start: %s\n' "$*" >&2; }

# Neo4j 5.26 supports Java 17 and 21 only; the machine's default may be newer.
pick_java() {
	if [[ -n "${JAVA:-}" ]]; then echo "$JAVA"; return; fi
	for j in /usr/lib/jvm/java-17-openjdk-amd64/bin/java /usr/lib/jvm/java-21-openjdk-amd64/bin/java; do
		[[ -x "$j" ]] && { echo "$j"; return; }
	done
	echo java
}
java_bin="$(pick_java)"

# bolt_ready performs a real Bolt handshake (magic 0x6060B017, then four proposed versions) and
# succeeds when the server agrees on a non-zero version. A listening socket alone is not enough:
# Neo4j binds the port before the handshake is served.
bolt_ready() {
	local reply
	reply="$({
		exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
		printf '\x60\x60\xb0\x17\x00\x00\x06\x05\x00\x00\x04\x04\x00\x00\x00\x04\x00\x00\x00\x03' >&3
		timeout 5 head -c 4 <&3 | od -An -tx1 | tr -d ' \n'
	} 2>/dev/null)" || return 1
	[[ -n "$reply" && "$reply" != "00000000" ]]
}

# started reports whether the server has logged that the default database is online; the Bolt
# handshake can succeed a moment before the database accepts queries.
started() { grep -q 'Started\.' "$work/logs/neo4j.log" 2>/dev/null; }

# wait_ready waits for the server with the given pid to answer, with the deadline above.
wait_ready() {
	local pid="$1" deadline=$((SECONDS + timeout))
	until bolt_ready && started; do
		if ! kill -0 "$pid" 2>/dev/null; then
			log "server exited during start-up; last log lines:"
			tail -n 40 "$work/logs/console.log" "$work/logs/neo4j.log" >&2 || true
			rm -f "$pidfile"
			return 1
		fi
		if ((SECONDS >= deadline)); then
			log "Bolt did not answer within ${timeout}s; stopping pid $pid; last log lines:"
			tail -n 40 "$work/logs/console.log" "$work/logs/neo4j.log" >&2 || true
			kill "$pid" 2>/dev/null || true
			rm -f "$pidfile"
			return 1
		fi
		sleep 0.5
	done
}

pidfile="$work/run/neo4j.pid"
if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	# Ours is running (perhaps still starting, when two callers race): wait for it rather than
	# start a second JVM that would fail to bind the port.
	log "already running (pid $(cat "$pidfile"))"
	wait_ready "$(cat "$pidfile")" || exit 1
	echo "bolt://127.0.0.1:$port"
	exit 0
fi

if [[ ! -d "$lib" ]] || ! compgen -G "$lib/neo4j-server-*.jar" >/dev/null; then
	log "resolving Neo4j jars with Maven into $lib (first time: ~120 MB)"
	mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
		-DincludeScope=runtime -DoutputDirectory="$lib" >&2
fi

if bolt_ready; then
	log "port $port already answers Bolt but is not our server; set NEO4J_BOLT_PORT"
	exit 1
fi

[[ "${NEO4J_FRESH:-0}" == 1 ]] && rm -rf "$work/data"
mkdir -p "$work"/{conf,data,logs,run,plugins,import}
: >"$work/logs/neo4j.log"

tls_level=DISABLED
tls_conf=""
if [[ -n "${NEO4J_BOLT_TLS_DIR:-}" ]]; then
	tls_level=OPTIONAL
	tls_conf="dbms.ssl.policy.bolt.enabled=true
dbms.ssl.policy.bolt.base_directory=$NEO4J_BOLT_TLS_DIR
dbms.ssl.policy.bolt.private_key=private.key
dbms.ssl.policy.bolt.public_certificate=public.crt
dbms.ssl.policy.bolt.client_auth=NONE"
fi

# 5.x key names; unknown keys abort start-up (server.config.strict_validation).
cat >"$work/conf/neo4j.conf" <<CONF
server.default_listen_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$port
server.bolt.advertised_address=127.0.0.1:$port
server.bolt.tls_level=$tls_level
$tls_conf
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=false
server.directories.data=$work/data
server.directories.logs=$work/logs
server.directories.run=$work/run
server.directories.plugins=$work/plugins
server.directories.import=$work/import
server.memory.pagecache.size=$pagecache
dbms.memory.transaction.total.max=1g
dbms.usage_report.enabled=false
db.tx_log.rotation.retention_policy=1 files
CONF

log "starting $("$java_bin" -version 2>&1 | head -1) with heap $heap, page cache $pagecache, home $work"
# A direct java launch ignores the JVM settings in neo4j.conf, so they are passed here.
nohup "$java_bin" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
	--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
	--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
	-Dio.netty.tryReflectionSetAccessible=true -Dfile.encoding=UTF-8 \
	-cp "$work/plugins/*:$lib/*" org.neo4j.server.CommunityEntryPoint \
	--home-dir="$work" --config-dir="$work/conf" \
	>"$work/logs/console.log" 2>&1 </dev/null &
echo $! >"$pidfile"
pid="$(cat "$pidfile")"

wait_ready "$pid" || exit 1
log "ready after ${SECONDS}s (pid $pid)"
echo "bolt://127.0.0.1:$port"
