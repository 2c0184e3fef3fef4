#!/usr/bin/env bash
# All of RingTrace's tests, as `make test` runs them on a fresh machine and as CI runs them.
# Sets up what it needs: Debian packages (Chromium for the UI tests, poppler for the PDF tests),
# the frontend's npm packages, a real Neo4j server started from Maven Central's jars, and a
# local Apache Spark from the PyPI pyspark distribution (in a virtual environment under .ci/spark).
#
#   bash .ci/test.sh            everything
#   bash .ci/test.sh go|fuzz|frontend|e2e|spark   one part (the Go part still starts Neo4j)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
part="${1:-all}"
root="$PWD"
export GOFLAGS="${GOFLAGS:-}"

say() { printf '\n=== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

need_apt=()
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [[ "$part" == all || "$part" == e2e ]]; then
	command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
	# Chinese glyphs in the browser, so the e2e screenshots show text rather than boxes.
	[[ -d /usr/share/fonts/opentype/noto ]] || need_apt+=(fonts-noto-cjk)
fi
if ((${#need_apt[@]})); then
	if [[ $(id -u) == 0 ]]; then
		say "installing ${need_apt[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
	else
		echo "missing Debian packages: ${need_apt[*]} (run as root or install them)" >&2
		exit 1
	fi
fi

neo4j_started=0
cleanup() {
	if ((neo4j_started)); then bash .ci/neo4j/stop.sh >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# staticcheck's version is pinned so that a new release's checks do not fail a build by surprise;
# raise it on purpose.
STATICCHECK_VERSION=v0.8.2

staticcheck_bin() {
	local bin
	bin="$(go env GOPATH)/bin/staticcheck"
	if [[ ! -x "$bin" ]] || ! "$bin" -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})"; then
		say "installing staticcheck $STATICCHECK_VERSION" >&2
		go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
	fi
	echo "$bin"
}

run_go() {
	say "go vet"
	go vet ./...
	say "staticcheck"
	"$(staticcheck_bin)" $(go list ./... | grep -v /algorithms)
	say "go test (every package; Neo4j tests skip in this pass)"
	env -u RINGTRACE_NEO4J_URI go test -count=1 -timeout 20m ./...
	local uri="${RINGTRACE_NEO4J_URI:-}"
	if [[ -z "$uri" ]]; then
		if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then
			say "starting Neo4j (Bolt plain and TLS with a certificate generated for this run)"
			# The TLS tests check the server certificate against this one (bolt+s://).
			tls_dir="${NEO4J_WORK_DIR:-$root/.ci/neo4j/work}/tls"
			if command -v openssl >/dev/null 2>&1; then
				mkdir -p "$tls_dir"
				openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ringtrace-test-neo4j" \
					-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
					-keyout "$tls_dir/private.key" -out "$tls_dir/public.crt" 2>/dev/null
				export NEO4J_BOLT_TLS_DIR="$tls_dir" RTTEST_NEO4J_TLS_CA="$tls_dir/public.crt"
			else
				echo "openssl not found: the Neo4j TLS tests are skipped" >&2
			fi
			uri="$(NEO4J_FRESH=1 bash .ci/neo4j/start.sh)"
			neo4j_started=1
		elif [[ -n "${CI:-}" ]]; then
			echo "java/mvn not found: cannot start Neo4j in CI" >&2
			return 1
		else
			echo "java/mvn not found: Neo4j tests skipped" >&2
			return 0
		fi
	fi
	# The packages that talk to Neo4j share one server and wipe it between tests, and one test
	# stops and restarts it: run them one package at a time.
	say "go test against Neo4j at $uri"
	RINGTRACE_NEO4J_URI="$uri" \
		RTTEST_NEO4J_STOP_CMD="bash $root/.ci/neo4j/stop.sh" \
		RTTEST_NEO4J_START_CMD="bash $root/.ci/neo4j/start.sh" \
		go test -count=1 -p 1 -timeout 20m $(grep -rl --include='*_test.go' 'RINGTRACE_NEO4J_URI' . | xargs -n1 dirname | sort -u)
}

# spark_submit prints the spark-submit of the pyspark distribution, installed on first use.
spark_submit() {
	local venv="${SPARK_VENV:-$root/.ci/spark/venv}"
	if [[ ! -x "$venv/bin/spark-submit" ]]; then
		say "installing pyspark 3.5.3 from PyPI into $venv" >&2
		python3 -m venv "$venv" >&2
		"$venv/bin/pip" install --quiet --disable-pip-version-check "pyspark==3.5.3" >&2
	fi
	echo "$venv/bin/spark-submit"
}

run_spark() {
	if ! command -v java >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
		if [[ -n "${CI:-}" ]]; then
			echo "java/python3 not found: cannot start Spark in CI" >&2
			return 1
		fi
		echo "java/python3 not found: the Spark test is skipped" >&2
		return 0
	fi
	local submit
	submit="$(spark_submit)"
	say "Spark: the co-visit projection on a local Spark equals the in-process one"
	RINGTRACE_SPARK_SUBMIT="$submit" go test -count=1 -timeout 15m -run 'TestSparkMatchesLocal' -v ./algorithms/projection
}

run_fuzz() {
	say "fuzz CSV row parser (20 s)"
	go test -run '^$' -fuzz '^FuzzParseRow$' -fuzztime 20s ./ingest
}

run_frontend() {
	say "frontend: npm ci, type check against the OpenAPI description, unit tests, build"
	(cd frontend && npm ci --no-audit --no-fund && npm run check && npm test && npm run build)
}

run_e2e() {
	say "end-to-end UI tests in Chromium"
	E2E_SKIP_BUILD=1 bash frontend/e2e/run.sh
}

case "$part" in
	all) run_go; run_spark; run_fuzz; run_frontend; run_e2e ;;
	go) run_go ;;
	spark) run_spark ;;
	fuzz) run_fuzz ;;
	frontend) run_frontend ;;
	e2e) run_frontend; run_e2e ;;
	*) echo "unknown part $part" >&2; exit 2 ;;
esac
say "all requested tests passed"
