"""The idle countdown: a visit left alone resets itself (and wipes the resident's data).

:class:`Idle` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``_clock``,
``_last_touch``, ``step``, ``elderly``, ``has_personal_data()`` and ``reset()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.visit.intents import Intent
from kiosk.visit.steps import Step


@dataclass(frozen=True)
class IdleStatus:
    phase: Literal["active", "warning", "expired"]
    seconds_left: float  # until the reset; during "warning" it is the visible countdown
    deadline: float  # clock value at which the visit resets (inf at an empty start screen)


class Idle:
    """Idle timing from the injectable monotonic ``clock``; elderly mode multiplies both times."""

    idle_timeout_s: float
    countdown_s: float
    elderly_factor: float
    _last_touch: float

    @property
    def timeouts(self) -> tuple[float, float]:
        """(quiet time before the countdown, countdown), longer in elderly mode."""
        f = self.elderly_factor if self.elderly else 1.0
        return self.idle_timeout_s * f, self.countdown_s * f

    def touch(self) -> None:
        """Any touch or device event from the resident: restarts the idle time."""
        self._last_touch = self._clock()

    def idle_status(self) -> IdleStatus:
        """``active`` forever at an empty start screen; otherwise ``active`` → ``warning`` (the last
        ``countdown`` seconds) → ``expired``, counted from the last touch or step change."""
        if self.step is Step.START and not self.has_personal_data():
            return IdleStatus("active", float("inf"), float("inf"))
        quiet, countdown = self.timeouts
        deadline = self._last_touch + quiet + countdown
        left = deadline - self._clock()
        if left <= 0:
            return IdleStatus("expired", 0.0, deadline)
        return IdleStatus("warning" if left <= countdown else "active", left, deadline)

    def tick(self) -> list[Intent]:
        """Called about once a second: resets the visit when its countdown ran out."""
        if self.idle_status().phase == "expired":
            return self.reset("idle")
        return []
