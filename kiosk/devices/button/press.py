"""Debounce, long press and rate limiting, above every button adapter.

Adapters feed raw input with timestamps; :class:`PressLogic` decides what counts and tells subscribers.
It is pure logic: no threads, no I/O; the time comes from the edges and from an injectable clock.

- **Edges** (contact, keyboard key, evdev key): ``edge(down, at)``. A level counts only once it has been
  stable for ``debounce_ms``; shorter pulses are bounce and are dropped. Repeated edges in the same
  direction (key auto-repeat) change nothing.
- **Momentary presses** (a serial button that sends one byte per press): ``press(at)``. Presses closer than
  ``debounce_ms`` to the previous raw press are the same press.
- **Long press**: a press held for ``long_press_ms`` or more is a ``long_press``; it is emitted as soon as
  the threshold is reached (on ``tick``), not at release, so the resident gets feedback while holding.
- **Rate limit**: after a counted press, further presses of the same kind within ``min_interval_s`` are
  suppressed (counted in ``suppressed``). A long press is a separate intent and has its own limit.

Timing is confirmed lazily: call ``tick(now)`` regularly (adapters do it every ~10 ms in their loop), or
sleep until ``next_deadline()``. Callbacks run on the caller's thread, outside the internal lock; one that
raises is logged and the others still run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kiosk.devices.base import Subscribers
from kiosk.devices.button.events import ButtonEvent, PressKind

log = logging.getLogger(__name__)

Listener = Callable[[ButtonEvent], None]
EPS = 1e-6  # timestamps are floats: 10.35 - 10.3 < 0.05; a microsecond of slack keeps thresholds exact


class PressLogic:
    """Turns raw edges / momentary presses from one adapter into counted :class:`ButtonEvent`\\ s."""

    def __init__(self, source: str, *, debounce_ms: int = 50, long_press_ms: int = 1500,
                 min_interval_s: float = 3.0, clock: Callable[[], float] = time.monotonic):
        if debounce_ms < 0 or long_press_ms <= 0 or min_interval_s < 0:
            raise ValueError("debounce_ms and min_interval_s must be >= 0, long_press_ms > 0")
        self.source = source
        self.debounce_s = debounce_ms / 1000
        self.long_press_s = long_press_ms / 1000
        self.min_interval_s = min_interval_s
        self.clock = clock
        self.suppressed = 0
        self.counted = 0
        self._lock = threading.Lock()
        self._listeners = Subscribers()
        self._stable = False                # debounced level
        self._candidate = False             # last raw level
        self._candidate_at = 0.0            # when the raw level last changed
        self._down_at: float | None = None  # start of the current (stable) press
        self._long_sent = False
        self._last_raw_press: float | None = None
        self._last_emitted: dict[PressKind, float] = {}

    # -- subscribers ---------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Calls ``listener(event)`` for every counted press. Returns a function that unsubscribes."""
        return self._listeners.add(listener)

    # -- input ---------------------------------------------------------------------------------------
    def edge(self, down: bool, at: float | None = None) -> list[ButtonEvent]:
        """A raw level change (``down`` True = pressed) at time ``at`` (default: now). Returns what it emitted."""
        at = self.clock() if at is None else at
        with self._lock:
            out = self._settle(at)
            if down != self._candidate:
                self._candidate, self._candidate_at = down, at
            out += self._settle(at)
        return self._emit(out)

    def press(self, at: float | None = None) -> list[ButtonEvent]:
        """A complete momentary press (no hold information). Returns what it emitted (maybe nothing)."""
        at = self.clock() if at is None else at
        with self._lock:
            previous, self._last_raw_press = self._last_raw_press, at
            if previous is not None and at - previous < self.debounce_s - EPS:
                return []
            out = self._count(PressKind.PRESS, at, 0.0)
        return self._emit(out)

    def tick(self, now: float | None = None) -> list[ButtonEvent]:
        """Confirms levels and long presses due by ``now`` (default: the clock). Returns what it emitted."""
        now = self.clock() if now is None else now
        with self._lock:
            out = self._settle(now)
        return self._emit(out)

    def next_deadline(self) -> float | None:
        """The clock time at which ``tick`` may emit or confirm something, or None when idle."""
        with self._lock:
            if self._candidate != self._stable:
                return self._candidate_at + self.debounce_s
            if self._stable and self._candidate and self._down_at is not None and not self._long_sent:
                return self._down_at + self.long_press_s
            return None

    @property
    def pressed(self) -> bool:
        """The debounced level: True while the button is (confirmed) held down."""
        with self._lock:
            return self._stable

    def reset(self) -> None:
        """Forgets a press in progress (the adapter lost its device); rate-limit memory is kept."""
        with self._lock:
            self._stable = self._candidate = False
            self._down_at = None
            self._long_sent = False

    # -- internals (called with the lock held) ---------------------------------------------------------
    def _settle(self, now: float) -> list[ButtonEvent]:
        out: list[ButtonEvent] = []
        if self._candidate != self._stable and now - self._candidate_at >= self.debounce_s - EPS:
            self._stable = self._candidate
            if self._stable:
                self._down_at, self._long_sent = self._candidate_at, False
            elif self._down_at is not None:
                held = self._candidate_at - self._down_at
                if not self._long_sent:
                    kind = PressKind.LONG_PRESS if held >= self.long_press_s - EPS else PressKind.PRESS
                    out += self._count(kind, self._down_at, held)
                self._down_at = None
        if (self._stable and self._candidate and self._down_at is not None and not self._long_sent
                and now - self._down_at >= self.long_press_s - EPS):
            self._long_sent = True
            out += self._count(PressKind.LONG_PRESS, self._down_at, now - self._down_at)
        return out

    def _count(self, kind: PressKind, at: float, held: float) -> list[ButtonEvent]:
        last = self._last_emitted.get(kind)
        if last is not None and at - last < self.min_interval_s - EPS:
            self.suppressed += 1
            return []
        self._last_emitted[kind] = at
        self.counted += 1
        return [ButtonEvent(kind, self.source, at, held)]

    def _emit(self, events: list[ButtonEvent]) -> list[ButtonEvent]:
        if not events:
            return events
        listeners = self._listeners.snapshot()
        for event in events:
            for listener in listeners:
                try:
                    listener(event)
                except Exception:  # a broken subscriber must not stop the button
                    log.exception("button listener %r failed on %s", listener, event.kind.value)
        return events
