#!/usr/bin/env bash
# Create .venv (if missing) and install the pinned dependencies from requirements.lock.
# Works on a machine with only Python 3.11+, make and apt: installs python3-venv when the
# interpreter lacks the venv/ensurepip modules (Debian splits them out).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "bootstrap: $PYTHON not found; install Python 3.11 or newer" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "bootstrap: Python 3.11 or newer is required ($("$PYTHON" --version))" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
    rm -rf .venv
    version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    if command -v apt-get >/dev/null 2>&1; then
      echo "bootstrap: installing python${version}-venv with apt-get" >&2
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
      $SUDO apt-get update -qq
      $SUDO apt-get install -y -qq "python${version}-venv" || $SUDO apt-get install -y -qq python3-venv
    fi
    "$PYTHON" -m venv .venv
  fi
fi

.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
touch .venv/.installed
