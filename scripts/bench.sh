#!/usr/bin/env bash
# Runs the benchmarks (release build) on a private, durable Postgres and prints the ratios against
# baselines measured in the same run. `--markdown` prints the table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
cargo build --release --locked --bin roster
# The read benchmark serves HTTP: keep per-request logs out of the results.
export RUST_LOG="${RUST_LOG:-warn,sqlx=error}"
exec target/release/roster bench "$@"
