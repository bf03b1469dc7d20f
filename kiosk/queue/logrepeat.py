"""A bound on how often one kind of log line is written: the server's log cannot be flooded from outside.

Contract
- :class:`RepeatFilter` (a :class:`logging.Filter` on the server's stderr handler, see
  :func:`kiosk.queue.serve_options.log_config`) lets through at most ``limit`` records a minute of each
  *kind* — the logger and the message template (``record.msg`` before its arguments), so "login throttled:
  account %r from %s" is one kind whoever it names. The record that reaches the bound is written with a note
  that more of its kind are left out for the rest of the minute; the first of the next minute says how many
  were. Before, any client could write lines at will: 300 garbage requests in 0.6 s wrote 300 lines of
  uvicorn's "Invalid HTTP request received." (gigabytes a day from one script, no login needed).
- At most :data:`MAX_KINDS` kinds are tracked (messages formatted before logging each make their own kind);
  beyond, the counts start afresh.
"""

from __future__ import annotations

import logging
import threading
import time

MAX_KINDS = 1000


class RepeatFilter(logging.Filter):
    def __init__(self, limit: int = 20, window_s: float = 60.0, clock=time.monotonic):
        super().__init__()
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._kinds: dict[tuple[str, str], list] = {}  # kind -> [window start, written, left out]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now, kind = self.clock(), (record.name, str(record.msg)[:200])
        with self._lock:
            if len(self._kinds) > MAX_KINDS:
                self._kinds.clear()
            start, written, left_out = self._kinds.get(kind, (now, 0, 0))
            if now - start >= self.window_s:
                start, written = now, 0
                if left_out:
                    _note(record, f"({left_out} more like this were not logged in the minute before)")
                    left_out = 0
            written += 1
            if written > self.limit:
                left_out += 1
            elif written == self.limit:
                _note(record, "(logged too often: more like this are not logged for the rest of the minute)")
            self._kinds[kind] = [start, written, left_out]
        return written <= self.limit


def _note(record: logging.LogRecord, text: str) -> None:
    record.msg, record.args = f"{record.getMessage()} {text}", None
