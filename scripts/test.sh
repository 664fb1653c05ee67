#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, and every unit and end-to-end test (each test
# binary starts its own throwaway Postgres on a free loopback port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo test --locked --workspace
