"""What a printer's status means for the driver: whether a slip may print (else the error that refuses it,
carrying the slip), the health the kiosk reports, and the self-test's line for the manager screen.

The :class:`~kiosk.devices.base.HealthTracker` given is the driver's; nothing here does I/O.
"""

from __future__ import annotations

import contextlib

from kiosk.devices.base import HealthState, HealthTracker, Reason
from kiosk.devices.printer import status as st
from kiosk.devices.printer.errors import CoverOpenError, PaperOutError, PrinterError, PrinterOfflineError
from kiosk.printing.layout import Slip


def refuse(tracker: HealthTracker, status: st.PrinterStatus, slip: Slip) -> None:
    """Raises the error for a printer that says it cannot print (the health follows); else nothing."""
    if status.paper == "out":
        tracker.set(HealthState.ERROR, Reason("printer.paper_out"), paper="out")
        raise PaperOutError(Reason("printer.paper_out"), slip, status)
    if status.cover_open:
        tracker.set(HealthState.ERROR, Reason("printer.cover_open"), cover_open=True)
        raise CoverOpenError(Reason("printer.cover_open"), slip, status)
    if status.online is False or status.faulted:
        reason = Reason("printer.offline", reason=status.error or "offline")
        tracker.set(HealthState.ERROR, reason, online=False)
        raise PrinterOfflineError(reason, slip, status)


def update_health(tracker: HealthTracker, status: st.PrinterStatus | None, *, file: bool, width_mm: int) -> None:
    """The health a status read (or none: ``status`` None) gives; ``file``: a ``file:`` printer, which
    never answers and is not told as unknown."""
    if status is None or not status.answered:
        reason = "" if status is None or file else Reason("printer.status_unknown")
        tracker.set(HealthState.CONNECTED, reason, paper="unknown")
        return
    if status.can_print is False:
        with contextlib.suppress(PrinterError):
            refuse(tracker, status, Slip(width_mm=width_mm))
        return
    if status.paper == "near_end":
        tracker.set(HealthState.CONNECTED, Reason("printer.paper_near_end"), paper="near_end",
                    warning="paper_near_end")
    elif status.can_print is None:  # some replies were no status bytes: what they would say is unknown
        tracker.set(HealthState.CONNECTED, Reason("printer.status_unknown"), paper=status.paper)
    else:
        tracker.set(HealthState.CONNECTED, "", paper=status.paper)


def self_test_message(uri: str, status: st.PrinterStatus, silent: bool) -> Reason | str:
    """The self-test's line: what the printer said; ``silent`` (it prints but tells nothing) adds a note
    to check paper and cover by eye."""
    text = (f"{uri}: online={_fmt(status.online)} paper={status.paper} "
            f"cover_open={_fmt(status.cover_open)}" + (f" ({status.error})" if status.error else ""))
    return Reason("printer.with_note", note=Reason("printer.status_unknown_check"), summary=text) if silent else text


def _fmt(value: bool | None) -> str:
    return "unknown" if value is None else str(value).lower()


BUSY_AFTER_WRITE_S = 10.0  # how long after a slip a silent printer may still be busy printing it


def fell_silent(status: st.PrinterStatus, answered_before: bool, since_write_s: float) -> bool:
    """Whether a printer that answered DLE EOT before, and has had no slip for ``BUSY_AFTER_WRITE_S``,
    said nothing at all this time: it is off or cut off (Epson's reference has DLE EOT answered even
    offline, with a full buffer or in error). Right after a slip silence is not taken as "off": a printer
    that reads its input in order may answer only once the slip is on paper (two slips back to back)."""
    return (answered_before and since_write_s > BUSY_AFTER_WRITE_S and bool(status.replies)
            and all(v is None for v in status.replies.values()))


def stopped_answering(tracker: HealthTracker, timeout_s: float) -> Reason:
    """Sets the health for a printer that fell silent and returns the reason (the error carries it)."""
    reason = Reason("printer.stopped_answering", seconds=f"{timeout_s:g}")
    tracker.set(HealthState.ERROR, reason, paper="unknown")
    return reason
