"""After hours: when helpers are back, today's service hours, a callback number (checked, then shown
masked) and the 12345 hotline. Reached from the start screen and from 呼叫帮办员 while the hall is closed
(then 上一步 leads back to the visit's screen, whose texts say the call is recorded, nobody is coming)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets import keypads, nav  # noqa: F401
from kiosk.terminal.result_view import banner_says_closed


def group_phone(text: str) -> str:
    """``13812345678`` → ``138 1234 5678`` (easier to check)."""
    return " ".join(p for p in (text[:3], text[3:7], text[7:]) if p)


class HoursScreen(KioskScreen):
    step = StringProperty("")
    title = StringProperty("")
    today = StringProperty("")
    note = StringProperty("")
    typed = StringProperty("")
    message = StringProperty("")
    message_tone = StringProperty("muted")
    left = StringProperty("")  # the masked number once a callback was left
    closed = BooleanProperty(True)
    callbacks = BooleanProperty(True)  # False: no help queue here, no callback form (nobody would get it)
    came_from = StringProperty("")  # the visit's screen the call button was pressed on ("": the start)
    compact = BooleanProperty(False)  # elderly, the visit's call recorded: the banner above says closed and 12345

    @staticmethod
    def grouped(text: str) -> str:
        return group_phone(text)

    def refresh(self) -> None:
        hours = self.controller.hours
        self.closed = hours.closed()
        self.title = hours.notice() if self.closed else tr("access.hours.open_now")
        self.today = hours.today_text()
        self.note = hours.note()
        self.left = hours.left_this_visit()
        self.callbacks = hours.takes_callbacks()
        self.typed, self.message, self.message_tone = "", "", "muted"
        banner = banner_says_closed(self.controller.visit)
        self.compact = THEME.elderly and self.closed and banner and not self.left
        if self.closed and not self.left:  # reached by the call button too: said, not only shown
            lines = [self.title, tr("access.hours.hotline")]
            if not (THEME.elderly and self.callbacks):  # the hours line is on the screen: said too (八点半到十二点)
                lines.insert(1, self.today)
            if not self.callbacks:
                lines.append(tr("access.hours.next_come_back"))
            self.controller.speak("。".join(line.replace("\n", "，").rstrip("。") for line in lines) + "。")

    def on_leave(self, *_args) -> None:
        self.typed = ""  # a phone number left behind is personal data
        self.came_from = ""

    def back(self) -> None:
        """上一步: back to the visit's screen the call button was pressed on."""
        if self.came_from:
            self.go(self.came_from)

    def on_key(self, key: str) -> None:
        keypads.type_key(self, key, lambda typed, k: k.isdigit() and len(typed) < 12)  # mobile or with area code

    def submit(self) -> None:
        problem = self.controller.hours.leave_callback(self.typed)
        if problem:
            self.message, self.message_tone = problem, "error"
            return
        self.typed = ""
        self.left = self.controller.hours.left_this_visit()
        self.message, self.message_tone, self.compact = "", "ok", False


load_kv(__file__)
