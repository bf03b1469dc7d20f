"""What every call-button adapter shares: press logic, subscribers, health, a worker thread with
reconnect backoff, and a self-test that reports the connection without needing a press.

An adapter subclass implements ``_connect()`` (open the device, return a handle or raise) and
``_serve(handle)`` (read until the stop event is set or the device fails, feeding ``self.logic``), and
``_disconnect(handle)``. The worker loop here turns failures into health and retries with
:class:`~kiosk.devices.base.Backoff` (0.5 s → 10 s).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.config.devices import ButtonConfig
from kiosk.devices.base import Backoff, Health, HealthState, HealthTracker, Reason, SelfTestResult, Why
from kiosk.devices.button.events import ButtonEvent
from kiosk.devices.button.press import PressLogic

log = logging.getLogger(__name__)


class DeviceGone(Exception):
    """Raised by ``_connect``/``_serve`` when the device is missing or failed; ``reason`` says why.
    ``state`` is the health to report: DISCONNECTED (unplugged, retry helps) or ERROR (needs a person)."""

    def __init__(self, reason: Why, state: HealthState = HealthState.DISCONNECTED):
        super().__init__(str(reason))
        self.reason, self.state = reason, state


def logic_for(config: ButtonConfig, source: str, clock: Callable[[], float] = time.monotonic) -> PressLogic:
    return PressLogic(source, debounce_ms=config.debounce_ms, long_press_ms=config.long_press_ms,
                      min_interval_s=config.min_interval_s, clock=clock)


class ButtonFront:
    """What every call button shows the app: counted presses from ``self.logic`` (a PressLogic) and
    health from ``self.tracker`` (a HealthTracker). Listeners run on the button's own thread."""

    logic: PressLogic
    tracker: HealthTracker

    def subscribe(self, listener: Callable[[ButtonEvent], None]) -> Callable[[], None]:
        """Calls ``listener(event)`` on the adapter's thread for every counted press; returns unsubscribe."""
        return self.logic.subscribe(listener)

    def subscribe_health(self, listener: Callable[[Health], None]) -> None:
        self.tracker.subscribe(listener)

    def health(self) -> Health:
        return self.tracker.get()


class ButtonDevice(ButtonFront):
    """Base of the button adapters. ``name`` is ``button``; ``source`` says which adapter and port."""

    name = "button"

    def __init__(self, source: str, logic: PressLogic, *, backoff: Backoff | None = None):
        self.source = source
        self.logic = logic
        self.backoff = backoff or Backoff()
        self.tracker = HealthTracker(self.name, HealthState.DISCONNECTED, Reason("button.connecting", port=source))
        self.last_event: ButtonEvent | None = None
        self.connects = 0
        self._stop = threading.Event()
        self._attempted = threading.Event()  # set after the first connection attempt, good or bad
        self._thread: threading.Thread | None = None
        self.logic.subscribe(self._remember)

    # -- public contract -----------------------------------------------------------------------------
    def self_test(self, wait_s: float = 2.0) -> SelfTestResult:
        """Waits up to ``wait_s`` for the first connection attempt, then reports the connection state."""
        start = time.monotonic()
        self._attempted.wait(wait_s)
        health = self.health()
        ms = (time.monotonic() - start) * 1000
        if health.state is HealthState.CONNECTED:
            return SelfTestResult(self.name, True, self._describe_ok(), ms)
        return SelfTestResult(self.name, False, health.reason or health.state.value, ms)

    def start(self) -> ButtonDevice:
        """Starts the worker thread (idempotent). Returns self, so ``from_config`` can chain it."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"button:{self.source}", daemon=True)
            self._thread.start()
        return self

    def close(self, timeout: float = 2.0) -> None:
        """Stops the worker and releases the device; harmless to call twice."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self.tracker.set(HealthState.DISCONNECTED, Reason("button.closed"))

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    def wait_connected(self, timeout: float) -> bool:
        """True once the device is connected (for tests and the CLI)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.health().state is HealthState.CONNECTED:
                return True
            time.sleep(0.01)
        return False

    # -- for subclasses ------------------------------------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _serve(self, handle: Any) -> None:
        raise NotImplementedError

    def _disconnect(self, handle: Any) -> None:
        raise NotImplementedError

    def _describe_ok(self) -> Reason:
        return Reason("button.ok", port=self.source, presses=self.logic.counted)

    # -- worker --------------------------------------------------------------------------------------
    def _remember(self, event: ButtonEvent) -> None:
        self.last_event = event

    def _run(self) -> None:
        while not self._stop.is_set():
            handle = None
            try:
                handle = self._connect()
                if self._stop.is_set():
                    break  # closed while connecting: the finally clause releases the handle
                self.connects += 1
                self.tracker.set(HealthState.CONNECTED, "", port=self.source)
                self._attempted.set()
                self.backoff.reset()
                self._serve(handle)
            except DeviceGone as err:
                self._lost(err.reason, err.state)
            except Exception as err:  # never let the worker die: report and retry
                log.exception("button %s failed", self.source)
                self._lost(Reason("button.failed", port=self.source, error=err), HealthState.ERROR)
            finally:
                if handle is not None:
                    try:
                        self._disconnect(handle)
                    except Exception:
                        log.debug("closing %s failed", self.source, exc_info=True)
                self.logic.reset()
            if not self._stop.is_set():
                self._stop.wait(self.backoff.next_delay())

    def _lost(self, reason: Why, state: HealthState = HealthState.DISCONNECTED) -> None:
        if not self._stop.is_set():
            self.tracker.set(state, reason, port=self.source)
            log.warning("button %s: %s", self.source, reason)
        self._attempted.set()
