"""Shared building blocks: wrapping labels, big buttons, panels, a page bar and overlays.

Every label wraps to its width and grows to its text's height, so text never overflows its box; buttons
are at least ``THEME.button_h`` tall and grow when their text wraps.
"""

from __future__ import annotations

import functools

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.screens import linebreak, theme
from kiosk.screens.kvload import load_kv

linebreak.install()  # Chinese line-breaking rules for every label (and every measured text) from here on


def _shade(rgba, factor: float) -> list[float]:
    r, g, b, a = rgba
    return [r * factor, g * factor, b * factor, a]


class KLabel(Label):
    """A label that wraps to its width and is exactly as tall as its text."""


class FixedLabel(Label):
    """A one-line label that shrinks its font (down to 60 %) rather than overflow its fixed box, keeping
    ``room`` pixels clear at each end."""

    base_font = NumericProperty(30)
    room = NumericProperty(0)

    def on_texture_size(self, *_args) -> None:
        self._fit()

    def on_size(self, *_args) -> None:
        self._fit()

    def on_base_font(self, *_args) -> None:
        self.font_size = self.base_font

    def _fit(self) -> None:
        if not self.text or self.width <= 1:
            return
        w, h = self.texture_size
        inner = self.width - 2 * self.room
        if (w > inner or h > self.height) and self.font_size > self.base_font * 0.6:
            self.font_size = max(self.base_font * 0.6, self.font_size * 0.9)
        elif w < inner * 0.8 and h < self.height * 0.8 and self.font_size < self.base_font:
            self.font_size = min(self.base_font, self.font_size * 1.1)


class KButton(ButtonBehavior, Label):
    """A large touch target with a coloured face. ``bg`` is its colour; ``outline`` draws a light face."""

    bg = ListProperty(list(theme.PRIMARY))
    outline = BooleanProperty(False)
    selected = BooleanProperty(False)
    face = ListProperty(list(theme.PRIMARY))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(bg=self._paint, state=self._paint, disabled=self._paint, outline=self._paint,
                  selected=self._paint)
        self._paint()

    def _paint(self, *_args) -> None:
        if self.disabled:
            face = list(theme.DISABLED)
        elif self.outline:
            face = list(theme.SELECTED if self.selected else theme.SURFACE)
        else:
            face = list(self.bg)
        if self.state == "down":
            face = _shade(face, 0.8)
        self.face = face


class View(BoxLayout):
    """One of the alternative views of a :class:`Switcher`, named by ``view``."""

    view = StringProperty("")


class Panel(View):
    """A white rounded box with padding, sized to its content."""


class Switcher(BoxLayout):
    """Shows exactly one of its :class:`View` children (``current`` names it); the others are detached,
    so a hidden view neither draws nor catches touches. The views are collected once the kv rule that
    declares them has been applied (``on_kv_post``)."""

    current = StringProperty("")

    def __init__(self, **kwargs):
        self._views: dict[str, Widget] = {}
        super().__init__(**kwargs)

    def on_kv_post(self, _base_widget) -> None:
        self._views = {c.view: c for c in reversed(self.children) if isinstance(c, View)}
        self.on_current()

    def on_current(self, *_args) -> None:
        if not self._views:
            return
        want = self._views.get(self.current) or next(iter(self._views.values()))
        for child in list(self.children):
            if child is not want:
                self.remove_widget(child)
        if want.parent is None:
            self.add_widget(want)


class PageBar(BoxLayout):
    """上一页 / 第 n / m 页 / 下一页. Dispatches ``on_turn(delta)``."""

    page = NumericProperty(0)
    pages = NumericProperty(1)

    def __init__(self, **kwargs):
        self.register_event_type("on_turn")
        super().__init__(**kwargs)

    def on_turn(self, delta: int) -> None:
        pass


class Overlay(FloatLayout):
    """A layer over the whole screen that dims what is under it (its rule draws the shade); the idle
    countdown, the 代办 notice, the 好差评 prompt and the 65+ offer are overlays."""


class ModalOverlay(Overlay):
    """An overlay that takes every touch under it (only its own buttons answer) and dispatches
    ``on_answer(...)`` with what the resident chose."""

    def __init__(self, **kwargs):
        self.register_event_type("on_answer")
        super().__init__(**kwargs)

    def on_answer(self, *answer) -> None:
        pass

    def on_touch_down(self, touch) -> bool:
        super().on_touch_down(touch)
        return True  # modal: nothing under it is pressed

    def on_touch_up(self, touch) -> bool:
        super().on_touch_up(touch)
        return True


def discard(widget) -> None:
    """Lets a widget go for good: drops the kv bindings of its whole subtree, so nothing is left behind
    on the shared :data:`THEME` (no leak, no dead reference). The widget itself is freed by the next full
    garbage collection (Kivy widgets live in reference cycles; see ``memory.release_free_memory``)."""
    from kivy.lang import Builder

    for w in widget.walk(restrict=True):
        Builder.unbind_widget(w.uid)


def discard_children(container) -> None:
    """Removes every child of ``container`` and lets each go (see :func:`discard`)."""
    for child in list(container.children):
        discard(child)
    container.clear_widgets()


def measured_height(meter: Label, text: str) -> float:
    """The height ``meter`` takes with ``text``, from Kivy's text layout alone: no texture, no pixels.

    ``meter`` is a label never shown, built like the ones it measures, whose kv rule derives its height
    from its texture size (as :class:`KButton`'s does); the layout pass is the one ``texture_update``
    runs before it renders (``CoreLabel.render()``).
    """
    meter.text = text  # Label hands its properties to its core label as they change
    meter._trigger_texture.cancel()  # its pixels are never needed
    meter.texture_size = list(meter._label.render())
    return float(meter.height)


@functools.lru_cache(maxsize=1024)
def text_height(text: str, font_size: float, width: float, *, markup: bool = False, bold: bool = False) -> float:
    """The height ``text`` takes wrapped to ``width`` pixels (laid out by Kivy's own text engine)."""
    from kivy.core.text import Label as CoreLabel
    from kivy.core.text.markup import MarkupLabel

    cls = MarkupLabel if markup else CoreLabel
    label = cls(text=text, font_size=font_size, text_size=(max(10, width), None), bold=bold)
    w, h = label.render()  # the layout pass alone: no texture is made
    return float(h) if w > 1 and h > 1 else 1.0  # an empty text renders as Kivy's 1-pixel texture


def fit_pages(heights: list[float], available: float, gap: float, most: int = 50) -> list[tuple[int, int]]:
    """Splits items of the given heights into pages (start, end) that each fit ``available`` pixels,
    with ``gap`` between items and at most ``most`` a page; an item taller than a page gets a page alone."""
    pages: list[tuple[int, int]] = []
    start, used = 0, 0.0
    for i, h in enumerate(heights):
        need = h if i == start else used + gap + h
        if i > start and (need > available or i - start >= most):
            pages.append((start, i))
            start, used = i, h
        else:
            used = need
    pages.append((start, len(heights)))
    return pages


def page_slice(items: list, page: int, per_page: int) -> tuple[list, int, int]:
    """The items of ``page`` (clamped), that page and the page count (at least 1)."""
    per_page = max(1, int(per_page))
    pages = max(1, -(-len(items) // per_page))
    page = min(max(0, page), pages - 1)
    return items[page * per_page:(page + 1) * per_page], page, pages


load_kv(__file__)
