"""The header on every screen: the hall's name, the step indicator and the large call-helper button.

Below it a banner tells the resident about their help request ("帮办员正在赶来…" or, offline,
"已记录，网络恢复后自动发送"). Events: ``on_call_helper`` (the button), ``on_manager`` (five taps on the
hall's name within three seconds: the hidden way into manager mode).
"""

from __future__ import annotations

import time

from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens import theme
from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets import common  # noqa: F401  (KButton, KLabel rules)

STEPS = ("identify", "matter", "materials", "result", "done")


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

    def __init__(self, **kwargs):
        self.register_event_type("on_call_helper")
        self.register_event_type("on_manager")
        self._tap_times: list[float] = []
        super().__init__(**kwargs)

    def title_tapped(self) -> None:
        now = time.monotonic()
        self._tap_times = [t for t in self._tap_times if now - t < 3.0] + [now]
        if len(self._tap_times) >= 5:
            self._tap_times = []
            self.dispatch("on_manager")

    def on_call_helper(self) -> None:
        pass

    def on_manager(self) -> None:
        pass


load_kv(__file__)
