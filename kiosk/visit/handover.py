"""What the helper receives with a help request (issue 12, item 17), and the resident's agreement to hand
over their identity for 代办.

:class:`Handover` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``kind``, ``identity``,
``matter``, ``statuses``, ``touch()`` and ``_changed()``.

- Every request carries the resident's masked name (``张*``) and, once a matter is chosen, the state of
  each of its materials (:meth:`materials_brief`): ``present`` (photographed here), ``paper``,
  ``missing``, ``unsure`` (不知道), ``unanswered``.
- Only a 代办 whose resident agreed on the PIPL notice (:meth:`agree_handover`, shown when 代办 is
  chosen: why, who sees it, for how long) sends the full name and ID number (:meth:`handover_identity`);
  the server stores it encrypted and shows it only to the helper who claimed the request. 帮办 and 咨询
  never send it. The agreement ends with the visit.
"""

from __future__ import annotations

from kiosk.catalog import MaterialStatus, Matter
from kiosk.visit.identity import Identity
from kiosk.visit.steps import Kind, Step, VisitError

WIRE_STATE = {MaterialStatus.CAPTURED: "present", MaterialStatus.PAPER: "paper",
              MaterialStatus.MISSING: "missing", MaterialStatus.UNKNOWN: "unsure",
              MaterialStatus.UNSET: "unanswered"}


class Handover:
    """The masked name, the materials' state and, for an agreed 代办, the identity a request carries."""

    kind: Kind | None
    step: Step
    identity: Identity | None
    matter: Matter | None
    statuses: dict[str, MaterialStatus]
    handover_agreed: bool

    def agree_handover(self) -> None:
        """The resident read the PIPL notice of 代办 and agreed: the help request may carry their full
        identity (encrypted, for the claiming helper). Only for a 代办 visit."""
        if self.kind is not Kind.PROXY:
            raise VisitError("only a 代办 visit hands the resident's identity to the helper")
        self.handover_agreed = True
        self.touch()
        self._changed()

    def materials_brief(self) -> list[dict] | None:
        """Each material of the chosen matter and what the resident has (None before a matter is chosen)."""
        if self.matter is None:
            return None
        return [{"id": m.id, "name": m.name, "required": not m.optional,
                 "state": WIRE_STATE[self.statuses.get(m.id, MaterialStatus.UNSET)]}
                for m in self.matter.materials]

    def handover_identity(self) -> dict | None:
        """``{"name", "id_number"}`` for an agreed 代办 with an identity read or typed, else None."""
        if self.kind is not Kind.PROXY or not self.handover_agreed or self.identity is None:
            return None
        if not self.identity.id_number:
            return None
        return {"name": self.identity.name, "id_number": self.identity.id_number}
