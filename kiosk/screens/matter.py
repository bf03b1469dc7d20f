"""Matter: the most asked matters, by life event, by department, or search by name / pinyin initials on an
on-screen keyboard (groups: :mod:`kiosk.screens.matter_groups`; the buttons, kept and measured:
:mod:`kiosk.screens.matter_buttons`).

Each matter shows where it is handled and its promised time limit (and 一事联办 / 推荐代办 when they
apply). Lists are paged (fewer items a page in elderly mode), never scrolled.
"""

from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens import matter_groups
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.matter_buttons import ButtonCache, warm
from kiosk.screens.theme import THEME
from kiosk.screens.widgets import keypads, nav  # noqa: F401
from kiosk.screens.widgets.common import KButton, fit_pages, page_slice


class MatterScreen(KioskScreen):
    step = StringProperty("matter")
    mode = StringProperty("departments")  # departments | events | list | search
    department = StringProperty("")  # the open list's group: a department, matter_groups.COMMON or EVENT…
    heading = StringProperty("")
    back_label = StringProperty("")
    query = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    _area_size: tuple[int, int] | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.buttons = ButtonCache()  # the built buttons kept for reuse, the measured heights

    def refresh(self) -> None:
        self.mode, self.query, self.department, self.page = "departments", "", "", 0
        self.render()

    def render(self) -> None:
        self.buttons.check_layout(self.ids.item_area.width)
        box = self.ids.item_box
        box.clear_widgets()  # every button shown here is cached (see _button); notes are one-off
        self.back_label = matter_groups.back_text(self.mode, self.department)
        if self.mode in ("departments", "events"):
            items = self.controller.departments() if self.mode == "departments" \
                else matter_groups.events(self.controller)
            shown, self.page, self.pages = page_slice(items, self.page, self.departments_per_page())
            buttons = [self._dep_button(dep) for dep in shown]
            for b in buttons:
                box.add_widget(b)
            self._align_rows(buttons, box.cols)
            return
        items = (self.controller.search(self.query) if self.query else []) if self.mode == "search" \
            else matter_groups.matters_of(self.controller, self.department)
        if self.mode == "search" and self.query and not items:
            box.add_widget(self._note(tr("kiosk.matter.no_result", query=self.query)))
        short = self.mode == "search"
        pages = self._pages(items, short)
        self.pages = len(pages)
        self.page = min(max(0, self.page), self.pages - 1)
        start, end = pages[self.page]
        for m in items[start:end]:
            box.add_widget(self._matter_button(m, short))

    @staticmethod
    def _align_rows(buttons: list, cols: int) -> None:
        """The buttons of one grid row as tall as the tallest of them (a name that wraps makes its button
        taller; its neighbour would sit lower and the rows would look askew)."""
        for i in range(0, len(buttons), max(1, cols)):
            row = buttons[i:i + cols]
            for b in row:
                b.texture_update()
            tallest = max(max(THEME.button_h, b.texture_size[1] + 2 * THEME.gap) for b in row)  # KButton's rule
            for b in row:
                b.height = tallest

    def departments_per_page(self) -> int:
        """Two columns of departments (or life events); in elderly mode one column (long names on one line,
        the buttons of a row never of different heights), fewer a page; never more rows than the list's
        room holds."""
        most = int(THEME.per_page) + 1 if THEME.elderly else int(THEME.per_page) * 2
        cols = 1 if THEME.elderly else 2
        rows = int((self.ids.item_area.height + THEME.gap) // (THEME.button_h + THEME.gap))
        return max(cols, min(most, rows * cols)) if self.ids.item_area.height > THEME.button_h else most

    def _pages(self, items: list, short: bool) -> list[tuple[int, int]]:
        """The list's pages (start, end) from the buttons' measured heights: only a shown page is built."""
        heights = [self._height(m, short) for m in items]
        return fit_pages(heights, self.ids.item_area.height, THEME.gap, most=THEME.per_page)

    def prewarm(self, _dt=None, tries: int = 10) -> None:
        """Prepares the lists while the start screen waits: measures every matter's button (no pixels),
        and builds the first departments page and the first page of each department, as far as the
        cache holds, rendering their text now. The work runs in slices of a few milliseconds, so a touch
        never waits for it. The screen is laid out to the manager's size first (a screen not shown is
        not laid out by itself)."""
        if self.controller is None or self.manager is None or self.manager.current == self.name:
            return  # in use: its own renders keep it right, and warming must not rebuild what is on show
        if tuple(self.size) != tuple(self.manager.size) or self.ids.item_area.width <= 100:
            self.size = self.manager.size
            if tries > 0:
                Clock.schedule_once(lambda dt: self.prewarm(dt, tries - 1), 0)
            return
        self.buttons.check_layout(self.ids.item_area.width)
        self._run_idle(self._warm_steps(), self.buttons.layout)

    def _warm_steps(self):
        """:meth:`prewarm`'s work, one small step between yields."""
        deps = self.controller.departments()
        for dep in deps[:self.departments_per_page()]:
            warm(self._dep_button(dep))
            yield
        for dep in deps:
            for m in self.controller.matters(dep):
                self._height(m, False)
                self._height(m, True)
                yield
        for dep in deps:
            items = self.controller.matters(dep)
            for m in items[:self._pages(items, False)[0][1]]:
                if len(self.buttons) >= self.buttons.cap():
                    return
                warm(self._matter_button(m, False))
                yield

    def _run_idle(self, steps, layout, budget_s: float = 0.008) -> None:
        """Runs ``steps`` a slice of ``budget_s`` a frame, stopping when the layout changes."""
        if self.buttons.layout != layout:
            return
        until = time.perf_counter() + budget_s
        for _ in steps:
            if time.perf_counter() > until:
                Clock.schedule_once(lambda _dt: self._run_idle(steps, layout, budget_s), 0)
                return

    def _dep_button(self, dep: str) -> KButton:
        return self.buttons.dep_button(dep, self.open_department)

    def _matter_button(self, m, short: bool) -> KButton:
        return self.buttons.matter_button(m, short, self.ids.item_area.width, self.choose)

    def _height(self, m, short: bool) -> float:
        return self.buttons.height(m, short, self.ids.item_area.width)

    def area_resized(self) -> None:
        """The list's room changed (first layout, elderly mode): re-page unless nothing would change."""
        size = (round(self.ids.item_area.width), round(self.ids.item_area.height))
        if size != self._area_size and self.controller is not None:
            self._area_size = size
            self.render()

    def _note(self, text: str):
        from kiosk.screens.widgets.common import KLabel

        return KLabel(text=text, halign="center")

    def open_department(self, department: str) -> None:
        """Opens the list of a department, of the most asked matters or of a life event."""
        self.mode, self.department, self.page = "list", department, 0
        self.heading = matter_groups.heading(department)
        self.render()

    def show_events(self) -> None:
        self.mode, self.query, self.page, self.department = "events", "", 0, ""
        self.heading = tr("find.events_title")
        self.render()

    def show_departments(self) -> None:
        self.mode, self.query, self.page = "departments", "", 0
        self.render()

    def open_search(self) -> None:
        self.mode, self.page = "search", 0
        self.render()

    def on_key(self, key: str) -> None:
        if key == "back":
            self.query = self.query[:-1]
        elif key == "clear":
            self.query = ""
        elif len(key) == 1 and len(self.query) < 20:
            self.query += key
        self.page = 0
        self.render()

    def turn(self, delta: int) -> None:
        self.page += delta
        self.render()

    def choose(self, matter_id: str) -> None:
        self.controller.choose_matter(matter_id)
        self.go("materials")

    def back(self) -> None:
        if self.mode == "list" and self.department.startswith(matter_groups.EVENT):
            self.show_events()
            return
        if self.mode != "departments":
            self.show_departments()
            return
        self.go(self.controller.back_from_matter())


load_kv(__file__)
