"""Help requests of a visit: at most one per visit, then notes to that one.

:class:`HelpRequests` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``site``, ``step``,
``kind``, ``matter``, ``result``, ``identity``, ``elderly``, ``help_request_id``, ``helper_eta_s``,
``touch()`` and ``_changed()``.
"""

from __future__ import annotations

import uuid

from kiosk.visit.intents import CallHelper, Intent, TellHelper


class HelpRequests:
    """Calling a helper from any step; replays of the button never create a second request."""

    help_request_id: str | None
    helper_eta_s: float | None

    def request_payload(self) -> dict:
        """What a help request carries: kiosk, site, step, matter so far; the name masked, no ID number."""
        return {
            "visit_id": self.visit_id, "kiosk_id": self.site.kiosk_id, "site_code": self.site.site_code,
            "location": self.site.location, "step": self.step.value,
            "kind": self.kind.value if self.kind else None,
            "matter_id": self.matter.id if self.matter else None,
            "matter_name": self.matter.name if self.matter else None,
            "ticket": self.result.ticket.number if self.result and self.result.ticket else None,
            "name_masked": self.identity.masked_name if self.identity else None,
            "priority": "elderly" if self.elderly else "normal",
        }

    def _helper(self, reason: str) -> list[Intent]:
        """A new request for ``reason``, or [] when this visit has one already."""
        if self.help_request_id is not None:
            return []
        self.help_request_id = uuid.uuid4().hex
        return [CallHelper(self.help_request_id, reason, self.request_payload())]  # type: ignore[arg-type]

    def _call_or_tell(self, reason: str, message_key: str) -> list[Intent]:
        """A new request for ``reason``; when one exists, a note ``message_key`` to it instead."""
        return self._helper(reason) or [TellHelper(self.help_request_id, message_key, self.request_payload())]

    def call_helper(self) -> list[Intent]:
        """The call-helper button (screen or hardware), from any step. A second press returns []."""
        self.touch()
        intents = self._helper("resident")
        self._changed()
        return intents

    def helper_update(self, eta_s: float | None) -> None:
        """The queue said roughly how long until a helper comes (None: unknown / offline)."""
        self.helper_eta_s = eta_s
        self._changed()
