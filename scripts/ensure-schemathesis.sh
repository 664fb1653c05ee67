#!/usr/bin/env bash
# Makes sure the pinned schemathesis (the API fuzzer of tests/e2e/fuzz.rs) is installed, in a
# virtualenv of this checkout's own (target/tools/schemathesis), and prints the path of its
# program. Installs python3's venv module with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python-venv.sh

version="4.32.5"
venv="target/tools/schemathesis"
program="$PWD/$venv/bin/schemathesis"

if [ -x "$program" ] && "$program" --version 2>/dev/null | grep -q "version $version\$"; then
  echo "$program"
  exit 0
fi
ensure_python_venv ensure-schemathesis
echo "ensure-schemathesis: installing schemathesis $version into $venv" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version" >&2
echo "$program"
