"""Revocations heard by every server process, so callers can be cached for long.

Contract
- Both watchers below have one shape: ``start()`` (once), ``stop()``, ``listening`` and an ``on_change``
  called with ``token:<hash>``, ``user:<id>`` or ``*`` (forget everything).
- Migration 0016's triggers ``pg_notify`` the schema's ``kq_auth_channel()`` when a session ends
  (``token:<hash>``), a kiosk's token, state, site or place changes (``token:<hash>``), a user's
  name, role, password or state changes or their sites change (``user:<id>``), or the site tree
  changes (``*``), in the revoking transaction: whichever process or tool made the change.
- :class:`AuthListener` LISTENs on its own connection in a daemon thread and hands each payload to
  ``on_change``. :attr:`AuthListener.listening` is True only while it is connected and listening; when
  the connection is lost it calls ``on_change("*")`` (anything may have changed meanwhile) and again
  after reconnecting, before it says it listens again. The owner uses the long cache only while it listens.
- :meth:`AuthListener.stop` ends the thread and closes its connection (within ``poll_s``).
- SQLite has no NOTIFY: migration 0017's triggers bump the one row of ``auth_changes`` on the same changes,
  in the revoking transaction (the server's or a ``kiosk queue`` command's). :class:`SqliteAuthWatch`
  reads that row every ``poll_s`` (half a second) in a daemon thread and calls ``on_change("*")`` when it
  moved; it listens while its reads succeed (a read that fails: ``*``, short cache until one succeeds).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class _Watcher:
    """A daemon thread running ``_run`` until :meth:`stop`."""

    def __init__(self, on_change: Callable[[str], None], poll_s: float):
        self.on_change, self.poll_s = on_change, poll_s
        self.listening = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Starts the thread (once; later calls do nothing)."""
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                name = f"queue-auth-{type(self).__name__}"
                self._thread = threading.Thread(target=self._run, name=name, daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout=self.poll_s + 5)

    def _run(self) -> None:
        raise NotImplementedError


class AuthListener(_Watcher):
    """PostgreSQL: LISTENs on the schema's ``kq_auth_channel()``."""

    def __init__(self, conninfo: str, on_change: Callable[[str], None], poll_s: float = 1.0):
        super().__init__(on_change, poll_s)
        self.conninfo = conninfo

    def _run(self) -> None:
        import psycopg

        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, application_name="kiosk-queue-auth") as conn:
                    channel = conn.execute("SELECT kq_auth_channel()").fetchone()[0]
                    conn.execute(f'LISTEN "{channel}"')
                    self.on_change("*")  # whatever changed while nobody listened
                    self.listening = True
                    delay = 0.5
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=self.poll_s):
                            self.on_change(n.payload)
            except Exception as exc:  # noqa: BLE001 - connection lost: short cache until listening again
                log.warning("auth LISTEN connection failed (%s); reconnecting in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 30)
            finally:
                if self.listening:
                    self.listening = False
                    self.on_change("*")


class SqliteAuthWatch(_Watcher):
    """SQLite: polls migration 0017's revocation counter (see the module's contract)."""

    def __init__(self, db, on_change: Callable[[str], None], poll_s: float = 0.5):
        super().__init__(on_change, poll_s)
        self.db = db  # kiosk.queue.db.Database (SQLite)

    def read(self) -> int | None:
        """The counter now (None before the first revocation)."""
        with self.db.raw_read() as raw:
            row = raw.execute("SELECT n FROM auth_changes WHERE id = 1").fetchone()
        return row[0] if row else None

    def _run(self) -> None:
        seen: int | None = None
        while not self._stop.is_set():
            try:
                now = self.read()
            except Exception as exc:  # noqa: BLE001 - the database file unreadable for now: short cache
                if self.listening:
                    log.warning("auth revocation counter unreadable (%s); short cache until it reads", exc)
                    self.listening = False
                    self.on_change("*")
            else:
                if not self.listening or now != seen:
                    seen = now
                    self.on_change("*")  # (also at start: whatever changed while nobody watched)
                    self.listening = True
            self._stop.wait(self.poll_s)
