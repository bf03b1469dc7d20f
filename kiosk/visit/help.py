"""Help requests of a visit: at most one per visit, then notes to that one; what the queue said of it.

:class:`HelpStatus` is the state of the visit's one request as the help queue reports it (a small
collaborator the visit holds as ``visit.help``): whether a helper is on the way, who claimed it, whether it
was only recorded offline. :class:`HelpRequests` is a mixin of :class:`~kiosk.visit.Visit`; it uses the
visit's ``site``, ``step``, ``kind``, ``matter``, ``result``, ``identity``, ``elderly``, ``priority``,
``help_request_id``, ``help``, ``touch()`` and ``_changed()``.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from kiosk.visit.hours import Away
from kiosk.visit.intents import CallHelper, Intent, PrintSlip, TellHelper
from kiosk.visit.priority import request_priority

HelpPhase = Literal["none", "sending", "waiting", "claimed", "offline", "closed"]
CLOSED_STATES = frozenset({"resolved", "converted", "cancelled", "failed"})  # nobody comes for these
CLAIMED_STATES = frozenset({"claimed", "arrived"})


@dataclass
class HelpStatus:
    """What the visit knows of its help request.

    ``phase``: ``none`` (no request), ``sending`` (made, not yet confirmed), ``waiting`` (the queue has it,
    nobody claimed it yet), ``claimed`` (``helper`` is on the way), ``offline`` (recorded in the outbox, the
    network is down: nobody knows of it yet), ``closed`` (resolved or cancelled by the helpers).
    ``eta_s``: the queue's estimate of the wait (None: unknown). ``directions``: the slip telling where the
    帮办代办 window is: ``""`` (not asked for), ``printing``, ``printed`` or ``failed``. ``rating``: once the
    helpers marked the request resolved while the resident is still here, ``asking`` (then ``sent`` or
    ``skipped``).
    """

    phase: HelpPhase = "none"
    helper: str = ""
    eta_s: float | None = None
    directions: str = ""
    rating: str = "none"  # 好差评 of a resolved request: none, asking, sent, skipped (kiosk/visit/rating.py)

    @property
    def coming(self) -> bool:
        """A request is open and a helper is on the way (offline nobody knows of it yet: the resident is
        sent to the 帮办代办 window instead, and nothing waits for a helper)."""
        return self.phase in ("sending", "waiting", "claimed")

    @property
    def unanswered(self) -> bool:
        """A request is open and nobody has taken it (sent, waiting, or kept in the outbox): after hours the
        help banner then says closed, when the staff are back and the hotline."""
        return self.phase in ("sending", "waiting", "offline")


class HelpRequests:
    """Calling a helper from any step; replays of the button never create a second request."""

    help_request_id: str | None
    rating_token: str | None
    help: HelpStatus
    # After hours (错时、延时): None while helpers are in, else when they are back (data: the screens and
    # slips word it, kiosk.terminal.hours.back_words). The terminal sets it (kiosk/terminal/hours.py); a
    # request made while they are away is recorded, but nobody is on the way unless someone on duty claims it.
    helpers_away: Callable[[], Away | None] = staticmethod(lambda: None)

    @property
    def helper_eta_s(self) -> float | None:
        return self.help.eta_s

    @property
    def helper_coming(self) -> bool:
        """A helper is on the way: a request is open and either claimed, or waiting while helpers are in."""
        if self.help_request_id is None or not self.help.coming:
            return False
        return self.help.phase == "claimed" or self.helpers_away() is None

    def request_payload(self) -> dict:
        """What a help request carries: kiosk, site, step, matter so far, the materials' state; the name
        masked, no ID number (an agreed 代办's identity travels apart: :meth:`handover_identity`)."""
        return {
            "visit_id": self.visit_id, "kiosk_id": self.site.kiosk_id, "site_code": self.site.site_code,
            "location": self.site.location, "step": self.step.value,
            "kind": self.kind.value if self.kind else None,
            "matter_id": self.matter.id if self.matter else None,
            "matter_name": self.matter.name if self.matter else None,
            "ticket": self.result.ticket.number if self.result and self.result.ticket else None,
            "name_masked": self.identity.masked_name if self.identity else None,
            "priority": request_priority(self.priority, self.elderly),
            "enterprise": (self.enterprise.code, self.enterprise.name) if self.enterprise else None,
            "materials": self.materials_brief(),
            "rating_token": self.rating_token,
        }

    def _helper(self, reason: str) -> list[Intent]:
        """A new request for ``reason``, or [] when this visit has one already."""
        if self.help_request_id is not None:
            return []
        self.help_request_id = uuid.uuid4().hex
        if self.site.queue and self.site.rating_base:  # the slip's QR code rates this request (好差评)
            self.rating_token = secrets.token_urlsafe(24)
        self.help = HelpStatus("sending")
        return [CallHelper(self.help_request_id, reason, self.request_payload(),  # type: ignore[arg-type]
                           self.handover_identity())]

    def _call_or_tell(self, reason: str, message_key: str) -> list[Intent]:
        """A new request for ``reason``; when one exists, a note ``message_key`` to it instead."""
        return self._helper(reason) or [TellHelper(self.help_request_id, message_key, self.request_payload())]

    def call_helper(self) -> list[Intent]:
        """The call-helper button (screen or hardware), from any step. A second press returns []."""
        self.touch()
        intents = self._helper("resident")
        self._changed()
        return intents

    def helper_update(self, eta_s: float | None = None, *, state: str | None = None, helper: str = "",
                      online: bool = True) -> list[Intent]:
        """What the queue said of the visit's request: ``state`` (the server's: new, claimed, resolved,
        cancelled …; None when unknown), the claiming ``helper``'s display name, the expected wait and
        whether the kiosk is online. Offline, the first time: a slip with the way to the 帮办代办 window
        (:class:`PrintSlip` ``directions``) when the site names one."""
        if self.help_request_id is None:
            return []
        intents: list[Intent] = []
        if state in CLOSED_STATES:
            rating = "asking" if state == "resolved" and self.help.rating == "none" else self.help.rating
            self.help = HelpStatus("closed", self.help.helper, None, self.help.directions, rating)
        elif not online:
            self.help.phase = "offline"
            if self.site.help_desk and not self.help.directions:
                self.help.directions = "printing"
                intents.append(PrintSlip("directions"))
        elif helper or state in CLAIMED_STATES:
            self.help.phase, self.help.helper = "claimed", helper or self.help.helper
        else:
            self.help.phase = "waiting"
        self.help.eta_s = eta_s
        self._changed()
        return intents
