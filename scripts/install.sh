#!/usr/bin/env bash
# Installs everything the kiosk, its simulators, the help-queue server and the tests need, on a fresh
# Debian 12 machine as root (or with sudo). Safe to run again: it skips what is already there.
# (libnss3-tools: the HTTPS test trusts a CA in Chromium's NSS database; postgresql-client: pg_dump for
# the backup test. A kiosk in a hall also needs cage and xwayland: see README "Deploying".)
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
DEBS=(fonts-wqy-microhei fonts-hanazono libgl1 libegl1 libmtdev1 chromium espeak-ng alsa-utils libnss3-tools postgresql-client)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install: Debian packages ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if ! "$PY" -c 'import kiosk, pytest, playwright' >/dev/null 2>&1 || [ "${FORCE_PIP:-}" = 1 ] \
   || [ pyproject.toml -nt .install-stamp ]; then
  echo "install: Python packages (pip install -e .[test])"
  "$PY" -m pip install -q --disable-pip-version-check -e ".[test]"
  touch .install-stamp
fi
