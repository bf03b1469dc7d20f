"""绿色通道: who it is for, in plain words; call a helper first in line, or go on alone with priority."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets import nav  # noqa: F401


class GreenScreen(KioskScreen):
    step = StringProperty("")
    on = BooleanProperty(False)
    elderly = BooleanProperty(False)
    called = BooleanProperty(False)

    def refresh(self) -> None:
        self.on = self.controller.green.on
        self.elderly = THEME.elderly
        self.called = bool(self.controller.visit.help_request_id)

    def call(self) -> None:
        """请帮办员来帮我: green channel and a helper now; the start screen shows, the banner says who comes."""
        self.controller.green.call()
        self.go("start")

    def alone(self) -> None:
        """我自己操作: green channel for this visit, back to the three choices."""
        self.controller.green.choose()
        self.go("start")


load_kv(__file__)
