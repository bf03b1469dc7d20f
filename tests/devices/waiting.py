"""Bounded waiting for the device tests: drivers and simulators work on their own threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], object], timeout: float = 5.0, interval: float = 0.005) -> bool:
    """Polls ``predicate()`` every ``interval`` s for up to ``timeout`` s; True as soon as it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


class ManualClock:
    """A clock only the test moves: a driver's thread sees time pass exactly when the test says."""

    def __init__(self, start: float = 1000.0) -> None:
        self._t = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._t += seconds


def sampled(device, timeout: float = 5.0) -> None:
    """Waits until a polling driver has taken a full reading after the caller's last change
    (``device.samples`` counts its readings: +2 means one started after the change)."""
    start = device.samples
    assert wait_for(lambda: device.samples >= start + 2, timeout), "the driver stopped reading its line"
