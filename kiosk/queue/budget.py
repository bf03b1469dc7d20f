"""A per-key request budget: at most ``limit`` units per ``window_s`` seconds for one key, counted in a fixed
window. Used for the public pages that need no login (the rating page behind a slip's QR code: one unit a
call, keyed by client address), kiosks' and staff members' writes (kiosk/queue/guard.py) and staff
sessions' reads (kiosk/queue/reads.py: a call costs what it reads). Memory is bounded: at most
``max_addresses`` keys are tracked (the oldest window is dropped first), so a scan from many addresses
cannot grow it. A clock that went back (an injected wall clock) starts a new window."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class AddressBudget:
    def __init__(self, limit: int = 30, window_s: float = 60.0, max_addresses: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.limit, self.window_s, self.max_addresses, self.clock = limit, window_s, max_addresses, clock
        self._seen: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def take(self, address: str, cost: int = 1) -> float | None:
        """Counts a call of ``cost`` units from ``address``; None when it is within the budget, else the
        seconds until the window opens again (for ``Retry-After``)."""
        now = self.clock()
        start, count = self._seen.pop(address, (now, 0))
        if not 0 <= now - start < self.window_s:
            start, count = now, 0
        count += cost
        self._seen[address] = (start, count)
        while len(self._seen) > self.max_addresses:
            self._seen.popitem(last=False)
        if count > self.limit:
            return max(1.0, self.window_s - (now - start))
        return None
