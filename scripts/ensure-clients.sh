#!/usr/bin/env bash
# Makes sure the typed clients can run in tests/e2e/clients.rs: a virtualenv of this checkout's
# own (target/tools/clients/run) with clients/python installed from its path, as a user would
# install it, plus the official `standardwebhooks` library for the receiver example; and the
# TypeScript client's npm packages (clients/typescript/node_modules). Prints the virtualenv's
# python. Installs python3's venv module with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python-venv.sh

venv="target/tools/clients/run"
python="$PWD/$venv/bin/python"

ensure_python_venv ensure-clients
if [ ! -x "$python" ]; then
  echo "ensure-clients: making $venv" >&2
  python3 -m venv "$venv"
fi
# Every time: the client as it is in this checkout, as `pip install ./clients/python` installs it
# (from a copy: building leaves files beside the sources).
copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
cp -r clients/python "$copy/python"
"$python" -m pip install --quiet --disable-pip-version-check "$copy/python" "standardwebhooks==1.3.0" >&2
"$python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$copy/python" >&2
# The TypeScript client's packages (openapi-fetch; typescript, @types/node and standardwebhooks
# for the tests and the receiver example), as its lock file pins them.
(cd clients/typescript && npm ci --silent --no-audit --no-fund --ignore-scripts >&2)
echo "$python"
