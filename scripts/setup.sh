#!/usr/bin/env bash
# Set up frontlines on a fresh machine: Debian packages the tests need, and the virtual environment
# at .venv/ with everything from PyPI. Safe to re-run: it skips what is already in place.
#   bash scripts/setup.sh          # runtime only (the demo)
#   bash scripts/setup.sh --test   # plus what the test suite needs (PostgreSQL server)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "usage: $0 [--test]" >&2; exit 2 ;;
  esac
done

apt_install() {
  # Install Debian packages when missing; needs root (or passwordless sudo).
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      echo "setup: cannot install ${missing[*]} (not root); the tests that need them will be skipped" >&2
      return 0
    fi
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ "$want_test" -eq 1 ] && command -v apt-get >/dev/null 2>&1; then
  # A real PostgreSQL server for the store tests; Debian's Chromium for the browser tests.
  apt_install postgresql chromium
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
# Reinstall only when the project's dependency list changed.
stamp=.venv/.frontlines-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing frontlines and its dependencies into .venv (about a minute)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" > "$stamp"
fi
# The dashboard's map library (Leaflet) from the npm registry, bundled into the package's static files.
if [ ! -f src/frontlines/web/static/vendor/leaflet.js ]; then
  if command -v npm >/dev/null 2>&1; then
    bash scripts/web-assets.sh
  else
    echo "setup: npm not found; the dashboard map needs Leaflet (run scripts/web-assets.sh once npm is installed)" >&2
  fi
fi
# Build the gazetteer index once, so the first command is not the slow one.
.venv/bin/python -c "from frontlines.geo.gazetteer import get_gazetteer; print(f'setup: gazetteer ready, {len(get_gazetteer()):,} places')"
