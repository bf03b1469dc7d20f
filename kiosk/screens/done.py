"""Done: a short thank-you; back to the start by itself after a few seconds, or with the button."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty

from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv

RETURN_AFTER_S = 10


class DoneScreen(KioskScreen):
    step = StringProperty("done")
    seconds = NumericProperty(RETURN_AFTER_S)
    _event = None

    def on_enter(self, *_args) -> None:
        self.seconds = RETURN_AFTER_S
        self._cancel()
        self._event = Clock.schedule_interval(self._tick, 1.0)
        self.controller.say("done")

    def on_leave(self, *_args) -> None:
        self._cancel()

    def _cancel(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _tick(self, _dt) -> None:
        self.seconds -= 1
        if self.seconds <= 0:
            self.home()

    def home(self) -> None:
        self._cancel()
        self.controller.reset("done")
        self.go("start")


load_kv(__file__)
