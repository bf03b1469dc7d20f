"""PostgreSQL connections for the event loop: the hot paths' one-message writes without a thread.

Contract
- :class:`AsyncPool` lends autocommit ``psycopg.AsyncConnection`` objects, at most ``size`` at once
  (others wait their turn), opened on first need and kept. It belongs to the loop it was first used on;
  :meth:`call` on another loop (the server started again in the same process, a test's second client)
  starts afresh there and closes the connections of the old loop (on that loop if it still runs: a
  connection is used by one thread at a time); a connection the old loop gives back later is closed,
  never lent on the new one. :class:`GroupFlush` does the same with its connection.
- :meth:`call` sends one of :mod:`kiosk.queue.pg_write`'s messages (committed with ``synchronous_commit``
  off: no wait for the disk), gives the connection back at once, then waits for the group flush
  (:class:`GroupFlush`) and only then answers the parsed result: the answer still means "on disk". A
  connection that failed (closed, or left in a transaction) is dropped, never lent again.
- :class:`GroupFlush`: one flusher per loop on a connection of its own sends :data:`kiosk.queue.pg_flush.FLUSH_SQL`
  (a synchronous commit: it returns once the WAL up to it is on disk) once for every write that committed
  before it was sent (the WAL is sequential: a flush emitted after a commit covers it); writes that commit
  while a flush is in flight wait for the next one. A failed flush (connection lost) raises its error to
  every write it was to cover (the kiosk gets 503 ``database_unavailable``, its outbox retries: creates
  are idempotent by id); the flusher reconnects for the next. ``flushes`` counts the flushes done,
  ``waits`` the writes that waited for one (their ratio is the group size).
- ``waiting`` is the number of writes waiting for a connection (the metrics' queueing figure).
- :meth:`close` closes the idle connections and the flusher's (the app's shutdown); :meth:`close_now`
  does it without a running loop (``Database.dispose``: a test's teardown, an app never shut down).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import psycopg

from kiosk.queue import pg_write
from kiosk.queue.pg_flush import FLUSH_SQL


class GroupFlush:
    def __init__(self, conninfo: str):
        self.conninfo = conninfo
        self.flushes = self.waits = 0
        self.started = 0  # flushes sent so far (a flush numbered > this, at a commit's end, started after it)
        self.done = 0  # the number of the last flush that returned
        self._conn: psycopg.AsyncConnection | None = None
        self._next: asyncio.Future | None = None  # the flush the writes committed by now will wait for
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def wait(self) -> None:
        """Returns once a flush sent after this call began is on disk; raises its error if it failed."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            _close_stale(self._loop, [self._conn])
            self._loop, self._conn, self._next, self._task = loop, None, None, None
        if self._next is None:
            self._next = loop.create_future()
            self._next.add_done_callback(_retrieved)
        self.waits += 1
        covering = self._next
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())
        await asyncio.shield(covering)  # (a writer that gives up does not cancel the others' flush)

    async def _run(self) -> None:
        while self._next is not None:
            covering, self._next = self._next, None  # later commits wait for the next flush
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
                self.started += 1
                number = self.started
                await self._send(self._conn)
            except Exception as exc:
                await self._drop()
                if not covering.done():
                    covering.set_exception(exc)
                continue
            except BaseException:  # cancelled (the loop closing): the writes waiting hear of it
                await self._drop()
                if not covering.done():
                    covering.cancel()
                raise
            self.flushes += 1
            self.done = number
            if not covering.done():
                covering.set_result(None)

    async def _send(self, conn: psycopg.AsyncConnection) -> None:
        await conn.execute(FLUSH_SQL, prepare=True)

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            with contextlib.suppress(Exception):  # (already broken: nothing more to do)
                await conn.close()

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task])
        await self._drop()

    def close_now(self) -> None:
        conn, self._conn = self._conn, None
        _close_stale(self._loop, [conn])


def _retrieved(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()  # (no "exception never retrieved" when every writer has gone)


def _close_stale(loop: asyncio.AbstractEventLoop | None, conns: list) -> None:
    """Closes ``conns``, opened on ``loop``: on that loop if it runs in another thread (one thread at a time
    uses a connection), else at once. libpq's finish: sends nothing, awaits nothing, any loop or none."""
    conns = [c for c in conns if c is not None and not c.closed]
    if not conns:
        return

    def finish() -> None:
        for conn in conns:
            if not conn.closed:
                conn.pgconn.finish()

    try:
        current = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    if loop is not None and loop is not current and loop.is_running() and not loop.is_closed():
        loop.call_soon_threadsafe(finish)
    else:
        finish()


class AsyncPool:
    def __init__(self, conninfo: str, size: int = 8):
        self.conninfo, self.size = conninfo, size
        self.flusher = GroupFlush(conninfo)
        self.on_commit: Callable[[], None] | None = None  # (tests: called once a write's commit returned)
        self._idle: list[psycopg.AsyncConnection] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _bind(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None:
            _close_stale(self._loop, self._idle)
            self._loop, self._idle, self._slots = loop, [], asyncio.Semaphore(self.size)
        return self._slots

    @property
    def waiting(self) -> int:
        return len(getattr(self._slots, "_waiters", None) or ())

    async def call(self, sql: str, params: tuple) -> dict:
        """``sql`` commits without waiting for the disk (``pg_write.CREATE_COMMIT`` / ``CLAIM_COMMIT``); the answer comes
        after the group flush that covers it."""
        async with self._bind():
            idle = self._idle  # (this loop's: a connection given back after a loop change is closed)
            conn = idle.pop() if idle else await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
            ok = False
            try:
                out = await pg_write.call_async(conn, sql, params)
                ok = True
            finally:
                status = conn.info.transaction_status
                if idle is self._idle and (ok or (not conn.closed and status == psycopg.pq.TransactionStatus.IDLE)):
                    idle.append(conn)
                else:
                    await conn.close()
        if self.on_commit is not None:
            self.on_commit()
        await self.flusher.wait()
        return out

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()
        await self.flusher.close()

    def close_now(self) -> None:
        idle, self._idle = self._idle, []
        _close_stale(self._loop, idle)
        self.flusher.close_now()
