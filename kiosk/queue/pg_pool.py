"""PostgreSQL connections for the event loop: the hot paths' one-message writes without a thread.

Contract
- :class:`AsyncPool` lends autocommit ``psycopg.AsyncConnection`` objects, at most ``size`` at once
  (others wait their turn), opened on first need and kept. It belongs to the loop it was first used on;
  :meth:`call` on another loop (a test's second client) starts afresh there.
- :meth:`call` sends one of :mod:`kiosk.queue.pg_write`'s messages and answers the parsed result. A
  connection that failed (closed, or left in a transaction) is dropped, never lent again.
- :meth:`close` closes the idle connections (the app's shutdown).
"""

from __future__ import annotations

import asyncio

import psycopg

from kiosk.queue import pg_write


class AsyncPool:
    def __init__(self, conninfo: str, size: int = 8):
        self.conninfo, self.size = conninfo, size
        self._idle: list[psycopg.AsyncConnection] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _bind(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None:
            self._loop, self._idle, self._slots = loop, [], asyncio.Semaphore(self.size)
        return self._slots

    async def call(self, sql: str, params: tuple) -> dict:
        async with self._bind():
            conn = self._idle.pop() if self._idle else await psycopg.AsyncConnection.connect(
                self.conninfo, autocommit=True)
            ok = False
            try:
                out = await pg_write.call_async(conn, sql, params)
                ok = True
                return out
            finally:
                status = conn.info.transaction_status
                if ok or (not conn.closed and status == psycopg.pq.TransactionStatus.IDLE):
                    self._idle.append(conn)
                else:
                    await conn.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()
