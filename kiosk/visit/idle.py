"""The idle countdown: a visit left alone resets itself (and wipes the resident's data).

:class:`Idle` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``_clock``,
``_last_touch``, ``step``, ``elderly``, ``helper_coming``, ``has_personal_data()`` and ``reset()``.

Times, all multiplied by the elderly factor in elderly mode:

- any step: ``idle_timeout_s`` of quiet, then a visible ``countdown_s``;
- while a helper is on the way (a help request is open, :attr:`~kiosk.visit.Visit.helper_coming`) the
  quiet time is ``help_wait_s`` instead: the resident was told to wait here, and the wipe waits with them,
  but never for ever;
- the thank-you screen (DONE) returns after ``done_s`` without a countdown (its own line says when), or
  after ``help_wait_s`` while a helper is coming.
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
    help_wait_s: float
    done_s: float
    _last_touch: float

    @property
    def timeouts(self) -> tuple[float, float]:
        """(quiet time before the countdown, countdown) for the step shown now, longer in elderly mode
        (see the module's text)."""
        f = self.elderly_factor if self.elderly else 1.0
        waiting = self.helper_coming
        if self.help.rating == "asking":  # the helper just finished: time to answer 满意吗, as on any screen
            return self.idle_timeout_s * f, self.countdown_s * f
        if self.step is Step.DONE:
            return (self.help_wait_s if waiting else self.done_s) * f, 0.0
        quiet = max(self.idle_timeout_s, self.help_wait_s) if waiting else self.idle_timeout_s
        return quiet * f, self.countdown_s * f

    def touch(self) -> None:
        """Any touch or device event from the resident: restarts the idle time."""
        self._last_touch = self._clock()

    def quiet_s(self) -> float:
        """Seconds since the last touch or step change."""
        return self._clock() - self._last_touch

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
        return IdleStatus("warning" if countdown > 0 and left <= countdown else "active", left, deadline)

    def tick(self) -> list[Intent]:
        """Called about once a second: resets the visit when its countdown ran out."""
        if self.idle_status().phase == "expired":
            return self.reset("done" if self.step is Step.DONE and not self.helper_coming else "idle")
        return []
