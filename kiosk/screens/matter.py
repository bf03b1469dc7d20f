"""Matter: browse by department, or search by name / pinyin initials on an on-screen keyboard.

Each matter shows where it is handled and its promised time limit (and 一事联办 / 推荐代办 when they
apply). Lists are paged (fewer items a page in elderly mode), never scrolled.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets import keypads  # noqa: F401
from kiosk.screens.widgets.common import KButton, discard_children, fit_pages, page_slice


def matter_text(m, font_large: int, short: bool = False) -> str:
    """The markup of one matter's button: name, department and window, time limit, badges
    (``short``: name and department only, for search results under the keyboard)."""
    limit = tr("kiosk.matter.immediate") if m.time_limit == "即办" else tr("kiosk.matter.days", n=m.time_limit)
    badges = []
    if m.joint:
        badges.append(tr("kiosk.matter.joint", lead=m.joint.lead))
    if m.proxy_recommended:
        badges.append(tr("kiosk.matter.proxy_recommended"))
    if short:
        return f"[size={font_large}][b]{_esc(m.name)}[/b][/size]\n{_esc(m.department)}"
    lines = [f"[size={font_large}][b]{_esc(m.name)}[/b][/size]",
             tr("kiosk.matter.where", department=_esc(m.department), window=_esc(m.window)),
             tr("kiosk.matter.limit", limit=limit) + ("   " + " · ".join(badges) if badges else "")]
    return "\n".join(lines)


def warm(label) -> None:
    """Lays out ``label``'s text and renders it into its texture now instead of at the next frame."""
    label.texture_update()
    if label.texture is not None:
        label.texture.bind()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


class MatterScreen(KioskScreen):
    step = StringProperty("matter")
    mode = StringProperty("departments")  # departments | list | search
    department = StringProperty("")
    query = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    _area_size: tuple[int, int] | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._buttons: dict[tuple, KButton] = {}  # built and measured once, reused on every entry
        self._layout: tuple | None = None  # what the cached buttons were built for

    def refresh(self) -> None:
        self.mode, self.query, self.department, self.page = "departments", "", "", 0
        self.render()

    def render(self) -> None:
        self._check_layout()
        box = self.ids.item_box
        box.clear_widgets()  # every button shown here is cached (see _button); notes are one-off
        if self.mode == "departments":
            items = self.controller.departments()
            shown, self.page, self.pages = page_slice(items, self.page, THEME.per_page * 2)
            for dep in shown:
                box.add_widget(self._button(("dep", dep), lambda d=dep: self._department_button(d)))
            return
        items = (self.controller.search(self.query) if self.query else []) if self.mode == "search" \
            else self.controller.matters(self.department)
        if self.mode == "search" and self.query and not items:
            box.add_widget(self._note(tr("kiosk.matter.no_result", query=self.query)))
        width = self.ids.item_area.width
        short = self.mode == "search"
        buttons = [self._button(("matter", m.id, short), lambda m=m: self._matter_button(m, width, short))
                   for m in items]
        pages = fit_pages([b.height for b in buttons], self.ids.item_area.height, THEME.gap, most=THEME.per_page)
        self.pages = len(pages)
        self.page = min(max(0, self.page), self.pages - 1)
        start, end = pages[self.page]
        for b in buttons[start:end]:
            box.add_widget(b)

    def _check_layout(self) -> bool:
        """Drops the cached buttons when the list's width or the mode (normal / elderly) changed since
        they were built; True when it did."""
        layout = (round(self.ids.item_area.width), THEME.elderly, THEME.font_large, THEME.font_small)
        if layout == self._layout:
            return False
        self.drop_cache()
        self._layout = layout
        return True

    def _button(self, key: tuple, make) -> KButton:
        """The cached button for ``key`` (``make()`` builds it), valid for the layout of the last
        :meth:`_check_layout`."""
        b = self._buttons.get(key)
        if b is None:
            b = self._buttons[key] = make()
        return b

    def drop_cache(self) -> None:
        """Forgets the cached buttons and their kv bindings on the shared theme."""
        for b in self._buttons.values():
            if b.parent is not None:
                b.parent.remove_widget(b)
            discard_children(b)
            Builder.unbind_widget(b.uid)
        self._buttons.clear()

    def prewarm(self, _dt=None, tries: int = 10) -> None:
        """Builds every department's and matter's button and renders its text into its texture (called
        while the start screen waits), so opening a list never waits for text rendering. The screen is
        laid out to the manager's size first (a screen not shown is not laid out by itself)."""
        if self.controller is None or self.manager is None:
            return
        if tuple(self.size) != tuple(self.manager.size) or self.ids.item_area.width <= 100:
            self.size = self.manager.size
            if tries > 0:
                Clock.schedule_once(lambda dt: self.prewarm(dt, tries - 1), 0)
            return
        if self._check_layout() and self.manager.current == self.name:
            self.render()  # the buttons on show were dropped: show this layout's
        width = self.ids.item_area.width
        for dep in self.controller.departments():
            warm(self._button(("dep", dep), lambda d=dep: self._department_button(d)))
            for m in self.controller.matters(dep):
                warm(self._button(("matter", m.id, False), lambda m=m: self._matter_button(m, width, False)))

    def _department_button(self, dep: str) -> KButton:
        b = KButton(text=dep, outline=True, font_size=THEME.font_large)
        b.bind(on_release=lambda _b: self.open_department(dep))
        return b

    def _matter_button(self, m, width: float, short: bool) -> KButton:
        """One matter's button, measured at ``width`` (its height is final when this returns)."""
        b = KButton(text=matter_text(m, THEME.font_body if short else THEME.font_large, short), outline=True,
                    markup=True, halign="left", font_size=THEME.font_small, padding=(THEME.pad, THEME.gap),
                    width=width)
        b.texture_update()
        b.matter_id = m.id
        b.bind(on_release=lambda _b, mid=m.id: self.choose(mid))
        return b

    def area_resized(self) -> None:
        """The list's room changed (first layout, elderly mode): re-page unless nothing would change."""
        size = (round(self.ids.item_area.width), round(self.ids.item_area.height))
        if self.mode != "departments" and size != self._area_size and self.controller is not None:
            self._area_size = size
            self.render()

    def _note(self, text: str):
        from kiosk.screens.widgets.common import KLabel

        return KLabel(text=text, halign="center")

    def open_department(self, department: str) -> None:
        self.mode, self.department, self.page = "list", department, 0
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
        if self.mode != "departments":
            self.show_departments()
            return
        self.go(self.controller.back_from_matter())


load_kv(__file__)
