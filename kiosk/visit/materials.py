"""The materials step: marking each material of the chosen matter, captures, the completeness check.

:class:`Materials` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``matter``,
``statuses``, ``checked_by``, ``captures``, ``camera_available``, ``help``, ``_need()``,
``_drop_captures()``, ``_call_or_tell()``, ``touch()`` and ``_changed()``.

Every required material needs an answer (有: captured or paper, 没有, or 不知道) before the check
(:meth:`unanswered`). 不知道 calls a helper (or tells the one already called). An answer given to a
material marked 不知道 while a helper holds the request counts as checked by that helper
(``checked_by``); the 一次性告知单 says so, and never claims a check nobody made.
"""

from __future__ import annotations

from typing import Any

from kiosk.catalog import Completeness, Material, MaterialStatus, Matter, check_completeness
from kiosk.visit.intents import Intent
from kiosk.visit.steps import Step, VisitError


def own_id_card(material: Material) -> bool:
    """Whether the resident's own ID card, read at the reader, answers ``material`` (居民身份证,
    本人居民身份证, 居民身份证或户口簿 …; not 老人居民身份证 or 原居民身份证, which are other cards)."""
    return any(part.removeprefix("本人") == "居民身份证" for part in material.name.split("或"))


class Materials:
    """What the resident has for each material: paper, missing, or captured by the kiosk's camera."""

    matter: Matter | None
    statuses: dict[str, MaterialStatus]
    checked_by: dict[str, str]  # material id → the helper who answered it (after the resident's 不知道)
    from_card: set[str]  # materials answered by the ID card read at the reader
    captures: dict[str, list[Any]]
    camera_available: bool

    def _material(self, material_id: str) -> Material:
        if self.matter is None:
            raise VisitError("no matter chosen yet; choose_matter() first")
        return self.matter.material(material_id)

    def allowed_marks(self, material_id: str) -> tuple[MaterialStatus, ...]:
        """The choices the materials screen offers for one material right now."""
        material = self._material(material_id)
        marks = (MaterialStatus.PAPER, MaterialStatus.MISSING, MaterialStatus.UNKNOWN)
        if material.capturable and self.camera_available:
            return (MaterialStatus.CAPTURED, *marks)
        return marks

    def mark(self, material_id: str, status: MaterialStatus | str) -> list[Intent]:
        """Sets one material's status. CAPTURED only via :meth:`attach_capture`; leaving CAPTURED
        drops (and zeroes) that material's images. UNKNOWN (不知道) returns a :class:`CallHelper`
        (reason ``unsure``), or a note to the request already made."""
        self._need(Step.MATERIALS)
        status = MaterialStatus(status)
        self._material(material_id)
        if status is MaterialStatus.CAPTURED:
            raise VisitError("use attach_capture() to mark a material as captured")
        self._answered(material_id, status)
        self.from_card.discard(material_id)
        intents: list[Intent] = []
        if status is MaterialStatus.UNKNOWN:
            intents = self._call_or_tell("unsure", "visit.helper.unsure")
        self.touch()
        self._changed()
        return intents

    def _answered(self, material_id: str, status: MaterialStatus) -> None:
        previous = self.statuses.get(material_id)
        if previous is MaterialStatus.CAPTURED and status is not MaterialStatus.CAPTURED:
            self._drop_captures(material_id)
        if previous is MaterialStatus.UNKNOWN and status is not MaterialStatus.UNKNOWN \
                and self.help.phase == "claimed" and self.help.helper:
            self.checked_by[material_id] = self.help.helper
        elif status is MaterialStatus.UNKNOWN or previous is not MaterialStatus.UNKNOWN:
            self.checked_by.pop(material_id, None)
        self.statuses[material_id] = status

    def _answer_from_card(self) -> None:
        """A card was read at the reader: the materials that card answers are present (``from_card``)."""
        if self.matter is None or self.identity is None or self.identity.source != "card":
            return
        for m in self.matter.materials:
            if own_id_card(m) and self.statuses.get(m.id) in (None, MaterialStatus.UNSET):
                self.statuses[m.id] = MaterialStatus.PAPER
                self.from_card.add(m.id)

    def unanswered(self) -> list[str]:
        """The required materials not answered yet, in checklist order (the check waits for them)."""
        if self.matter is None:
            return []
        return [m.id for m in self.matter.required
                if self.statuses.get(m.id, MaterialStatus.UNSET) is MaterialStatus.UNSET]

    def attach_capture(self, material_id: str, image: Any) -> None:
        """Keeps a captured image of one material and marks it CAPTURED.

        ``image``: a numpy array, bytes/bytearray (copied into a bytearray), or an object with an
        ``image`` array (a ``CapturedDocument``). The visit takes ownership: the wipe zeroes it.
        """
        self._need(Step.MATERIALS)
        if MaterialStatus.CAPTURED not in self.allowed_marks(material_id):
            raise VisitError(f"material '{material_id}' cannot be captured now "
                             "(camera lost or not capturable); "
                             "mark it paper or missing")
        if isinstance(image, (bytes, memoryview)):
            image = bytearray(image)
        self.captures.setdefault(material_id, []).append(image)
        self._answered(material_id, MaterialStatus.CAPTURED)
        self.from_card.discard(material_id)
        self.touch()
        self._changed()

    def completeness(self) -> Completeness:
        """The completeness check of the chosen matter's materials; VisitError before choose_matter()."""
        if self.matter is None:
            raise VisitError("no matter chosen yet")
        return check_completeness(self.matter, self.statuses)
