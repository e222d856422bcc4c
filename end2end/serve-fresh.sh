#!/usr/bin/env bash
# Starts the built server on a fresh SQLite database loaded with the demo campaign.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${HOCVUSO_BIN:-target/debug/hocvuso}
db_dir=target/e2e
rm -rf "$db_dir" && mkdir -p "$db_dir"
# tests/helpers.ts (`hocvuso`) runs the command line on this same database.
export DATABASE_URL="sqlite://$db_dir/hocvuso.db?mode=rwc"
export HOCVUSO_LOG=${HOCVUSO_LOG:-warn}
# A provincial deployment, as the demo's Lào Cai would run it: pages land on the province.
export HOCVUSO_PROVINCE=${HOCVUSO_PROVINCE:-15}
# The weekly report the server writes at start (the last week's) goes beside the database.
export HOCVUSO_REPORTS_DIR="$db_dir/reports"
"$bin" seed-demo
exec "$bin" serve
