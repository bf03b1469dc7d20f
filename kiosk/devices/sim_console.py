"""Running a simulator in the foreground of `kiosk simulate …`: console commands, Ctrl-C, SIGTERM.

Every simulator command (idcard, printer, button) serves on its own threads and lets a technician type
commands on stdin; this module holds the loop they share. When stdin ends (a simulator started in the
background by a script or a test) the simulator keeps serving until it is stopped.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable


def run_in_foreground(stop: Callable[[], None], on_line: Callable[[str], bool | None], *,
                      duration: float | None = None, done: threading.Event | None = None) -> None:
    """Blocks until Ctrl-C, SIGTERM, ``on_line`` returning True (quit), ``done`` being set elsewhere or
    ``duration`` seconds; then calls ``stop()`` (always, once).

    ``on_line(line)`` gets each stdin line (with its newline) on a daemon thread.
    """
    done = done or threading.Event()
    if threading.current_thread() is threading.main_thread():  # signal handlers live on the main thread
        signal.signal(signal.SIGTERM, lambda *_: done.set())

    def console() -> None:
        for line in sys.stdin:
            if on_line(line):
                done.set()
                return

    threading.Thread(target=console, name="simulator-console", daemon=True).start()
    deadline = None if duration is None else time.monotonic() + duration
    try:
        while not done.wait(0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))):
            if deadline is not None and time.monotonic() >= deadline:
                break
    except KeyboardInterrupt:
        pass
    finally:
        done.set()
        stop()
