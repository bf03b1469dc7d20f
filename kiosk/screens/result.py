"""Result: ticket and helper (complete), ticket + 授权委托书 + helper (代办), or the 一次性告知单 (incomplete).

Every missing material is on screen with where to get it, paged when they do not fit (elderly mode
shows fewer a page): the resident learns them all even when the slip did not print, and then also the
materials the notice names as needed only in some cases. What printed is
said only when it did (see :mod:`kiosk.terminal.result_view`); when the printer is out of paper the
ticket number is shown large and the helper is told."""

from __future__ import annotations

from collections.abc import Callable

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets import nav  # noqa: F401
from kiosk.screens.widgets.common import KLabel, discard_children, fit_pages, text_height

NBSP = "\u00a0"  # keeps "1." with the name: a number never ends a line alone


def missing_text(item) -> str:
    """One missing material: its number and name, where to get it, and who decided it is missing."""
    lines = [f"[b]{item.n}.{NBSP}{_esc(item.name)}[/b]", _esc(tr("kiosk.result.how", source=item.source))]
    if item.how == "unsure":
        lines.append(tr("kiosk.result.unsure"))
    elif item.how == "checked":
        lines.append(tr("kiosk.result.checked", helper=_esc(item.helper)))
    return "\n".join(lines)


def conditional_text(item, first: bool) -> str:
    """A material needed only in some cases: when, where to get it; the first under the list's heading."""
    lines = [f"[b]{_esc(tr('kiosk.result.conditional'))}[/b]"] if first else []
    lines.append(f"[b]{_esc(item.name)}[/b]")
    if item.when:
        lines.append(_esc(tr("kiosk.result.when", when=item.when)))
    lines.append(_esc(tr("kiosk.result.how", source=item.source)))
    return "\n".join(lines)


def split_to_fit(text: str, fits: Callable[[str], bool], cont: str) -> list[str]:
    """``text`` (lines joined by ``\n``) as pieces that each ``fits`` a page: cut between lines, and a line
    too long for a page of its own between words (or characters); every piece after the first starts
    with ``cont`` (the entry's number, "continued"). A line holding markup is never cut (the name)."""
    if fits(text):
        return [text]
    pieces: list[str] = []
    current, queue = "", text.split("\n")
    while queue:
        line = queue.pop(0)
        joined = f"{current}\n{line}" if current else line
        if fits(joined):
            current = joined
        elif current and current != cont:  # this piece is full: the line starts the next one
            pieces.append(current)
            current = cont
            queue.insert(0, line)
        else:
            cut = 0 if "[" in line else _longest_prefix(
                line, lambda part, head=current: fits(f"{head}\n{part}" if head else part))
            if cut == 0:  # nothing shorter fits either: the line goes whole
                current = joined
            else:
                pieces.append(f"{current}\n{line[:cut]}" if current else line[:cut])
                current = cont
                queue.insert(0, line[cut:].lstrip())
    if current and current != cont:
        pieces.append(current)
    return pieces


def _longest_prefix(line: str, fits: Callable[[str], bool]) -> int:
    """The length of the longest start of ``line`` that ``fits``, ended at a space when one is near."""
    lo, hi = 0, len(line) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(line[:mid]):
            lo = mid
        else:
            hi = mid - 1
    space = line.rfind(" ", 0, lo + 1)
    return space if space > lo // 2 else lo


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


class ResultScreen(KioskScreen):
    step = StringProperty("result")
    working = BooleanProperty(True)
    complete = BooleanProperty(False)
    title = StringProperty("")
    ticket_no = StringProperty("")
    queue_no = StringProperty("")  # the hall's queue number (its queuing system connected): shown large
    queue_ahead = NumericProperty(0)
    big_number = BooleanProperty(False)
    print_text = StringProperty("")
    print_tone = StringProperty("ok")
    next_text = StringProperty("")
    notice_no = StringProperty("")
    missing_count = NumericProperty(0)
    page = NumericProperty(0)
    pages = NumericProperty(1)
    _view = None

    def refresh(self) -> None:
        view = self.controller.result_view()
        if view is None:
            self.working, self.title, self.ticket_no, self.queue_no = True, tr("kiosk.result.working"), "", ""
            self.print_text = self.next_text = self.notice_no = ""
            self.big_number, self.missing_count, self.page, self.pages = False, 0, 0, 1
            self._view = None
            discard_children(self.ids.missing)
            return
        self.page = 0
        self.show(view)

    def show(self, view) -> None:
        self._view = view
        self.working = view.working
        self.complete = view.complete
        self.ticket_no = view.ticket_no or ""
        self.queue_no, self.queue_ahead = view.queue_no, view.queue_ahead
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
        self.notice_no = tr("kiosk.result.notice_no", number=view.notice_no) if view.notice_no else ""
        self.render_missing()

    def render_missing(self) -> None:
        """The page of missing materials that fits the room left on screen (all of them, page by page)."""
        box = self.ids.missing
        discard_children(box)
        items = self._view.missing if self._view is not None else []
        if not items:
            self.pages = 1
            return
        area = self.ids.missing_area
        width, room = max(10, area.width), max(area.height, 1)

        def fits(text: str) -> bool:
            return text_height(text, THEME.font_body, width, markup=True) <= room

        texts = []  # an entry taller than the room goes on over the next page, never clipped
        for item in items:
            cont = f"[b]{item.n}.{NBSP}{_esc(tr('kiosk.result.continued'))}[/b]"
            texts += split_to_fit(missing_text(item), fits, cont)
        for n, maybe in enumerate(self._view.conditional):  # the notice did not print: its every line
            texts += split_to_fit(conditional_text(maybe, n == 0), fits,
                                  f"[b]{_esc(tr('kiosk.result.continued'))}[/b]")
        heights = [text_height(t, THEME.font_body, width, markup=True) for t in texts]
        pages = fit_pages(heights, room, THEME.gap * 0.5, most=THEME.per_page + 1)
        self.pages = len(pages)
        self.page = min(max(0, self.page), self.pages - 1)
        start, end = pages[self.page]
        for text in texts[start:end]:
            box.add_widget(KLabel(text=text, markup=True))  # font_body: the list is what the resident needs

    def area_resized(self) -> None:
        size = (round(self.ids.missing_area.width), round(self.ids.missing_area.height))
        if size != getattr(self, "_area_size", None):
            self._area_size = size
            if self._view is not None:
                self.render_missing()

    def turn(self, delta: int) -> None:
        self.page += delta
        self.render_missing()
        self.controller.touch()

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
