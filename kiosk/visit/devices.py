"""The visit's view of its devices: what the screens offer while the reader or camera is gone.

:class:`DeviceState` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``_changed()``.
Printer failures are handled with the result (:meth:`~kiosk.visit.result.Outcome.print_failed`).
"""

from __future__ import annotations

from typing import Literal

from kiosk.visit.intents import Intent, ReportDevice

_FLAGS = {"idcard": "reader_available", "camera": "camera_available", "printer": "printer_ok"}


class DeviceState:
    """Availability flags of the card reader, camera and printer; each failure is also reported."""

    reader_available: bool
    camera_available: bool
    printer_ok: bool

    def reader_missing(self, problem: str = "reader not answering") -> list[Intent]:
        """The card reader failed: the identify screen offers manual entry only."""
        self.reader_available = False
        self._changed()
        return [ReportDevice("idcard", problem)]

    def camera_lost(self, problem: str = "camera lost") -> list[Intent]:
        """The camera failed: materials can be marked paper or missing only (captures so far stay)."""
        self.camera_available = False
        self._changed()
        return [ReportDevice("camera", problem)]

    def device_back(self, device: Literal["idcard", "camera", "printer"]) -> None:
        """A device works again: its flag is set back (KeyError for an unknown device name)."""
        setattr(self, _FLAGS[device], True)
        self._changed()
