# Sourced by the scripts that make virtualenvs of this checkout's own (schemathesis, the clients):
# `ensure_python_venv <who>` installs python3's venv module with apt-get when it is missing.
ensure_python_venv() {
  if python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' >/dev/null 2>&1; then
    return 0
  fi
  echo "$1: installing python3-venv (apt-get)" >&2
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
}
