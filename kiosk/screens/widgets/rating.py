"""好差评 on the kiosk (issue 12, item 15): when the helpers mark the visit's request resolved and the
resident is still here, :class:`RatingPrompt` asks 满意 / 基本满意 / 不满意 over whatever screen shows;
不满意 opens the reasons (at least one before 提交评价); 不评价 closes it. A short thank-you follows.

:func:`attach_rating` makes the root show and hide the prompt from the visit's state
(``visit.help.rating == "asking"``); the prompt takes every touch under it while it shows.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets import common  # noqa: F401  (KButton, Panel rules)
from kiosk.screens.widgets.common import ModalOverlay, discard
from kiosk.visit.rating import REASON_CODES

THANKS_S = 4.0


class RatingPrompt(ModalOverlay):
    """The question; ``on_answer(choice, reasons)`` with choice satisfied / basic / unsatisfied, or
    ``on_answer("skip", [])``."""

    title = StringProperty("")
    asking_why = BooleanProperty(False)  # 不满意 was pressed: the reasons show
    chosen = ListProperty([])  # reason codes ticked
    thanked = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._reason_buttons()
        self._shown = "choices"
        self._boxes = {k: self.ids[k].__self__ for k in ("choices", "why")}  # strong: ids are weak
        self.ids.panel.remove_widget(self._boxes["why"])  # only one of the two boxes is ever attached (a
        # detached box neither draws nor takes touches)

    def _show(self, box: str | None) -> None:
        panel = self.ids.panel
        if self._shown is not None:
            panel.remove_widget(self._boxes[self._shown])
        if box is not None:
            panel.add_widget(self._boxes[box])
        self._shown = box

    def on_asking_why(self, _w, value: bool) -> None:
        if value and not self.thanked:
            self._show("why")

    def on_thanked(self, _w, value: bool) -> None:
        if value:
            self._show(None)

    def _reason_buttons(self) -> None:
        from kiosk.screens.widgets.common import KButton

        box = self.ids.reasons
        for code in REASON_CODES:
            b = KButton(text=tr(f"rating.reason.{code}"), outline=True)
            b.code = code
            b.bind(on_release=lambda btn: self.toggle(btn.code))
            box.add_widget(b)

    def toggle(self, code: str) -> None:
        self.chosen = [c for c in self.chosen if c != code] if code in self.chosen else [*self.chosen, code]
        for b in self.ids.reasons.children:
            b.selected = b.code in self.chosen

    def choose(self, choice: str) -> None:
        if choice == "unsatisfied":
            self.asking_why = True
            return
        self.dispatch("on_answer", choice, [])

    def send_unsatisfied(self) -> None:
        if self.chosen:
            self.dispatch("on_answer", "unsatisfied", list(self.chosen))



class RatingHost:
    """Shows the prompt while the visit asks for a rating; carries out the answer through the controller."""

    def __init__(self, root):
        self.root, self.controller = root, root.controller
        self.prompt: RatingPrompt | None = None
        self._close_event = None
        self.controller.visit.subscribe(lambda _visit: self.update())

    def update(self) -> None:
        visit = self.controller.visit
        if visit.help.rating == "asking" and self.prompt is None:
            self.show()
        elif visit.help.rating in ("none", "skipped") and self.prompt is not None:
            self.close()

    def show(self) -> None:
        helper = self.controller.visit.help.helper
        title = tr("rating.title", helper=helper) if helper else tr("rating.title_plain")
        self.prompt = RatingPrompt(title=title)
        self.prompt.bind(on_answer=lambda _w, choice, reasons: self.answer(choice, reasons))
        self.root.add_widget(self.prompt)
        self.controller.speak(tr("rating.spoken"))

    def answer(self, choice: str, reasons: list) -> None:
        visit = self.controller.visit
        if choice == "skip":
            visit.skip_rating()
            return
        self.controller.carry_out(visit.rate(choice, reasons))
        if self.prompt is not None:
            self.prompt.thanked = True
            self.controller.speak(tr("rating.thanks"))
            self._close_event = Clock.schedule_once(lambda _dt: self.close(), THANKS_S)

    def close(self) -> None:
        if self._close_event is not None:
            self._close_event.cancel()
            self._close_event = None
        if self.prompt is not None:
            self.root.remove_widget(self.prompt)
            discard(self.prompt)
            self.prompt = None


def attach_rating(root) -> RatingHost:
    """The root shows the 好差评 prompt whenever the visit asks for one."""
    host = RatingHost(root)
    root.rating = host
    return host


load_kv(__file__)
