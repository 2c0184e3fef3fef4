#!/usr/bin/env bash
# Measures the offline importer (`neo4j-admin database import full`), the physical upper bound for
# a first load into an EMPTY database, on synthetic CSVs shaped like BenchmarkLoadBatched's data.
# It never touches a running server: it imports into its own home (default /tmp/neo4j-import-bench,
# overwritten). To query the result, start a server on that home
# (NEO4J_WORK_DIR=<home> NEO4J_BOLT_PORT=<free port> .ci/neo4j/start.sh); the store's Open then
# creates the constraints and indexes, which the importer does not (Community edition).
#
# Usage: .ci/neo4j/import-bench.sh [CLAIMS]   (default 1000000)
# Environment: IMPORT_HOME (default /tmp/neo4j-import-bench), JAVA (default Java 17), IMPORT_THREADS (default 2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
claims="${1:-1000000}"
home="${IMPORT_HOME:-/tmp/neo4j-import-bench}"
java_bin="${JAVA:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}"
[[ -x "$java_bin" ]] || java_bin=java
lib="$here/lib"
if ! compgen -G "$lib/neo4j-import-tool-*.jar" >/dev/null; then
	mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib" >&2
fi
mkdir -p "$home"/{conf,data,logs,csv}
cat >"$home/conf/neo4j.conf" <<CONF
server.directories.data=$home/data
server.directories.logs=$home/logs
server.memory.pagecache.size=1g
dbms.usage_report.enabled=false
CONF
echo "import-bench: writing CSVs for $claims claims into $home/csv" >&2
python3 "$here/import-bench-csv.py" "$claims" "$home/csv"
c="$home/csv"
args=()
for f in patients phones addresses providers doctors terminals claims; do args+=("--nodes=$c/$f.csv"); done
for f in has_phone lives_at works_at filed at treated_by on_terminal; do args+=("--relationships=$c/$f.csv"); done
echo "import-bench: importing" >&2
start=$SECONDS
NEO4J_HOME="$home" NEO4J_CONF="$home/conf" "$java_bin" -Xmx2g \
	--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
	--add-opens=java.base/java.lang=ALL-UNNAMED \
	-cp "$lib/*" org.neo4j.cli.AdminTool database import full "${args[@]}" \
	--threads="${IMPORT_THREADS:-2}" --high-parallel-io=off --overwrite-destination=true neo4j \
	>"$home/logs/import.log"
grep -A5 'IMPORT DONE' "$home/logs/import.log" >&2
echo "import-bench: $claims claims imported in $((SECONDS - start)) s wall (including JVM start)" >&2
