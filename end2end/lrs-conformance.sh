#!/usr/bin/env bash
# ADL's LRS conformance suite (xAPI 1.0.3) against the server, each database a throw-away one:
# SQLite always, PostgreSQL when HOCVUSO_TEST_POSTGRES_URL names a server. The server signs the suite
# in with a platform connection (HTTP Basic), as Open edX and Moodle are. `make lrs-conformance`
# (release build) and `make lrs-conformance-debug` (debug build, part of `make test`) install the suite
# under target/lrs-cts and build the server first. Prints one line a database, writes
# target/lrs-conformance-{sqlite,postgres}.json ({"total","passed","failed"}), and exits 1 unless every
# database passed every test it ran.
set -euo pipefail
cd "$(dirname "$0")/.."
# HOCVUSO_BIN may name another build (a debug one while working); LRS_GREP runs only the tests
# whose title matches it.
bin=${HOCVUSO_BIN:-$PWD/target/release/hocvuso}
cts=$PWD/target/lrs-cts
version=${LRS_XAPI_VERSION:-1.0.3}

run() { # label database-url
  local label=$1 url=$2 port pid creds
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  DATABASE_URL=$url "$bin" migrate > /dev/null
  creds=$(DATABASE_URL=$url "$bin" platform create --name "LRS conformance" --home-page "http://127.0.0.1:$port" | tail -n 1)
  DATABASE_URL=$url HOCVUSO_ADDR=127.0.0.1:$port HOCVUSO_LOG=${HOCVUSO_LOG:-warn} "$bin" serve &
  pid=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
  (cd "$cts" && node bin/console_runner.js -x "$version" -e "http://127.0.0.1:$port/xapi" -a \
    -u "${creds%%:*}" -p "${creds#*:}" -z ${LRS_GREP:+-g "$LRS_GREP"} > "$cts/last-run-$label.txt" 2>&1) || true
  kill "$pid" && wait "$pid" 2> /dev/null || true
  grep -o '{"total":[^}]*}' "$cts/last-run-$label.txt" | tail -n 1 > "target/lrs-conformance-$label.json" || true
  echo "xAPI $version on $label: $(cat "target/lrs-conformance-$label.json") (failures: $cts/last-run-$label.txt, logs: $cts/logs)"
  ran+=("$label")
}

# Every test passed: failed is 0 and passed equals a total above 0 (an empty file is a run that never finished).
all_passed() { # label
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r["failed"] == 0 and r["passed"] == r["total"] > 0 else 1)' "target/lrs-conformance-$1.json" 2> /dev/null
}

ran=()

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run sqlite "sqlite://$dir/lrs.db?mode=rwc"
if [ -n "${HOCVUSO_TEST_POSTGRES_URL:-}" ]; then
  name=hocvuso_lrs_$$
  psql "$HOCVUSO_TEST_POSTGRES_URL" -qc "CREATE DATABASE $name" > /dev/null
  run postgres "${HOCVUSO_TEST_POSTGRES_URL%/*}/$name"
  psql "$HOCVUSO_TEST_POSTGRES_URL" -qc "DROP DATABASE $name WITH (FORCE)" > /dev/null
fi
failing=()
for label in "${ran[@]}"; do all_passed "$label" || failing+=("$label"); done
if [ ${#failing[@]} -gt 0 ]; then
  echo "xAPI $version: not every test passed on ${failing[*]}" >&2
  exit 1
fi
