"""绿色通道: priority for disabled, pregnant, elderly and other residents who need it.

A collaborator of :class:`~kiosk.terminal.controller.KioskController` (``controller.green``), made by
:func:`kiosk.terminal.access.attach`. No Kivy here. It watches the visit: when a card (or a typed ID number)
says the resident is 65 or older, it emits ``senior`` (the offer's age threshold, never the resident's age) once per visit, and the UI offers 长辈模式
and priority by itself. Ages are computed against the injected wall clock ``now``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.i18n import tr
from kiosk.visit.priority import SENIOR_AGE, senior_age


class GreenChannel:
    def __init__(self, controller, now: Callable[[], datetime], *, senior: int = SENIOR_AGE):
        self.controller, self.now, self.senior = controller, now, senior
        self._checked_visit: str | None = None
        controller.visit.subscribe(self._visit_changed)

    @property
    def on(self) -> bool:
        """The resident chose the green channel this visit."""
        return self.controller.visit.priority == "green"

    @property
    def priority(self) -> str:
        return self.controller.visit.priority

    def choose(self) -> None:
        """绿色通道 chosen: every help request of this visit goes first."""
        self.controller.visit.set_priority("green")
        self.controller.speak(tr("access.green.chosen"))

    def call(self) -> None:
        """绿色通道 and a helper at once (the resident wants someone to come now)."""
        self.controller.visit.set_priority("green")
        self.controller.call_helper(self.controller.current_screen)

    def accept_senior(self, elderly: bool) -> None:
        """The 65+ offer accepted: priority, and 长辈模式 too when ``elderly``."""
        visit = self.controller.visit
        if visit.priority == "normal":
            visit.set_priority("elderly")
        if elderly and not visit.elderly:
            self.controller.set_elderly(True)

    def _visit_changed(self, visit) -> None:
        if visit.identity is None or self._checked_visit == visit.visit_id:
            return
        self._checked_visit = visit.visit_id
        if visit.elderly or visit.priority != "normal" or self.senior <= 0:
            return  # already in 长辈模式 or on the green channel: nothing to offer
        if senior_age(visit.identity, self.now().date(), self.senior) is not None:
            # the threshold, not the resident's age: the offer is on screen and read aloud in the hall
            self.controller.emit("senior", self.senior)
