"""Calls that take long (the 代办台账 export, the supervision figures, a slip's PNG): off the event loop, a
few at a time.

Contract
- On SQLite, service calls run inline on the event loop (:meth:`~kiosk.queue.context.Context.run`: they
  take well under a millisecond). The ledger export of a busy town's year (2,000 cases) took 8 s there,
  during which the server answered nobody (kiosks, claims, the consoles' keep-alives). :meth:`Slots.run`
  runs such a call in the worker threads on every database, at most ``size`` at once per process; one
  beyond answers 503 with ``code`` and ``Retry-After`` at once (a burst of clicks or a script can neither
  queue up the threads every other call needs nor keep the CPU). A staff session's call pays its CPU from
  its read budget (:class:`kiosk.queue.reads.Work`): the flat cost of an export (20 units) was ~60 ms
  of a year's 8 s; a stolen manager session could keep both slots busy (every supervisor's figures 503).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.queue.errors import _kind
from kiosk.queue.reads import Work

Busy = _kind("HeavyBusy", 503, "Too many long calls at once; ``extra['retry_after']`` seconds to wait.")


class Slots:
    def __init__(self, size: int, code: str, retry_s: int = 5):
        self.code, self.retry_s = code, retry_s
        self._free = threading.BoundedSemaphore(size)

    async def run(self, fn: Callable, *args, **kwargs):
        """``fn(*args, **kwargs)`` in a worker thread; :class:`Busy` when every slot is taken."""
        from starlette.concurrency import run_in_threadpool

        if not self._free.acquire(blocking=False):
            raise Busy(self.code, retry_after=self.retry_s)
        work = Work(fn, *args, **kwargs)  # a staff session's read pays its CPU (kiosk/queue/reads.py)
        try:
            return await run_in_threadpool(work)
        finally:
            self._free.release()
            work.settle()


LEDGER = Slots(2, "report_busy")  # the Excel ledger and the figures: a report's weight
SLIPS = Slots(2, "slip_busy", retry_s=1)  # a slip drawn as PNG (~0.1–0.4 s of CPU)
