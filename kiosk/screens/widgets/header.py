"""The header on every screen: the hall's name, the step indicator and the large call-helper button.

Below it, while the voice speaks (elderly mode), 再听一遍 and the volume (``voice_on``); then a banner
tells the resident about their help request ("帮办员正在赶来…" or, offline, where the 帮办代办 window is).
Events: ``on_call_helper`` (the button), ``on_repeat`` and ``on_change_volume`` (the voice bar), ``on_manager``
(five taps on the hall's name within three seconds: the hidden way into manager mode).
"""

from __future__ import annotations

import time

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens import theme
from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets import common  # noqa: F401  (KButton, KLabel rules)
from kiosk.screens.widgets.common import FixedLabel

STEPS = ("identify", "matter", "materials", "result", "done")


class StepChip(FixedLabel):
    """One step of the indicator: a pill whose words keep a third of a character clear of its ends (``room``),
    so two neighbours' words never touch ("Papers" / "Result" in English elderly mode). Its share of
    the row is its words' width at full size, so a long step name gets the room a short one does not
    need; when they do not all fit, each shrinks its font (:class:`FixedLabel`)."""

    state_name = StringProperty("todo")

    def on_text(self, *_args) -> None:
        self._share()

    def on_base_font(self, *_args) -> None:
        super().on_base_font()
        self._share()

    def _share(self) -> None:
        from kivy.core.text import Label as CoreLabel

        self.room = self.base_font * 0.3
        width, _h = CoreLabel(text=self.text or " ", font_size=self.base_font, bold=True).render()
        self.size_hint_x = width + 2 * self.room


class StepIndicator(BoxLayout):
    """Five steps; ``current`` is the step being shown ('' on the start screen: none highlighted)."""

    current = StringProperty("")
    steps = ListProperty(list(STEPS))

    def state_of(self, step: str, current: str) -> str:
        """``done``, ``current`` or ``todo`` for drawing one step."""
        if current not in self.steps:
            return "todo"
        i, c = self.steps.index(step), self.steps.index(current)
        return "done" if i < c else "current" if i == c else "todo"


class Header(BoxLayout):
    step = StringProperty("")
    hall_name = StringProperty("")
    help_text = StringProperty("")
    help_colour = ListProperty(list(theme.OK))
    taps = NumericProperty(0)
    voice_on = BooleanProperty(False)
    volume = NumericProperty(70)

    def __init__(self, **kwargs):
        for event in ("on_call_helper", "on_manager", "on_repeat", "on_change_volume"):
            self.register_event_type(event)
        self._tap_times: list[float] = []
        super().__init__(**kwargs)

    def title_tapped(self) -> None:
        now = time.monotonic()
        self._tap_times = [t for t in self._tap_times if now - t < 3.0] + [now]
        if len(self._tap_times) >= 5:
            self._tap_times = []
            self.dispatch("on_manager")

    def on_kv_post(self, _base_widget) -> None:
        self._voice_bar = self.ids.voice_bar.__self__  # a strong reference: ids are weak, the bar is detached
        self.on_voice_on()

    def on_voice_on(self, *_args) -> None:
        """The voice bar is in the header only while the voice speaks: detached, it neither draws nor
        catches touches."""
        bar = getattr(self, "_voice_bar", None)
        if bar is None:
            return
        if self.voice_on and bar.parent is None:
            self.add_widget(bar, index=len(self.children) - 1)  # right under the top bar
        elif not self.voice_on and bar.parent is not None:
            self.remove_widget(bar)

    def on_call_helper(self) -> None:
        pass

    def on_repeat(self) -> None:
        pass

    def on_change_volume(self) -> None:
        pass

    @staticmethod
    def volume_name(volume: float) -> str:
        """小 / 中 / 大 for a volume of 0–100."""
        from kiosk.i18n import tr

        names = tr("kiosk.header.volume_levels").split(",")
        level = 0 if volume < 55 else 1 if volume < 85 else 2
        return names[min(level, len(names) - 1)]

    def on_manager(self) -> None:
        pass


load_kv(__file__)
