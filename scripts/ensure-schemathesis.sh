#!/usr/bin/env bash
# Makes sure the pinned schemathesis (the API fuzzer of tests/e2e/fuzz.rs) is installed, in a
# virtualenv of this checkout's own (target/tools/schemathesis), and prints the path of its
# program. Installs python3's venv module with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

version="4.32.5"
venv="target/tools/schemathesis"
program="$PWD/$venv/bin/schemathesis"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x "$program" ] && "$program" --version 2>/dev/null | grep -q "version $version\$"; then
  echo "$program"
  exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  echo "ensure-schemathesis: installing python3-venv (apt-get)" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null
fi
echo "ensure-schemathesis: installing schemathesis $version into $venv" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version" >&2
echo "$program"
