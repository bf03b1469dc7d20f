"""A key on the kiosk's own keyboard as the call button (e.g. a big F12 key on the kiosk's keypad).

No Kivy here: the app feeds key events with ``feed(key_name, down)`` (Kivy's key names such as ``f12``,
``spacebar`` are understood) and swallows the key when ``feed`` returns True. Presses go through
:class:`PressLogic`; a small timer thread confirms debounce and long presses while a key is held.
"""

from __future__ import annotations

import threading

from kiosk.config.devices import ButtonConfig
from kiosk.devices.base import HealthState, HealthTracker, Reason, SelfTestResult
from kiosk.devices.button.adapter import ButtonFront, logic_for
from kiosk.devices.button.events import ButtonEvent
from kiosk.devices.button.keys import normalize_key
from kiosk.devices.button.press import PressLogic


class KeyboardButton(ButtonFront):  # presses come from the feeding or the timer thread
    """The configured key of the kiosk keyboard. Always connected: the keyboard is the kiosk's own."""

    name = "button"

    def __init__(self, key: str, logic: PressLogic):
        self.key = key
        self._key = normalize_key(key)
        self.logic = logic
        self.source = logic.source
        self.tracker = HealthTracker(self.name, HealthState.CONNECTED)
        self.last_event: ButtonEvent | None = None
        self._wake = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._tick_loop, name="button:keyboard", daemon=True)
        self._thread.start()
        logic.subscribe(self._remember)

    @classmethod
    def from_config(cls, config: ButtonConfig) -> KeyboardButton:
        return cls(config.key, logic_for(config, f"keyboard {config.key}"))

    def feed(self, key_name: str, down: bool, at: float | None = None) -> bool:
        """A key went down (``down`` True) or up. Returns True when it is the button's key (swallow it)."""
        try:
            if normalize_key(key_name) != self._key:
                return False
        except ValueError:
            return False
        if self._stop:
            return True
        self.logic.edge(down, at)
        with self._wake:
            self._wake.notify()
        return True

    def self_test(self) -> SelfTestResult:
        return SelfTestResult(self.name, True, Reason("button.keyboard_ok", keyname=self.key, presses=self.logic.counted))

    def close(self) -> None:
        with self._wake:
            self._stop = True
            self._wake.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(1.0)
        self.tracker.set(HealthState.DISCONNECTED, Reason("button.closed"))

    def _remember(self, event: ButtonEvent) -> None:
        self.last_event = event

    def _tick_loop(self) -> None:
        while True:
            with self._wake:
                if self._stop:
                    return
                deadline = self.logic.next_deadline()
                timeout = 1.0 if deadline is None else min(1.0, max(0.001, deadline - self.logic.clock()))
                self._wake.wait(timeout)
                if self._stop:
                    return
            self.logic.tick()
