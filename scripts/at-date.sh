#!/usr/bin/env bash
# Runs a command (by default the test suite) with the wall clock at another moment, read in TZ (default
# Asia/Shanghai, the halls' zone):
#   bash scripts/at-date.sh "2027-01-01 00:05" -- python3 -m pytest -q -p no:cacheprovider -n 2 -m "not postgres" tests/ui
#   TZ=UTC bash scripts/at-date.sh "2026-12-31 16:05" -- bash scripts/test.sh
# The clock then runs on from there. Every Python process started under it sees the moment (see
# scripts/at_date/sitecustomize.py); PostgreSQL's now() and Chromium keep the real date.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 'YYYY-MM-DD HH:MM[:SS]' [-- command...]" >&2; exit 2; }
when=$1; shift
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
PY=${PYTHON:-python3}
export TZ=${TZ:-Asia/Shanghai}
AT_DATE_EPOCH=$(date -d "$when" +%s) || { echo "not a date: $when" >&2; exit 2; }
site=${AT_DATE_SITE:-$HOME/.cache/kiosk-at-date}
if ! PYTHONPATH="$site" "$PY" -c "import time_machine" 2>/dev/null; then
  "$PY" -m pip install -q --target "$site" "time-machine>=2.10"
fi
export AT_DATE_EPOCH
unset AT_DATE_ORIGIN
export PYTHONPATH="$here/at_date:$site:$root${PYTHONPATH:+:$PYTHONPATH}"
echo "at-date: wall clock from $(date -d "@$AT_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S %Z (%a)')" >&2
if [ $# -eq 0 ]; then
  set -- bash "$root/scripts/test.sh"
fi
exec nice -n 10 "$@"
