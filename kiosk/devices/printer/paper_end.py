"""The checks after a slip: did the roll end while it printed?

The round before a slip tells whether the printer can print; it cannot tell that the roll ends halfway
through a long 一次性告知单. So once the slip's bytes are written (:class:`AfterSlip`):

1. ``GS r 1`` (:mod:`kiosk.devices.printer.in_order`), answered once the printer has printed the slip,
   within a wait bounded by the slip's print time. Its end-sensor bits decide.
2. No answer (a model without ``GS r``, or one that goes offline at paper end and does not execute it):
   the paper queries of ``DLE EOT`` (real time) as before: ``DLE EOT 4``, the paper sensor, and ``DLE EOT
   2``, whose bit 5 is "printing stopped by paper end", each within the driver's status wait. A printer that
   never answered ``GS r`` and whose round then shows no paper end ignores it: it is not asked again (one
   wait per driver); a silence explained by paper end does not count.

Paper end in either makes the slip possibly incomplete: :class:`~kiosk.devices.printer.errors.PaperEndedError`
(code ``printer.paper_ended``) carries the slip to print again on a new roll.

Only a printer that answered the round before is asked, and only the ``DLE EOT`` queries it answered: a
printer without status (silent, ``file:``) gets no check after and prints as before (unknown, not failed).
No answer at all after the slip keeps what the round before said: unknown is not failed. Without ``GS r``
the gap stays: ``DLE EOT`` is answered ahead of data still in the printer's buffer, so a printer holding the
end of a long slip can answer "paper present" before it reaches the roll's end.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.devices.base import DeviceError, HealthState, HealthTracker, Reason
from kiosk.devices.printer import in_order
from kiosk.devices.printer import status as st
from kiosk.devices.printer.errors import PaperEndedError
from kiosk.devices.printer.link import PrinterLink
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


class AfterSlip:
    """The checks after each slip for one driver; remembers whether its printer answers ``GS r``
    (``answers_gs_r``: None not known yet, True answered, False ignores it)."""

    def __init__(self) -> None:
        self.answers_gs_r: bool | None = None

    def check(self, link: PrinterLink, before: st.PrinterStatus | None, slip: Slip, sent: int,
              tracker: HealthTracker) -> st.PrinterStatus | None:
        """The status once ``slip`` (``sent`` bytes) is printed; raises PaperEndedError (the health says
        paper out) when the roll ended. A connection that breaks now leaves the status as it was (the slip
        was sent; the next one reconnects)."""
        if before is None or not before.answered:
            return before
        try:
            status = self._ask(link, before, slip, sent)
        except DeviceError:
            link.drop()
            return before
        if paper_ended(status):
            tracker.set(HealthState.ERROR, Reason("printer.paper_out"), paper="out")
            raise PaperEndedError(Reason("printer.paper_ended"), slip, status, sent)
        return status

    def _ask(self, link: PrinterLink, before: st.PrinterStatus, slip: Slip, sent: int) -> st.PrinterStatus:
        asked_gs_r = self.answers_gs_r is not False
        if asked_gs_r:
            wait = in_order.wait_s(slip, sent, link.status_timeout_s, link.baudrate)
            answer = in_order.ask(link.send, link.read, link.drain, wait)
            if answer is not None:
                self.answers_gs_r = True
                return replace(before, paper=in_order.paper(answer))
        queries = after_queries(before)
        after = link.query(queries) if queries else st.PrinterStatus()
        status = after_slip(before, after)
        if asked_gs_r and self.answers_gs_r is None and (not queries or after.answered) and not paper_ended(status):
            self.answers_gs_r = False  # silent to GS r with nothing to explain it: it does not speak GS r
        return status
