"""Identify: put the ID card on the reader (with a picture of how), or type the ID number on a keypad.

The number is checked with its check digit before it is accepted. 咨询 may skip this step. When the
reader is missing the keypad shows at once with a plain explanation. Card reads arrive from the
controller (``on_event("card", …)``) already on the UI thread.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets import keypads, nav  # noqa: F401


def group_id(text: str) -> str:
    """``110105194912310021`` → ``110105 19491231 0021`` (easier to check against the card)."""
    parts = [text[:6], text[6:14], text[14:]]
    return " ".join(p for p in parts if p)


def id_character(typed: str, key: str) -> bool:
    """Digits up to 18, and X only as the 18th (the check character)."""
    return len(typed) < 18 and (key.isdigit() or (key == "X" and len(typed) == 17))


class IdentifyScreen(KioskScreen):
    step = StringProperty("identify")
    manual = BooleanProperty(False)
    typed = StringProperty("")
    message = StringProperty("")
    message_tone = StringProperty("muted")
    reader_ok = BooleanProperty(True)
    can_skip = BooleanProperty(False)

    @staticmethod
    def grouped(text: str) -> str:
        return group_id(text)

    def on_leave(self, *_args) -> None:
        self.typed = ""  # digits typed and left behind are personal data too

    def refresh(self) -> None:
        c = self.controller
        self.reader_ok = c.reader_available()
        self.can_skip = c.kind == "consult"
        self.typed = ""
        self.manual = not self.reader_ok
        if not self.reader_ok:
            self.set_message(tr("kiosk.identify.reader_missing"), "warn")
        else:
            self.set_message("", "muted")

    def set_message(self, text: str, tone: str) -> None:
        self.message, self.message_tone = text, tone

    def show_manual(self, on: bool = True) -> None:
        self.manual = on or not self.reader_ok
        self.typed = ""
        if self.reader_ok:
            self.set_message("", "muted")

    def on_key(self, key: str) -> None:
        keypads.type_key(self, key, id_character)

    def submit(self) -> None:
        problem = self.controller.enter_id_number(self.typed)
        if problem:
            self.set_message(problem, "error")
            return
        self.go("matter")

    def skip(self) -> None:
        self.controller.skip_identify()
        self.go("matter")

    def on_event(self, event: str, payload) -> None:
        if event == "card":
            self.set_message(tr("kiosk.identify.card_ok", who=payload), "ok")
            Clock.schedule_once(lambda _dt: self._after_card(), 1.2)
        elif event == "card_error":
            self.set_message(payload, "error")
        elif event == "reader":
            self.reader_ok = bool(payload)
            if not self.reader_ok:
                self.manual = True
                self.set_message(tr("kiosk.identify.reader_missing"), "warn")

    def _after_card(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.go("matter")


load_kv(__file__)
