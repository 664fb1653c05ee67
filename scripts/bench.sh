#!/usr/bin/env bash
# Runs the benchmarks (release build) on a private, durable Postgres and prints the ratios against
# baselines measured in the same run. `--markdown` prints the table for docs/benchmarks.md.
# The Kafka relay is measured against a tansu broker started here (installed when missing), unless
# KAFKA_BROKERS names one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
cargo build --release --locked --bin roster

if [ -z "${KAFKA_BROKERS:-}" ]; then
  tansu="$(bash scripts/ensure-tansu.sh)"
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  url="tcp://127.0.0.1:$port"
  "$tansu" broker --listener-url "$url" --advertised-listener-url "$url" \
    --storage-engine memory://tansu/ >/dev/null 2>&1 &
  broker=$!
  trap 'kill "$broker" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export KAFKA_BROKERS="127.0.0.1:$port"
fi
target/release/roster bench "$@"
