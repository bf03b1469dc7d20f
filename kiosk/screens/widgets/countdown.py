"""The idle countdown: a full-screen overlay with a big number; any touch cancels the reset."""

from __future__ import annotations

from kivy.properties import NumericProperty

from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets.common import Overlay


class IdleOverlay(Overlay):
    """Shows ``seconds``. The root removes it on any touch (and swallows that touch)."""

    seconds = NumericProperty(0)


load_kv(__file__)
