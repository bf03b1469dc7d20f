"""Group commit for SQLite's single writer: the hot-path writes that arrive together share one transaction.

Contract
- :meth:`GroupCommit.run` queues a service call and answers its result only after the transaction
  holding it committed (a 2xx still means stored). Calls queued while the event loop was busy run in one
  ``BEGIN IMMEDIATE`` … ``COMMIT`` on the writer connection, each inside its own ``SAVEPOINT``: a call
  that fails (a conflict, a validation problem) is rolled back alone and gets its exception; the others
  are kept. If the ``COMMIT`` itself fails, every call of the batch gets that error (nothing was stored).
- Events of a batch are published after its commit, in order.
- Runs on the event loop thread, like the other SQLite service calls (one writer; the GIL is the limit).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from kiosk.queue.db import Database


class GroupCommit:
    def __init__(self, db: Database, max_batch: int = 128):
        self.db, self.max_batch = db, max_batch
        self._queue: list[tuple[Callable, tuple, asyncio.Future]] = []
        self._scheduled = False
        self._local = threading.local()
        self.batches = self.calls = 0

    def current(self):
        """``(sqlite3 connection, after-commit callbacks)`` while a batch runs on this thread, else None."""
        return getattr(self._local, "batch", None)

    async def run(self, fn: Callable, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.append((fn, args, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)  # after the requests already parsed in this loop turn
        return await future

    def _flush(self) -> None:
        batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
        self._scheduled = bool(self._queue)
        if self._queue:
            asyncio.get_running_loop().call_soon(self._flush)
        after: list[Callable[[], None]] = []
        results: list[tuple[asyncio.Future, Any, BaseException | None]] = []
        try:
            with self.db.raw_write() as conn:
                self._local.batch = (conn, after)
                try:
                    for fn, args, future in batch:
                        try:
                            results.append((future, fn(*args), None))
                        except Exception as exc:  # noqa: BLE001 - handed to that call's awaiter
                            results.append((future, None, exc))
                finally:
                    self._local.batch = None
        except Exception as exc:  # noqa: BLE001 - the batch was not stored: every caller hears it
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self.batches += 1
        self.calls += len(batch)
        for callback in after:
            callback()
        for future, value, exc in results:
            if future.done():  # the caller went away; its write is stored all the same
                continue
            if exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(value)
