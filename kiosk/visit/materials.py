"""The materials step: marking each material of the chosen matter, captures, the completeness check.

:class:`Materials` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``matter``,
``statuses``, ``captures``, ``camera_available``, ``_need()``, ``_drop_captures()``, ``touch()`` and
``_changed()``.
"""

from __future__ import annotations

from typing import Any

from kiosk.catalog import Completeness, Material, MaterialStatus, Matter, check_completeness
from kiosk.visit.steps import Step, VisitError


class Materials:
    """What the resident has for each material: paper, missing, or captured by the kiosk's camera."""

    matter: Matter | None
    statuses: dict[str, MaterialStatus]
    captures: dict[str, list[Any]]
    camera_available: bool

    def _material(self, material_id: str) -> Material:
        if self.matter is None:
            raise VisitError("no matter chosen yet; choose_matter() first")
        return self.matter.material(material_id)

    def allowed_marks(self, material_id: str) -> tuple[MaterialStatus, ...]:
        """The choices the materials screen offers for one material right now."""
        material = self._material(material_id)
        marks = (MaterialStatus.PAPER, MaterialStatus.MISSING)
        if material.capturable and self.camera_available:
            return (MaterialStatus.CAPTURED, *marks)
        return marks

    def mark(self, material_id: str, status: MaterialStatus | str) -> None:
        """Sets one material's status. CAPTURED only via :meth:`attach_capture`; leaving CAPTURED
        drops (and zeroes) that material's images."""
        self._need(Step.MATERIALS)
        status = MaterialStatus(status)
        self._material(material_id)
        if status is MaterialStatus.CAPTURED:
            raise VisitError("use attach_capture() to mark a material as captured")
        if self.statuses.get(material_id) is MaterialStatus.CAPTURED:
            self._drop_captures(material_id)
        self.statuses[material_id] = status
        self.touch()
        self._changed()

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
        self.statuses[material_id] = MaterialStatus.CAPTURED
        self.touch()
        self._changed()

    def completeness(self) -> Completeness:
        """The completeness check of the chosen matter's materials; VisitError before choose_matter()."""
        if self.matter is None:
            raise VisitError("no matter chosen yet")
        return check_completeness(self.matter, self.statuses)
