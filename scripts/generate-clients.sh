#!/usr/bin/env bash
# Generates the typed clients in clients/ from roster's OpenAPI document (`roster openapi`):
# clients/python/roster_api with openapi-python-client, clients/typescript/src/schema.ts with
# openapi-typescript, both pinned and installed by package name into target/tools/clients. The
# generated files are never edited by hand; the thin layers beside them are (docs/clients.md).
#
#   scripts/generate-clients.sh          regenerate in place
#   scripts/generate-clients.sh --check  regenerate into a scratch directory and fail, showing the
#                                        difference, when the committed clients differ
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python-venv.sh

python_generator="openapi-python-client==0.29.1"
typescript_generator="openapi-typescript@7.13.0"
tools="$PWD/target/tools/clients"

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

ensure_python_venv generate-clients
installed="$("$tools/python/bin/pip" show openapi-python-client 2>/dev/null || true)"
if ! grep -qx "Version: ${python_generator#*==}" <<<"$installed"; then
  echo "generate-clients: installing $python_generator into $tools/python" >&2
  rm -rf "$tools/python"
  python3 -m venv "$tools/python"
  "$tools/python/bin/pip" install --quiet --disable-pip-version-check "$python_generator" >&2
fi
if [ ! -x "$tools/typescript/node_modules/.bin/openapi-typescript" ] ||
   ! grep -q "\"version\": \"${typescript_generator#*@}\"" "$tools/typescript/node_modules/openapi-typescript/package.json"; then
  echo "generate-clients: installing $typescript_generator into $tools/typescript" >&2
  mkdir -p "$tools/typescript"
  npm install --silent --no-audit --no-fund --prefix "$tools/typescript" "$typescript_generator" >&2
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# The document of the binary the tests built (ROSTER_BIN), else of a fresh build.
if [ -z "${ROSTER_BIN:-}" ]; then
  cargo build --quiet --locked -p roster
  ROSTER_BIN=target/debug/roster
fi
"$ROSTER_BIN" openapi > "$scratch/openapi.json"

# Python: the package only (`--meta none`); clients/python/pyproject.toml is hand-written.
(cd "$scratch" && PATH="$tools/python/bin:$PATH" "$tools/python/bin/openapi-python-client" generate \
  --path openapi.json --meta none --output-path roster_api \
  --config "$OLDPWD/clients/python/generator.yaml") > "$scratch/python.log" 2>&1
rm -rf "$scratch/roster_api/.ruff_cache"
# TypeScript: the types of every path and schema, for openapi-fetch.
"$tools/typescript/node_modules/.bin/openapi-typescript" "$scratch/openapi.json" \
  --output "$scratch/schema.ts" --alphabetize --default-non-nullable false > "$scratch/typescript.log" 2>&1
# The document must be one both generators take as it is: any warning is a failure.
if grep -qi "warn" "$scratch/python.log" "$scratch/typescript.log"; then
  cat "$scratch/python.log" "$scratch/typescript.log" >&2
  echo "generate-clients: a generator warned about the OpenAPI document" >&2
  exit 1
fi

if $check; then
  status=0
  diff -ru clients/python/roster_api "$scratch/roster_api" || status=1
  diff -u clients/typescript/src/schema.ts "$scratch/schema.ts" || status=1
  if [ "$status" != 0 ]; then
    echo "generate-clients: the committed clients differ from the OpenAPI document; run scripts/generate-clients.sh" >&2
  fi
  exit "$status"
fi
rm -rf clients/python/roster_api
cp -r "$scratch/roster_api" clients/python/roster_api
cp "$scratch/schema.ts" clients/typescript/src/schema.ts
echo "generate-clients: clients/python/roster_api and clients/typescript/src/schema.ts regenerated" >&2
