"""Result: ticket and helper (complete), ticket + 授权委托书 + helper (代办), or the printed 一次性告知单
listing every missing material (incomplete). When the printer is out of paper the ticket number is shown
large on screen and the helper is told."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets.common import KLabel, discard_children


class ResultScreen(KioskScreen):
    step = StringProperty("result")
    working = BooleanProperty(True)
    complete = BooleanProperty(False)
    title = StringProperty("")
    ticket_no = StringProperty("")
    big_number = BooleanProperty(False)
    print_text = StringProperty("")
    print_tone = StringProperty("ok")
    next_text = StringProperty("")
    missing_count = NumericProperty(0)

    def refresh(self) -> None:
        view = self.controller.result_view()
        if view is None:
            self.working, self.title, self.ticket_no = True, tr("kiosk.result.working"), ""
            self.print_text = self.next_text = ""
            self.big_number, self.missing_count = False, 0
            discard_children(self.ids.missing)
            return
        self.show(view)

    def show(self, view) -> None:
        self.working = view.working
        self.complete = view.complete
        self.ticket_no = view.ticket_no or ""
        self.big_number = view.paper_out
        self.missing_count = len(view.missing)
        if view.working:
            self.title = tr("kiosk.result.working")
        elif view.complete:
            self.title = tr("kiosk.result.complete")
        else:
            self.title = tr("kiosk.result.incomplete", n=len(view.missing))
        self.print_text, self.print_tone = view.print_text, view.print_tone
        self.next_text = view.next_text
        box = self.ids.missing
        discard_children(box)
        limit = max(1, THEME.per_page - (1 if self.ticket_no else 0))
        for name, source in view.missing[:limit]:
            box.add_widget(KLabel(text=f"[b]• {name}[/b]\n   {source}", markup=True,
                                  font_size=THEME.font_small))
        if len(view.missing) > limit:
            box.add_widget(KLabel(text=tr("kiosk.result.more_missing", n=len(view.missing) - limit),
                                  font_size=THEME.font_small))

    def on_event(self, event: str, payload) -> None:
        if event == "result":
            self.show(payload)

    def finish(self) -> None:
        self.controller.done()
        self.go("done")

    def back(self) -> None:
        self.controller.back_to_materials()
        self.go("materials")


load_kv(__file__)
