#!/usr/bin/env bash
# Makes sure tansu (the Kafka-protocol broker the relay's tests run against) is installed, and
# prints the path of its program. Its default build has no storage engine: it is built with
# `--features dynostore` (in-memory storage, `memory://tansu/`). The build takes about 9 minutes
# on a 2-core machine, so it happens only when tansu is missing.
set -euo pipefail

version="0.6.0"
root="${CARGO_HOME:-$HOME/.cargo}"
program="$root/bin/tansu"

if [ -x "$program" ] && "$program" --version 2>/dev/null | grep -q "$version"; then
  echo "$program"
  exit 0
fi
echo "ensure-tansu: installing tansu $version (cargo install, about 9 minutes)" >&2
cargo install --quiet --locked --version "$version" --features dynostore tansu >&2
echo "$program"
