"""Opening a SQLite file that another connection holds locked: wait and retry, then a clear error."""

import sqlite3
import threading

import pytest

from kiosk.sqlite_files import is_busy, open_sqlite


def _hold_exclusive(path, seconds: float, locked: threading.Event) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    locked.set()
    threading.Event().wait(seconds)
    db.execute("COMMIT")
    db.close()


def test_waits_for_a_lock_then_opens_and_runs_the_setup(tmp_path):
    path = tmp_path / "x.sqlite3"
    locked = threading.Event()
    holder = threading.Thread(target=_hold_exclusive, args=(path, 0.4, locked))
    holder.start()
    assert locked.wait(5)
    db = open_sqlite(path, timeout_s=30, setup=lambda c: c.execute("CREATE TABLE IF NOT EXISTS t (x)"))
    holder.join()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    db.execute("INSERT INTO t VALUES (1)")
    db.close()


def test_gives_up_after_its_timeout_with_sqlites_own_error(tmp_path):
    path = tmp_path / "x.sqlite3"
    locked = threading.Event()
    holder = threading.Thread(target=_hold_exclusive, args=(path, 2.0, locked))
    holder.start()
    assert locked.wait(5)
    with pytest.raises(sqlite3.OperationalError, match="locked") as err:
        open_sqlite(path, timeout_s=0.2)
    assert is_busy(err.value)
    holder.join()


def test_a_broken_file_is_not_retried(tmp_path):
    path = tmp_path / "x.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    slept: list[float] = []
    with pytest.raises(sqlite3.DatabaseError):
        open_sqlite(path, sleep=slept.append, setup=lambda c: c.execute("CREATE TABLE IF NOT EXISTS t (x)"))
    assert slept == []
