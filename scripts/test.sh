#!/usr/bin/env bash
# The whole test suite: lint, then pytest (SQLite and PostgreSQL, offscreen Kivy, headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# PostgreSQL at 127.0.0.1:5432 (trust auth, database test): start the cluster when it is not up.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    ver=$(ls /etc/postgresql 2>/dev/null | head -n 1)
    [ -n "$ver" ] && pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
fi

"$PY" -m ruff check kiosk tests bench
export KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
# One worker per core (at most 4): the suite's tests are independent processes' worth of work (own
# ports, own PostgreSQL schema, own Kivy window); PYTEST_WORKERS=0 runs them in this process instead.
workers=${PYTEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}
[ "$workers" -gt 4 ] && workers=4
if [ "$workers" -gt 1 ]; then
  "$PY" -m pytest -q -p no:cacheprovider -n "$workers" "$@"
else
  "$PY" -m pytest -q -p no:cacheprovider "$@"
fi
