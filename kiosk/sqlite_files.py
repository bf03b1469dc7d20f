"""Opening the kiosk's SQLite files (tickets, outbox) when another process may open them at the same moment.

A kiosk and a manager command (``kiosk queue outbox``), or a restart that overlaps the old process, open
the same file together. Switching a new file to WAL takes a lock that SQLite's busy timeout does not
always wait for, so two processes opening at once could fail with ``database is locked``. Opening here
retries the whole set-up (pragmas and schema, which must be idempotent) with growing, jittered waits
until ``timeout_s`` has passed; only then does the error reach the caller.

The files are private to the kiosk's user: the database is created 0600 before SQLite opens it (SQLite
gives its WAL and SHM files the database's mode), and an older kiosk's looser modes are tightened.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.durable import fsync_dir

_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def is_busy(err: sqlite3.OperationalError) -> bool:
    """True when ``err`` means another connection holds a lock (worth waiting for), not a broken file."""
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    return "locked" in str(err) or "busy" in str(err)


def open_sqlite(path: str | Path, *, synchronous: str = "FULL", timeout_s: float = 30.0,
                setup: Callable[[sqlite3.Connection], None] | None = None,
                sleep: Callable[[float], None] = time.sleep) -> sqlite3.Connection:
    """A connection to ``path`` in WAL mode (autocommit; the caller issues ``BEGIN``), usable from any
    thread, after ``setup(conn)`` ran. Waits and retries while other processes hold locks."""
    deadline = time.monotonic() + timeout_s
    delay = 0.005
    _private(Path(path))
    while True:
        conn = sqlite3.connect(path, timeout=timeout_s, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(timeout_s * 1000)}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={synchronous}")
            if setup is not None:
                setup(conn)
            _private(Path(path))
            return conn
        except sqlite3.OperationalError as err:
            conn.close()
            if not is_busy(err) or time.monotonic() + delay > deadline:
                raise
        except BaseException:
            conn.close()
            raise
        sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.25)


def _private(path: Path) -> None:
    """Creates ``path`` empty with mode 0600 when missing (an empty file is an empty database), and takes
    group and other bits off it and its ``-wal``/``-shm`` files when this process owns them."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
        fsync_dir(path.parent)  # the new file's name survives a power cut (SQLite syncs its WAL's itself)
    except FileExistsError:
        pass
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            st = file.stat()
            if st.st_mode & 0o077 and st.st_uid == os.geteuid():
                os.chmod(file, st.st_mode & 0o700)
        except FileNotFoundError:
            pass
