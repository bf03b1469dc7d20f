"""The attract loop's timing (宣传): while nobody uses the kiosk, the start screen explains 帮办 and 代办
in pictures and plain words, and says the service is free. No Kivy here: the UI asks :meth:`due` and
shows :data:`SLIDES` one after the other; the first touch ends it at once (it never delays a visit)."""

from __future__ import annotations

SLIDES = ("assist", "proxy", "free", "green")
"""The loop's slides in order; each names ``access.attract.<slide>_title`` / ``_body`` texts."""


class Attract:
    """``controller.attract``. ``after_s`` of quiet at an empty start screen before the loop (0: never)."""

    def __init__(self, controller, after_s: float, slide_s: float = 7.0):
        self.controller, self.after_s, self.slide_s = controller, after_s, slide_s

    def due(self) -> bool:
        """The loop may show now: the start screen, no visit under way, no help request, quiet long enough."""
        c, v = self.controller, self.controller.visit
        if self.after_s <= 0 or c.current_screen != "start" or v.step.value != "start":
            return False
        if c.entered_data() or v.priority != "normal":
            return False
        return v.quiet_s() >= self.after_s

    def ended(self) -> None:
        """A touch ended the loop: the visit's quiet time starts again (the loop comes back later)."""
        self.controller.visit.touch()
