"""The idle countdown: a full-screen overlay with a big number; any touch cancels the reset."""

from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets import common  # noqa: F401


class IdleOverlay(FloatLayout):
    """Shows ``seconds``. The root removes it on any touch (and swallows that touch)."""

    seconds = NumericProperty(0)


load_kv(__file__)
