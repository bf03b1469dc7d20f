"""The read budget of a staff session: what its GETs under ``/api/v1/`` may cost a minute.

Contract
- Writes were budgeted per staff member (kiosk/queue/guard.py), reads not: a script holding a stolen helper
  session could keep the server busy with ``GET /api/v1/requests?limit=1000`` in a loop (600 KB, ~50 ms of
  CPU each), or by opening the event stream from ``after=0`` again and again (each open reads and sends up
  to 1,001 events). On SQLite those reads run on the event loop: every kiosk and console waited.
- Each session (keyed by its token's hash: a helper's own phone is not slowed by a stolen copy of another
  of her sessions) may spend ``ServerSettings.staff_reads_per_minute`` units a minute (:data:`PER_MINUTE`
  by default), counted in a fixed window per process (:class:`kiosk.queue.budget.AddressBudget`, as the
  write budgets). A read costs :func:`read_cost` units before it runs (1; more for the figures, reports,
  the export and a slip's picture, which cost CPU without many bytes) and one more for every
  :data:`BYTES_PER_UNIT` of its answer as they are sent (:func:`bytes_cost`). A unit is about one small
  read's server CPU (~3 ms, measured); a page of 1,000 requests costs 19, an event stream opened from the
  last event seen 1, one reopened from ``after=0`` on a busy day ~30.
- The work a read's service calls do is charged too (:func:`work_cost`, a unit per :data:`WORK_PER_UNIT`,
  after each call, through :data:`PAYER`, which the guard sets for a session's read): the CPU the call took
  in the server process (on SQLite the event loop's, which every kiosk and console waits for; on
  PostgreSQL its service thread's: the database's own work is not counted, its wall time would charge a
  console for a loaded machine). An answer can be small and its work not: ``GET /requests?state=resolved&closed_since=<2099>`` answers nothing after
  looking at every closed request of the caller's sites (80 ms at 200,000 for 1 unit, before;
  tests/queue/test_attack_cheap_answers.py).
- Beyond the budget a read answers 429 ``reads_throttled`` with ``Retry-After`` (seconds until the window
  opens again) before it reaches the route; the console waits that long and asks again
  (console/static/api.js; its event stream reconnects by itself). Kiosks' reads are not counted here.
- Measured (bench/bench_console_reads.py, a hall with 57 calls and 20 代办 cases a minute): the busiest
  console (a supervisor on 督查) made 32 GETs and spent at most 80 units in a minute, a helper on the
  代办台账 tab 39 GETs and 53 units, one whose link dropped 20 s a minute 17 GETs (2 stream openings)
  and 19 units: the default is 15 times the busiest. With the CPU charged (2026-12-07, 50 calls and 20
  cases a minute): supervisor 87–89 units, 代办台账 67, manager 53, helper 39, flaky link 33: ~13 times.
  A stolen session is held to ~1,200 small reads'
  worth of CPU a minute (a few seconds), not all of it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextvars import ContextVar

from kiosk.queue.budget import AddressBudget

PER_MINUTE = 1200  # units a minute (20 a second, as the staff write budget): the busiest console measured spent 80 (89 with its CPU)
BYTES_PER_UNIT = 32 * 1024  # the CPU of a 1,000-row page is ~18 single reads', and it is ~600 KB
WORK_PER_UNIT = 0.003  # seconds of a service call's work a unit stands for (about one small read's)
# What the read being answered charges its work to (``charge(units)``): a one-item list the guard empties
# when the answer ends, so a task the read started (the stream keeper's) charges nobody afterwards.
PAYER: ContextVar[list[Callable[[int], None]] | None] = ContextVar("kq_read_payer", default=None)
_FLAT = {"/api/v1/figures": 10, "/api/v1/reports": 10, "/api/v1/cases/export.xlsx": 20}
_SLIP = re.compile(r"/api/v1/cases/[^/]+/slips/[^/]+\.png")


def read_cost(path: str) -> int:
    """The units a GET of ``path`` costs before it runs (its answer's bytes are counted as they go)."""
    flat = _FLAT.get(path)
    if flat is not None:
        return flat
    return 5 if _SLIP.fullmatch(path) else 1


def bytes_cost(sent: int) -> int:
    """The units ``sent`` bytes of answers cost."""
    return sent // BYTES_PER_UNIT


def payer() -> Callable[[int], None] | None:
    """How the current read's work is charged (units), if it is a staff session's (:data:`PAYER`)."""
    holder = PAYER.get()
    return holder[0] if holder else None


class Work:
    """``fn(*args, **kwargs)`` as a call whose CPU (``time.thread_time`` of whichever thread runs it) the
    current read pays: call it (inline or in a worker thread), then :meth:`settle` on the event loop."""

    __slots__ = ("fn", "args", "kwargs", "charge", "spent")

    def __init__(self, fn: Callable, *args, **kwargs):
        self.fn, self.args, self.kwargs, self.charge, self.spent = fn, args, kwargs, payer(), 0.0

    def __call__(self):
        began = time.thread_time()
        try:
            return self.fn(*self.args, **self.kwargs)
        finally:
            self.spent = time.thread_time() - began

    def settle(self) -> None:
        if self.charge is not None:
            self.charge(work_cost(self.spent))


def work_cost(seconds: float) -> int:
    """The units ``seconds`` of a service call's work cost."""
    return int(seconds / WORK_PER_UNIT)


class ReadBudget:
    """The sessions' read budgets of one process: ``take`` before a read, ``charge`` its answer's bytes."""

    def __init__(self, per_minute: int = PER_MINUTE, clock: Callable[[], float] = time.monotonic,
                 window_s: float = 60.0):
        self.per_minute = per_minute
        self.spent = AddressBudget(limit=per_minute, window_s=window_s, max_addresses=100_000, clock=clock)
        self.refused = 0

    def take(self, key: str, cost: int) -> float | None:
        """Counts a read of ``cost`` units by session ``key``; None within the budget, else the seconds to wait."""
        wait = self.spent.take(key, cost)
        if wait is not None:
            self.refused += 1
        return wait

    def charge(self, key: str, cost: int) -> None:
        """Adds ``cost`` units the session's read turned out to cost (its next reads may then wait)."""
        if cost > 0:
            self.spent.take(key, cost)
