#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, postgres) are installed, and, when running as
# root, that the unprivileged `postgres` user exists to run them. Installs what is missing.
set -euo pipefail

have_server() {
  command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
  if command -v pg_config >/dev/null 2>&1; then
    local bindir; bindir="$(pg_config --bindir)"
    [ -x "$bindir/initdb" ] && [ -x "$bindir/postgres" ] && return 0
  fi
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! have_server; then
  echo "ensure-postgres: installing the PostgreSQL server binaries (apt-get install postgresql)" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "ensure-postgres: creating the unprivileged 'postgres' user to run the server as" >&2
  useradd --system --home-dir /var/lib/postgresql --create-home --shell /bin/bash postgres
fi
