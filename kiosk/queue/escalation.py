"""The server's background work: escalation of unclaimed requests, 代办 deadline flags, the periodic purge.

Contract: :class:`Background` runs on the server's event loop, calls ``QueueService.escalate`` every
``tick_s`` seconds, ``CaseService.sweep`` (due-soon / overdue flags, pushed live) every ``sweep_s`` seconds
and ``HealthService.purge`` with the 代办 retention (``CaseService.retention.erase_due``) every
``purge_s`` seconds, and ``Database.refresh_stats`` (SQLite's planner statistics) at start and every
``stats_s`` seconds, each in a worker thread so the loop never blocks. Time comes from the services' injectable clock, so tests move time without waiting.
Escalation is idempotent (conditional updates), so several server processes may run it at once.
A failure is logged and retried on the next tick; it never stops the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)


class Background:
    def __init__(self, queue_service, health_service, *, tick_s: float = 1.0, purge_s: float = 60.0,
                 cases=None, sweep_s: float = 30.0, db=None, stats_s: float = 6 * 3600):
        self.queue, self.health, self.cases, self.db = queue_service, health_service, cases, db
        self.tick_s, self.purge_s, self.sweep_s, self.stats_s = tick_s, purge_s, sweep_s, stats_s
        self._task: asyncio.Task | None = None
        self._stopping: asyncio.Event | None = None

    def start(self) -> None:
        self._stopping = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="queue-background")

    async def stop(self) -> None:
        """Ends the loop after the step under way. Cancelling the task would leave that step's thread running
        on after shutdown disposed of the database: on PostgreSQL, libpq on a freed connection, a segfault."""
        if self._task is None or self._stopping is None:
            return
        self._stopping.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        next_purge, last_sweep, next_stats = 0.0, float("-inf"), 0.0
        assert self._stopping is not None
        while not self._stopping.is_set():
            try:
                moved = await run_in_threadpool(self.queue.escalate)
                if moved:
                    log.info("escalated %d waiting request(s)", moved)
                if self.cases is not None and time.monotonic() >= last_sweep + self.sweep_s:
                    last_sweep = time.monotonic()
                    flagged = await run_in_threadpool(self.cases.sweep)
                    if flagged:
                        log.info("flagged %d 代办 case(s) due soon or overdue", flagged)
                if self.db is not None and time.monotonic() >= next_stats:
                    next_stats = time.monotonic() + self.stats_s
                    await run_in_threadpool(self.db.refresh_stats)
                if time.monotonic() >= next_purge:
                    purged = await run_in_threadpool(self.health.purge)
                    next_purge = time.monotonic() + self.purge_s
                    if self.cases is not None:  # closed 代办 cases past retention: personal data erased
                        purged["case_personal_data"] = await run_in_threadpool(self.cases.retention.erase_due)
                    if any(purged.values()):
                        log.info("purged %s", purged)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background queue work failed; retrying next tick")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.tick_s)
