"""The attract loop over the idle start screen: 帮办, 代办, 全程免费 and 绿色通道, each as a simple picture
and a few plain words. The first touch anywhere removes it at once and goes no further (the resident
then sees the start screen and chooses); it never waits for a slide or an animation.

:func:`install` puts a small driver on the root that asks ``controller.attract.due()`` every half second.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Rectangle, RoundedRectangle
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.screens import theme
from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets import common  # noqa: F401  (KLabel, KButton rules)
from kiosk.terminal.attract import SLIDES

GREY = (0.45, 0.48, 0.52, 1)
PAPER = (0.98, 0.80, 0.30, 1)


class Pictogram(Widget):
    """A flat picture for one slide: people (a helper in blue, the resident in grey), papers, a window."""

    kind = StringProperty("assist")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, kind=self._draw)

    def _person(self, cx: float, y: float, s: float, colour) -> None:
        Color(*colour)
        Ellipse(pos=(cx - s * 0.17, y + s * 0.64), size=(s * 0.34, s * 0.34))
        RoundedRectangle(pos=(cx - s * 0.26, y), size=(s * 0.52, s * 0.58), radius=[s * 0.14, s * 0.14, 4, 4])

    def _arrow(self, x1: float, x2: float, y: float, s: float) -> None:
        Color(*theme.PRIMARY_DARK)
        Line(points=[x1, y, x2, y], width=max(2.0, s * 0.03))
        Line(points=[x2 - s * 0.12, y + s * 0.1, x2, y, x2 - s * 0.12, y - s * 0.1], width=max(2.0, s * 0.03))

    def _window(self, x: float, y: float, s: float) -> None:
        Color(*theme.SELECTED)
        Rectangle(pos=(x, y), size=(s * 0.7, s))
        Color(*theme.PRIMARY)
        Line(rectangle=(x, y, s * 0.7, s), width=3)
        Rectangle(pos=(x, y + s * 0.42), size=(s * 0.7, s * 0.08))

    def _papers(self, x: float, y: float, s: float) -> None:
        Color(*PAPER)
        Rectangle(pos=(x, y), size=(s * 0.3, s * 0.38))
        Color(*theme.WARN)
        Line(rectangle=(x, y, s * 0.3, s * 0.38), width=2)

    def _draw(self, *_args) -> None:
        self.canvas.clear()
        s = min(self.height, self.width / 3.2)
        x0 = self.center_x - s * 1.6
        y = self.y
        with self.canvas:
            if self.kind == "assist":  # a helper walks with the resident to the window
                self._person(x0 + s * 0.35, y, s, GREY)
                self._person(x0 + s * 0.95, y, s, theme.PRIMARY)
                self._arrow(x0 + s * 1.35, x0 + s * 2.2, y + s * 0.5, s)
                self._window(x0 + s * 2.4, y, s)
            elif self.kind == "proxy":  # the resident hands the papers over; the agent takes them on
                self._person(x0 + s * 0.35, y, s, GREY)
                self._papers(x0 + s * 0.72, y + s * 0.3, s)
                self._person(x0 + s * 1.35, y, s, theme.PRIMARY)
                self._arrow(x0 + s * 1.7, x0 + s * 2.3, y + s * 0.5, s)
                self._window(x0 + s * 2.45, y, s)
            elif self.kind == "green":  # the one who needs it goes first
                self._person(x0 + s * 0.6, y, s, theme.OK)
                self._person(x0 + s * 1.3, y, s * 0.85, GREY)
                self._person(x0 + s * 1.9, y, s * 0.85, GREY)
                self._person(x0 + s * 2.5, y, s * 0.85, GREY)
            else:  # free: no money changes hands
                Color(*theme.OK)
                Line(circle=(self.center_x, self.center_y, s * 0.48), width=max(3.0, s * 0.04))


class AttractLoop(FloatLayout):
    """The loop's slides over the whole window; ``slide`` indexes :data:`SLIDES`."""

    slide = NumericProperty(0)
    kind = StringProperty(SLIDES[0])

    def __init__(self, on_end=None, **kwargs):
        super().__init__(**kwargs)
        self._on_end = on_end

    def on_slide(self, *_args) -> None:
        self.kind = SLIDES[int(self.slide) % len(SLIDES)]

    def next(self) -> None:
        self.slide = (int(self.slide) + 1) % len(SLIDES)

    def on_touch_down(self, touch) -> bool:
        if self._on_end is not None:  # at once, in this very touch: the start screen is there now
            self._on_end()
        return True


class AttractDriver:
    """Shows the loop when ``controller.attract.due()`` and turns its slides; :meth:`end` removes it."""

    def __init__(self, root, check_s: float = 0.5):
        self.root = root
        self.loop: AttractLoop | None = None
        self._shown_for = 0.0
        self.event = Clock.schedule_interval(lambda dt: self.check(dt), check_s)

    def check(self, dt: float = 0.0) -> None:
        attract = self.root.controller.attract
        if self.loop is None:
            if attract.due() and self.root.overlay is None and self.root.confirm is None:
                self.show()
            return
        if not attract.due():  # something else started (a card read, the hardware button)
            self.end(touched=False)
            return
        self._shown_for += dt
        if self._shown_for >= attract.slide_s:
            self._shown_for = 0.0
            self.loop.next()

    def show(self, slide: int = 0) -> AttractLoop:
        if self.loop is None:
            self.loop = AttractLoop(on_end=self.end)
            self.root.add_widget(self.loop)
        self.loop.slide = slide
        self.loop.on_slide()
        self._shown_for = 0.0
        return self.loop

    def end(self, touched: bool = True) -> None:
        if self.loop is None:
            return
        loop, self.loop = self.loop, None
        self.root.remove_widget(loop)
        common.discard(loop)
        if touched:
            self.root.controller.attract.ended()

    def cancel(self) -> None:
        self.event.cancel()
        self.end(touched=False)


def install(root) -> AttractDriver:
    driver = AttractDriver(root)
    root.attract = driver
    root._events.append(driver)  # root.stop() cancels it with the root's own events
    return driver


load_kv(__file__)
