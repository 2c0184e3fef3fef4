#!/usr/bin/env bash
# End-to-end suite of the web UI: builds the ringtrace binary (with the UI embedded), generates a
# small claims dataset, ingests it into an embedded store, starts `ringtrace serve` on loopback
# with one user per role, and drives Debian's Chromium through it with playwright-core (node's
# test runner). Screenshots go to frontend/e2e-artifacts/. The server is stopped even on failure.
#
# Needs: Go, Node 20+, `npm ci` done in frontend/, /usr/bin/chromium (apt-get install chromium
# fonts-noto-cjk); no curl or python: e2e/setup.mjs does the HTTP set-up.
# Env: E2E_PATIENTS (default 2000), E2E_PORT (default: a free port),
# E2E_SKIP_BUILD=1 to reuse dist/ and the binary, CHROMIUM to point at another Chromium.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
frontend="$(dirname "$here")"
root="$(dirname "$frontend")"
work="$(mktemp -d -t ringtrace-e2e.XXXXXX)"
bin="$work/ringtrace"
patients="${E2E_PATIENTS:-2000}"
port="${E2E_PORT:-$(node "$here/setup.mjs" port)}"
admin_pw="e2e-admin-password-$$"
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -f "$work/serve.log" ]]; then cp "$work/serve.log" "$frontend/e2e-artifacts/serve.log" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$frontend/e2e-artifacts"
step() { printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

if [[ "${E2E_SKIP_BUILD:-}" != "1" ]]; then
  step "build UI"
  (cd "$frontend" && npm run build --silent)
fi
step "build ringtrace"
(cd "$root" && go build -o "$bin" ./cmd/ringtrace)

step "generate $patients patients"
"$bin" generate --out "$work/data" --patients "$patients" --seed 7 >"$work/generate.log" 2>&1

step "ingest"
(cd "$work" && "$bin" ingest --data "$work/data" --store embedded --db "$work/db" >"$work/ingest.log" 2>&1)

step "serve on 127.0.0.1:$port"
(cd "$work" && RINGTRACE_ADMIN_PASSWORD="$admin_pw" exec "$bin" serve --store embedded --db "$work/db" --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 120); do
  if node "$here/setup.mjs" ready "http://127.0.0.1:$port"; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then echo "ringtrace serve exited:"; cat "$work/serve.log"; exit 1; fi
  sleep 0.5
done
node "$here/setup.mjs" ready "http://127.0.0.1:$port" || { echo "ringtrace serve not ready:"; cat "$work/serve.log"; exit 1; }

step "create one user per role"
node "$here/setup.mjs" users "http://127.0.0.1:$port" "$admin_pw"

step "playwright-core tests"
cd "$frontend"
BASE_URL="http://127.0.0.1:$port" ADMIN_PASSWORD="$admin_pw" node --test --test-concurrency=1 e2e/app.test.mjs e2e/intake.test.mjs e2e/perf.test.mjs
