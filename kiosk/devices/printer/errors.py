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


class PaperEndedError(PaperOutError):
    """The paper ran out while the slip was printing (the status round after it said paper end): the slip
    may be incomplete, so it counts as not printed; ``slip`` is kept to print again on a new roll, and
    ``bytes_sent`` says how much was sent. The reason's code is ``printer.paper_ended``."""

    def __init__(self, message: Why, slip: Slip | None = None, status: PrinterStatus | None = None,
                 bytes_sent: int = 0):
        super().__init__(message, slip, status)
        self.bytes_sent = bytes_sent


class CoverOpenError(PrinterError):
    """The printer's cover is open."""


class PrinterOfflineError(PrinterError):
    """The printer says it is offline (error, cutter jam …)."""


class PrinterUnavailable(PrinterError, DeviceNotFound):
    """The printer cannot be reached, or the connection broke while printing."""


@dataclass(frozen=True)
class PrintResult:
    """A printed slip: bytes sent, the status read (before it, updated by the paper queries after it),
    lines sent as images (and the characters outside the printer's font that made them so), glyphs no
    font had."""

    bytes_sent: int
    status: PrinterStatus | None
    image_lines: int = 0
    missing_glyphs: tuple[str, ...] = ()
    ms: float = 0.0
    image_chars: tuple[str, ...] = ()
