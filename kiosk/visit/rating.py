"""The resident's 好差评 of a resolved help request (issue 12, item 15).

:class:`Rating` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``help`` (a
:class:`~kiosk.visit.help.HelpStatus`), ``help_request_id``, ``touch()`` and ``_changed()``.

When the helpers mark the visit's request resolved while the resident is still at the kiosk (the visit
was not reset), ``help.rating`` becomes ``asking`` (:meth:`~kiosk.visit.help.HelpRequests.helper_update`)
and the screens ask 满意 / 基本满意 / 不满意; 不满意 needs at least one reason. :meth:`rate` returns a
:class:`~kiosk.visit.intents.RateHelp` the controller sends through the outbox (``HelpQueueClient.rate``)
to the ratings API, where it counts in the 督查 figures of the helper and the site. One rating per
request; :meth:`skip_rating` says no thanks. While asking, the idle times are the normal ones (the thank-you
screen does not hurry the answer away).
"""

from __future__ import annotations

from typing import Literal

from kiosk.queue.rating_codes import REASONS
from kiosk.visit.intents import Intent, RateHelp
from kiosk.visit.steps import VisitError

Choice = Literal["satisfied", "basic", "unsatisfied"]
SCORE: dict[str, int] = {"satisfied": 4, "basic": 3, "unsatisfied": 2}  # the national scale's 满意, 基本满意, 不满意
REASON_CODES: tuple[str, ...] = tuple(REASONS)


class Rating:
    """Asking for, sending or skipping the 好差评 of the visit's resolved request."""

    @property
    def rating_asked(self) -> bool:
        return self.help.rating == "asking"

    def rate(self, choice: Choice | str, reasons: tuple[str, ...] | list[str] = ()) -> list[Intent]:
        """The resident's answer; VisitError when nothing is being asked, for an unknown choice or reason,
        or 不满意 without a reason."""
        if not self.rating_asked or self.help_request_id is None:
            raise VisitError("no rating is being asked (the request is not resolved, or was rated already)")
        if choice not in SCORE:
            raise VisitError(f"choice: {choice!r}; expected one of {', '.join(SCORE)}")
        reasons = tuple(dict.fromkeys(reasons))
        unknown = [r for r in reasons if r not in REASONS]
        if unknown:
            raise VisitError(f"reasons: unknown {', '.join(unknown)}; expected {', '.join(REASONS)}")
        if choice == "unsatisfied" and not reasons:
            raise VisitError("不满意 needs at least one reason")
        self.help.rating = "sent"
        self.touch()
        self._changed()
        return [RateHelp(self.help_request_id, SCORE[choice], reasons if choice == "unsatisfied" else ())]

    def skip_rating(self) -> None:
        """不评价: nothing is sent, the question closes."""
        if self.rating_asked:
            self.help.rating = "skipped"
            self.touch()
            self._changed()
