#!/usr/bin/env bash
# Runs the whole system on the embedded default: a private Postgres in ./.roster/pg and the API on
# http://127.0.0.1:8080 (override with ROSTER_LISTEN; set DATABASE_URL to use your own Postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
exec cargo run --release --locked --bin roster -- serve "$@"
