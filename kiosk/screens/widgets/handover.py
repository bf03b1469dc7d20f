"""The notice shown before 代办 (issue 12, item 17): why the resident's name and ID number go to the
{agent}, who sees them, for how long (PIPL art. 17), and the choice of 帮办 instead.

:class:`HandoverNotice` covers its parent and takes every touch under it (modal); it dispatches
``on_answer(True)`` (agree: the visit may hand the identity over) or ``on_answer(False)``. The start screen
closes it by itself after the quiet time, so a resident who walked away never leaves it standing.
"""

from __future__ import annotations

from kivy.properties import StringProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets import common  # noqa: F401  (KButton, Panel rules)


class HandoverNotice(FloatLayout):
    """同意，继续代办 / 不同意，返回 over the start screen; ``hours`` is how long the server keeps the identity."""

    hours = StringProperty("1")  # hours_text(config.privacy.handover_identity_hours)

    def __init__(self, **kwargs):
        self.register_event_type("on_answer")
        super().__init__(**kwargs)

    def on_answer(self, yes: bool) -> None:
        pass

    def spoken(self) -> str:
        """What the voice reads: the why, who and how long."""
        return "".join(self.ids[k].text for k in ("why", "who", "how_long"))

    def on_touch_down(self, touch) -> bool:
        super().on_touch_down(touch)
        return True  # modal: nothing under it is pressed

    def on_touch_up(self, touch) -> bool:
        super().on_touch_up(touch)
        return True


def hours_text(hours: float) -> str:
    """``1`` for 1.0, ``1.5`` for 1.5: how the notice says the keeping time."""
    return f"{hours:g}"


load_kv(__file__)
