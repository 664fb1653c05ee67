#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, and every unit and end-to-end test (each test
# binary starts its own throwaway Postgres on a free loopback port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
ROSTER_SCHEMATHESIS="$(bash scripts/ensure-schemathesis.sh)"
ROSTER_TANSU="$(bash scripts/ensure-tansu.sh)"
ROSTER_CLIENT_PYTHON="$(bash scripts/ensure-clients.sh)"
ROSTER_AXE="$(bash scripts/ensure-browser.sh)"
export ROSTER_SCHEMATHESIS ROSTER_TANSU ROSTER_CLIENT_PYTHON ROSTER_AXE
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings

# Tests that need root (roster and its Postgres as other users) cannot run as anyone else: as
# root a skip fails the test, otherwise it is allowed and named at the end.
if [ "$(id -u)" != 0 ]; then
  export ROSTER_ALLOW_SKIPS=1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --workspace --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite (cargo prints one per test binary, the last often empty).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
grep -o 'SKIPPED [^:]*' "$log" | sort -u || true
exit "$status"
