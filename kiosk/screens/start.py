"""Start: choose 咨询 / 帮办 / 代办, switch 长辈模式 (elderly mode) on or off, open 绿色通道 and 为企业办事
(after hours: when helpers are back, a callback). 代办 first shows the notice of what is handed to the
{agent} (:class:`~kiosk.screens.widgets.handover.HandoverNotice`)."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets.handover import close_handover, start_visit


class StartScreen(KioskScreen):
    closed_notice = StringProperty("")  # after hours: when helpers are back (the callback entry shows)
    entry_text = StringProperty("")  # 绿色通道, or after hours 留下电话 (one line in elderly mode)
    notice = None  # the HandoverNotice while it shows (open_handover)

    def refresh(self) -> None:
        c = self.controller
        self.closed_notice = c.hours.notice(short=True) if c.hours.closed() else ""
        entry = "access.hours.entry" if c.hours.takes_callbacks() else "access.hours.entry_info"
        key = entry if self.closed_notice else (
            "access.green.entry_on" if c.green.on else "access.green.entry")
        self.entry_text = tr(key + ("_short" if THEME.elderly else ""))
        self.ids.elderly.selected = THEME.elderly
        self.ids.green.selected = c.green.on

    def choose(self, kind: str) -> None:
        """Starts a visit of ``kind`` (consult / assist / proxy) and goes to identification; 代办 asks first
        (the PIPL notice)."""
        start_visit(self, kind, self.controller.start)

    def on_leave(self, *_args) -> None:
        close_handover(self)


load_kv(__file__)
