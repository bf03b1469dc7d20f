"""Start: choose 咨询 / 帮办 / 代办, and switch 长辈模式 (elderly mode) on or off."""

from __future__ import annotations

from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME


class StartScreen(KioskScreen):
    def refresh(self) -> None:
        self.ids.elderly.selected = THEME.elderly

    def choose(self, kind: str) -> None:
        """Starts a visit of ``kind`` (consult / assist / proxy) and goes to identification."""
        self.controller.start(kind)
        self.go("identify")

    def toggle_elderly(self) -> None:
        self.controller.set_elderly(not THEME.elderly)
        self.refresh()


load_kv(__file__)
