"""The hall's queuing system (排队叫号), as the kiosk sees it (issue 12, item 13): a small adapter
interface, a simulator, and "none configured" said plainly.

Contract
- :class:`QueuingSystem` is what an adapter for a real queuing system implements: ``take_number(department,
  matter_id)`` returns a :class:`QueueNumber` (the queue's own number, how many are ahead, the window or
  area that calls it) or raises :class:`QueuingUnavailable` (not reachable, refused, no queue for that
  department); it is called off the UI thread and must answer within its own short timeout.
- :class:`SimulatedQueuing` numbers each department's queue with a letter (A, B, … in first-use order)
  and a counter, and lets ``served`` people through per simulated minute (an injectable clock), so the
  number ahead goes down as in a hall. ``kiosk screenshots``, the demo and the tests use it.
- :func:`from_config` builds the adapter named by ``config.queuing.type`` (``none`` → None: the screens
  then say that this kiosk is not connected to the hall's queuing system, take a number at the window).
No Kivy here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class QueueNumber:
    number: str  # as the hall's screens call it, e.g. B017
    ahead: int  # people waiting before this number
    window: str = ""  # the window or area that calls this queue, when the system says


class QueuingUnavailable(Exception):
    """The queuing system could not give a number (unreachable, refused, no such queue)."""


class QueuingSystem(Protocol):
    def take_number(self, department: str, matter_id: str) -> QueueNumber: ...


class SimulatedQueuing:
    """A hall's queues in memory: one per department, ``served_per_min`` called a minute each."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, served_per_min: float = 0.5,
                 waiting: int = 3, windows: dict[str, str] | None = None):
        self._clock, self._rate, self._waiting = clock, served_per_min, waiting
        self._windows = dict(windows or {})
        self._queues: dict[str, list] = {}  # department → [letter, issued, called, last_time]
        self._lock = threading.Lock()

    def take_number(self, department: str, matter_id: str) -> QueueNumber:
        now = self._clock()
        with self._lock:
            q = self._queues.get(department)
            if q is None:
                letter = chr(ord("A") + len(self._queues) % 26)
                q = self._queues[department] = [letter, self._waiting, 0, now]  # some already waiting
            served = int((now - q[3]) / 60 * self._rate)
            if served:
                q[2], q[3] = min(q[1], q[2] + served), now
            q[1] += 1
            return QueueNumber(f"{q[0]}{q[1]:03d}", max(0, q[1] - q[2] - 1), self._windows.get(department, ""))


def from_config(config) -> QueuingSystem | None:
    """The adapter the kiosk config names (``queuing.type``), or None when the hall's system is not
    connected to this kiosk."""
    queuing = getattr(config, "queuing", None)
    if queuing is None or queuing.type == "none":
        return None
    if queuing.type == "simulator":
        return SimulatedQueuing(served_per_min=queuing.simulator_served_per_min)
    raise ValueError(f"queuing.type: unknown '{queuing.type}'")
