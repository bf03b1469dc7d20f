"""Done: a short thank-you; back to the start by itself, or with the button.

How long it stays is the visit's: ``ui.done_return_s`` (10 s), times the elderly factor in elderly mode;
while a helper is on the way (the resident was told 请在此稍候) there is no countdown and it waits for
them, at most ``ui.help_wait_max_s``. The root's idle tick does the return; this screen shows the time."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.terminal.result_view import done_text


class DoneScreen(KioskScreen):
    step = StringProperty("done")
    seconds = NumericProperty(0)
    waiting = BooleanProperty(False)
    body = StringProperty("")
    _event = None

    def on_enter(self, *_args) -> None:
        self._cancel()
        self._tick(0)
        self._event = Clock.schedule_interval(self._tick, 0.5)

    def on_leave(self, *_args) -> None:
        self._cancel()

    def refresh(self) -> None:
        callback = self.controller.hours.done_line()  # after hours: the callback left this visit
        self.body = done_text(self.controller.visit, callback) if callback else self.controller.done_text()
        self._tick(0)

    def _cancel(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _tick(self, _dt) -> None:
        left = self.controller.done_seconds()
        self.waiting = left is None
        self.seconds = left or 0

    def home(self, entered: bool = False) -> None:
        """回到首页 at once: the thank-you screen holds no data left to lose."""
        self._cancel()
        self.controller.reset("manual" if self.waiting else "done")
        self.go("start")


load_kv(__file__)
