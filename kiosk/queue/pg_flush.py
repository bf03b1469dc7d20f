"""PostgreSQL's group commit for the threads' writes: a write commits with ``synchronous_commit = off``, gives its
connection back, then waits in :class:`ThreadFlush` for a flush begun after its commit (see :mod:`kiosk.queue.db`;
the event loop's twin is :class:`kiosk.queue.pg_pool.GroupFlush`)."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)
# A transaction of its own that writes a WAL record (a transactional logical-decoding message, ignored by
# everyone) and so commits synchronously: it returns once the WAL up to it is on disk. (``SELECT
# pg_current_xact_id()`` alone, used before, writes no WAL: its commit did not wait; measured 0.08 ms a
# write against 4 ms for a synchronous commit on this machine.)
FLUSH_SQL = "SELECT pg_logical_emit_message(true, 'kq_flush', '')"


class ThreadFlush:
    """Threads' writes share WAL flushes: :meth:`wait` (after a commit) returns once a flush begun after it
    is on disk, or raises that flush's error. The first waiter with no flush running sends it, on a
    connection of its own, for every writer waiting by then (as :class:`kiosk.queue.pg_pool.GroupFlush`
    does on the event loop)."""

    def __init__(self, conninfo):
        self._conninfo, self._cond, self._conn = conninfo, threading.Condition(), None
        self._sent = self._done = self.flushes = self.waits = 0
        self._busy = False
        self._errors: dict[int, BaseException] = {}  # failed flushes by number (the recent ones)

    def wait(self) -> None:
        with self._cond:
            need = self._sent + 1  # the first flush begun after this commit covers it
            self.waits += 1
            while self._done < need:
                if self._busy:
                    self._cond.wait()
                    continue
                self._busy, self._sent = True, self._sent + 1
                number = self._sent
                self._cond.release()
                error: BaseException | None = RuntimeError("the WAL flush was interrupted")
                try:
                    error = self._flush()
                finally:
                    self._cond.acquire()
                    self._busy, self._done = False, number
                    if error is not None:  # (never taken for a success by the writers it covered)
                        self._errors = {n: e for n, e in self._errors.items() if n > number - 1000}
                        self._errors[number] = error
                    self._cond.notify_all()
            error = self._errors.get(need)
        if error is not None:
            raise error

    def _flush(self) -> BaseException | None:
        import psycopg

        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(self._conninfo(), autocommit=True)
            self._send(self._conn)
            self.flushes += 1
            return None
        except Exception as exc:
            self._close()
            return exc

    def _send(self, conn) -> None:
        conn.execute(FLUSH_SQL, prepare=True)

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # (already broken)
                log.debug("flush connection close failed", exc_info=True)

    def close(self) -> None:
        with self._cond:
            self._close()
