"""What printing can end in: a :class:`PrintResult`, or a :class:`PrinterError` that carries the slip.

The caller keeps ``error.slip`` (nothing is lost), shows the ticket number on screen and tells a helper.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.base import DeviceError, DeviceNotFound, Why
from kiosk.devices.printer.status import PrinterStatus
from kiosk.printing.layout import Slip


class PrinterError(DeviceError):
    """The slip was not printed. ``slip`` is the slip (keep it), ``status`` the last status read."""

    def __init__(self, message: Why, slip: Slip | None = None, status: PrinterStatus | None = None):
        super().__init__(message)
        self.slip, self.status = slip, status


class PaperOutError(PrinterError):
    """The printer is out of paper."""


class CoverOpenError(PrinterError):
    """The printer's cover is open."""


class PrinterOfflineError(PrinterError):
    """The printer says it is offline (error, cutter jam …)."""


class PrinterUnavailable(PrinterError, DeviceNotFound):
    """The printer cannot be reached, or the connection broke while printing."""


@dataclass(frozen=True)
class PrintResult:
    """A printed slip: bytes sent, the status read before, lines sent as images (and the characters
    outside the printer's font that made them so), glyphs no font had."""

    bytes_sent: int
    status: PrinterStatus | None
    image_lines: int = 0
    missing_glyphs: tuple[str, ...] = ()
    ms: float = 0.0
    image_chars: tuple[str, ...] = ()
