"""The matter screen's buttons: each matter's text (:func:`matter_text`) and :class:`ButtonCache`, the
built buttons kept for reuse and every matter button's height measured without pixels, so the screen
pages its lists by height and builds only the page it shows."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from kiosk.i18n import tr
from kiosk.screens import matter_groups
from kiosk.screens.theme import THEME
from kiosk.screens.widgets.common import KButton, discard, measured_height


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


def _text(m, short: bool) -> str:
    return matter_text(m, THEME.font_body if short else THEME.font_large, short)


class ButtonCache:
    """Built buttons, least recently used first, at most :meth:`cap`: each holds its text's pixels (about
    1 MB for a matter), so a catalogue of hundreds of matters must not keep them all. Valid for one layout
    (the list's width and the mode): :meth:`check_layout` drops what was made for another."""

    def __init__(self) -> None:
        self.buttons: OrderedDict[tuple, KButton] = OrderedDict()
        self.heights: dict[tuple, float] = {}  # every matter button's height, measured without pixels
        self.meter: KButton | None = None  # a button never shown, laid out to measure heights
        self.layout: tuple | None = None  # what the cached buttons and heights were made for

    def __len__(self) -> int:
        return len(self.buttons)

    def check_layout(self, width: float) -> bool:
        """Drops the cached buttons and heights when the list's ``width`` or the mode (normal / elderly)
        changed since they were made; True when it did."""
        layout = (round(width), THEME.elderly, THEME.font_large, THEME.font_small)
        if layout == self.layout:
            return False
        self.drop()
        self.layout = layout
        return True

    @staticmethod
    def cap() -> int:
        """How many built buttons are kept: a departments page and a few matters pages."""
        return int(THEME.per_page) * 4

    def button(self, key: tuple, make: Callable[[], KButton]) -> KButton:
        """The cached button for ``key`` (``make()`` builds it). The least recently used buttons beyond
        :meth:`cap` are dropped, never one on show."""
        b = self.buttons.pop(key, None)
        self.buttons[key] = b = make() if b is None else b
        extra = len(self.buttons) - self.cap()
        for old in [k for k, w in self.buttons.items() if w.parent is None and w is not b][:max(0, extra)]:
            discard(self.buttons.pop(old))
        return b

    def dep_button(self, dep: str, on_open: Callable[[str], None]) -> KButton:
        """A department's (or group's) button; ``on_open(dep)`` when pressed."""
        def make() -> KButton:
            b = KButton(text=matter_groups.label(dep), outline=True, font_size=THEME.font_large)
            b.bind(on_release=lambda _b: on_open(dep))
            return b

        return self.button(("dep", dep), make)

    def matter_button(self, m, short: bool, width: float, on_choose: Callable[[str], None]) -> KButton:
        """One matter's button (``short``: for search results), its height final when this returns;
        ``on_choose(matter_id)`` when pressed."""
        def make() -> KButton:
            b = _new_matter_button(_text(m, short), width)
            b.texture_update()
            b.matter_id = m.id
            b.bind(on_release=lambda _b, mid=m.id: on_choose(mid))
            return b

        return self.button(("matter", m.id, short), make)

    def height(self, m, short: bool, width: float) -> float:
        """The height of ``m``'s button, measured once a layout by Kivy's text layout alone."""
        key = ("matter", m.id, short)
        h = self.heights.get(key)
        if h is None:
            built = self.buttons.get(key)
            if built is not None:
                h = float(built.height)
            else:
                if self.meter is None:
                    self.meter = _new_matter_button("", width)
                h = measured_height(self.meter, _text(m, short))
            self.heights[key] = h
        return h

    def off_screen(self) -> list:
        """The widgets kept and not shown (the harness drops their bindings when a UI goes for good)."""
        return [b for b in self.buttons.values() if b.parent is None] + ([self.meter] if self.meter else [])

    def drop(self) -> None:
        """Forgets the cached buttons (and their kv bindings on the shared theme) and the heights."""
        for b in self.buttons.values():
            if b.parent is not None:
                b.parent.remove_widget(b)
            discard(b)
        self.buttons.clear()
        self.heights.clear()
        if self.meter is not None:
            discard(self.meter)
            self.meter = None


def _new_matter_button(text: str, width: float) -> KButton:
    return KButton(text=text, outline=True, markup=True, halign="left", font_size=THEME.font_small,
                   padding=(THEME.pad, THEME.gap), width=width)
