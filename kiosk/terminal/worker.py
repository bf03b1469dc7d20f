"""A background thread running jobs in order (printing, the outbox, device I/O), and the trivial dispatcher."""

from __future__ import annotations

import logging
import queue as queue_mod
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def call_now(fn: Callable, *args: Any) -> None:
    fn(*args)


class Worker:
    """One background thread running jobs in order; a failing job is logged and never stops it."""

    def __init__(self, name: str):
        self._jobs: queue_mod.Queue = queue_mod.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable, *args: Any) -> None:
        self._jobs.put((fn, args))

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, args = job
            try:
                fn(*args)
            except Exception:
                log.exception("background job %s failed", getattr(fn, "__name__", fn))

    def join_idle(self, timeout: float = 5.0) -> bool:
        """Waits until every job so far has run (for tests, the demo and shutdown)."""
        done = threading.Event()
        self._jobs.put((done.set, ()))
        return done.wait(timeout)

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(2.0)
