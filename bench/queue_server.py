"""What the help-queue benchmarks share: a ``kiosk queue serve`` process of their own, and helpers with
sessions already open (so a bench does not spend its time on argon2 logins).

Import it from a bench script (``bench/`` is on ``sys.path`` when one runs as ``python3 bench/x.py``)::

    from queue_server import add_helpers, start_queue_server
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit


class QueueServer:
    """A started server: ``proc`` (stderr still piped), ``url`` (``http://host:port``), ``host``, ``port``."""

    def __init__(self, proc: subprocess.Popen, url: str):
        self.proc, self.url = proc, url
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", int(parts.port or 0)

    def stop(self, timeout: float = 10) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=timeout)


def start_queue_server(state: Path, db_url: str | None = None, extra: Sequence[str] = (),
                       env: dict | None = None) -> QueueServer:
    """``kiosk queue serve`` on a free port (SQLite in ``state``, or ``db_url``) in a process of its own;
    returns once it prints ``listening on``."""
    db = ["--db", db_url] if db_url else []
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "queue", "serve", *db, "--state-dir", str(state),
                             "--port", "0", *extra], stderr=subprocess.PIPE, text=True, env=env)
    line = ""
    while "listening on" not in line:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise SystemExit("server did not start")
    return QueueServer(proc, line.strip().rsplit(" ", 1)[-1])


def add_helpers(db, count: int, site_of: Callable[[int], str], now: datetime) -> list[tuple[str, str]]:
    """``count`` on-duty helpers ``h000``… (helper ``i`` at site ``site_of(i)``), each with a session open
    for two hours; returns ``(site, session token)`` a helper."""
    from kiosk.queue.auth import hash_password
    from kiosk.queue.crypto import SESSION_TOKEN_PREFIX, hash_token, new_token
    from kiosk.queue.models import sessions, user_sites, users

    pw, tokens = hash_password("bench-password"), []
    with db.write() as conn:
        for i in range(count):
            site = site_of(i)
            uid = conn.execute(users.insert().values(
                username=f"h{i:03d}", display_name=f"帮办{i:03d}", role="helper", password_hash=pw, active=True,
                failed_logins=0, on_duty=True, created_at=now)).inserted_primary_key[0]
            conn.execute(user_sites.insert().values(user_id=uid, site_code=site))
            token = new_token(SESSION_TOKEN_PREFIX)
            conn.execute(sessions.insert().values(token_hash=hash_token(token), user_id=uid, created_at=now,
                                                  expires_at=now + timedelta(hours=2)))
            tokens.append((site, token))
    return tokens
