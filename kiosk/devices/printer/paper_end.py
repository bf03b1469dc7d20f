"""The status round after a slip: did the roll end while it printed?

The round before a slip tells whether the printer can print; it cannot tell that the roll ends halfway
through a long 一次性告知单. So once the slip's bytes are written the driver asks the paper queries again
(``DLE EOT 4``, the paper sensor; ``DLE EOT 2``, whose bit 5 is "printing stopped by paper end": the cause
of going offline), each within the driver's status wait. When either says paper end the slip may be
incomplete: :class:`~kiosk.devices.printer.errors.PaperEndedError` (code ``printer.paper_ended``) carries
the slip to print again on a new roll.

Only the queries the printer answered in the round before are asked: a printer without status (silent,
``file:``) gets no round after either and prints as before (unknown, not failed), and a printer that skips
a query costs no wait for it. No answer after the slip (busy with it, or it reads its input in order)
keeps what the round before said: unknown is not failed.

Epson's ESC/POS reference has ``DLE EOT`` answered in real time, ahead of data still in the printer's
buffer: a printer that holds the end of a long slip in its buffer can answer before it reaches the roll's
end, and the next slip's round before (or the status monitor) sees paper out then.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.devices.base import HealthState, HealthTracker, Reason
from kiosk.devices.printer import status as st
from kiosk.devices.printer.errors import PaperEndedError
from kiosk.printing.layout import Slip

PAPER_QUERIES = (4, 2)  # the paper sensor first, then the offline cause


def after_queries(before: st.PrinterStatus | None) -> tuple[int, ...]:
    """The paper queries to ask after the slip: those the printer answered before it (none: no round)."""
    if before is None:
        return ()
    return tuple(n for n in PAPER_QUERIES if st.is_status_byte(before.replies.get(n) or 0))


def after_slip(before: st.PrinterStatus, after: st.PrinterStatus) -> st.PrinterStatus:
    """The status once the slip is sent: the round before, with what the printer answered after it."""
    answers = {n: b for n, b in after.replies.items() if b is not None and st.is_status_byte(b)}
    if not answers:
        return before
    return st.decode({**before.replies, **answers})


def paper_ended(status: st.PrinterStatus) -> bool:
    """Whether the status says paper end (sensor, or printing stopped by it)."""
    return status.paper == "out"


def check(ask: Callable[[tuple[int, ...]], st.PrinterStatus], before: st.PrinterStatus | None, slip: Slip,
          sent: int, tracker: HealthTracker) -> st.PrinterStatus | None:
    """Asks the paper queries after ``slip`` (``ask(queries)`` runs a status round) and returns the status
    now; raises PaperEndedError (the health says paper out) when the roll ended."""
    queries = after_queries(before)
    if before is None or not queries:
        return before
    status = after_slip(before, ask(queries))
    if paper_ended(status):
        tracker.set(HealthState.ERROR, Reason("printer.paper_out"), paper="out")
        raise PaperEndedError(Reason("printer.paper_ended"), slip, status, sent)
    return status
