"""A real touch for the screenshot harness and the demo, without ``kivy.tests``.

``kivy.tests.common`` (whose ``UnitTestTouch`` the harness used) imports pytest, a test-only package that
a kiosk installed with ``pip install .`` does not have. :class:`ScreenTouch` is the same thing: a motion
event posted to Kivy's event loop, so the window dispatches it like a finger on the glass.
"""

from __future__ import annotations

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent


class ScreenTouch(MotionEvent):
    """One finger at window pixel (``x``, ``y``); :meth:`down`, then :meth:`up`."""

    def __init__(self, x: float, y: float):
        window = EventLoop.window
        super().__init__("ScreenTouch", 99, {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)},
                         is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)

    def down(self) -> None:
        EventLoop.post_dispatch_input("begin", self)

    def up(self) -> None:
        EventLoop.post_dispatch_input("end", self)
