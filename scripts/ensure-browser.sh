#!/usr/bin/env bash
# Makes sure the console's browser tests can run: Debian's Chromium and ChromeDriver
# (/usr/bin/chromium, /usr/bin/chromedriver; apt-get installs them when missing) and axe-core from
# the npm registry, as tests/e2e/console/package-lock.json pins it. Prints axe-core's script.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "ensure-browser: installing Chromium and ChromeDriver (apt-get install chromium chromium-driver)" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
fi
(cd tests/e2e/console && npm ci --silent --no-audit --no-fund --ignore-scripts >&2)
echo "$PWD/tests/e2e/console/node_modules/axe-core/axe.min.js"
