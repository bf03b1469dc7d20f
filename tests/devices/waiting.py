"""Bounded waiting for the device tests: drivers and simulators work on their own threads."""

from __future__ import annotations

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
