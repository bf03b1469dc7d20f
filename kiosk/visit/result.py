"""The result step: the completeness check's outcome, the ticket, what to print and whom to call.

:class:`Outcome` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``kind``, ``result``,
``_ticket``, ``_tickets``, ``printer_ok``, ``completeness()``, ``_need()``, ``_go()``, the help-request
methods and ``_changed()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from kiosk.catalog import Completeness
from kiosk.visit.intents import Intent, PrintSlip, ReportDevice
from kiosk.visit.steps import Kind, Step, VisitError
from kiosk.visit.tickets import Ticket

log = logging.getLogger("kiosk.visit")


SlipState = Literal["printing", "printed", "failed"]


@dataclass
class Result:
    """The completeness check's outcome and what was printed.

    ``slips`` are the slips asked for (in order); ``printed`` maps a slip to True (it came out) or False
    (it failed); a slip in neither is still printing. Only :meth:`state` ``printed`` may ever be told to
    the resident as printed.
    """

    check: Completeness
    ticket: Ticket | None = None
    slips: tuple[str, ...] = ()
    printed: dict[str, bool] = field(default_factory=dict)  # slip kind → printed
    show_number_large: bool = False  # the ticket could not be printed: show its number large on screen
    print_failed: bool = False  # some slip could not be printed (or no number could be issued): helper told
    no_ticket: bool = False  # complete, but the ticket counter failed: the helper was called instead
    notice_no: str = ""  # the 一次性告知单's number (incomplete only)
    queue: object = None  # the hall's queue number (kiosk.terminal.queuing.QueueNumber), complete only
    queue_state: str = ""  # "" not asked, asking, got, none (no queuing system here), failed

    @property
    def complete(self) -> bool:
        return self.check.complete

    def state(self, slip: str) -> SlipState:
        if slip not in self.printed:
            return "printing"
        return "printed" if self.printed[slip] else "failed"

    @property
    def printing(self) -> bool:
        return any(self.state(s) == "printing" for s in self.slips)

    def all_printed(self, *slips: str) -> bool:
        """True only when every slip named (default: every slip asked for) came out of the printer."""
        return all(self.state(s) == "printed" for s in (slips or self.slips))


class Outcome:
    """MATERIALS → RESULT and the printing that follows."""

    result: Result | None
    printer_ok: bool
    _ticket: Ticket | None
    _tickets: Callable[[], Ticket]

    def finish_materials(self) -> list[Intent]:
        """MATERIALS → RESULT: runs the completeness check, issues a ticket when complete, and returns
        what to print and whom to call (see the package docstring)."""
        self._need(Step.MATERIALS)
        if self.unanswered():
            raise VisitError(f"materials not answered yet: {', '.join(self.unanswered())}; each needs "
                             "有 (photo or paper), 没有 or 不知道 first")
        check = self.completeness()
        self._go(Step.RESULT)
        self.result = Result(check)
        intents: list[Intent] = []
        if check.complete:
            try:
                self._ticket = self._ticket or self._tickets()
            except Exception as err:  # a broken state disk must not strand the resident
                log.error("ticket counter failed: %s", err)
                intents.append(ReportDevice("storage", f"ticket counter failed: {err}"))
                intents.extend(self._helper("printer"))
            self.result.ticket = self._ticket
            self.result.no_ticket = self.result.print_failed = self._ticket is None
            intents.append(PrintSlip("ticket"))
            if self.kind is Kind.PROXY:
                intents.append(PrintSlip("authorization"))
            if self.kind in (Kind.ASSIST, Kind.PROXY):
                purpose = "handover" if self.kind is Kind.PROXY else "lead"
                # already called: tell the helper what is next
                intents.extend(self._call_or_tell(purpose, f"visit.helper.ready_{purpose}"))
        else:
            self.result.notice_no = self.notice_number()
            intents.append(PrintSlip("notice"))
        self.result.slips = tuple(i.slip for i in intents if isinstance(i, PrintSlip))
        self._changed()
        return intents

    def notice_number(self) -> str:
        """The 一次性告知单's number: the site code and this visit's id (unique, no counter needed)."""
        return f"{self.site.site_code}-{self.visit_id[:8].upper()}"

    def print_done(self, slip: str) -> None:
        if slip == "directions":
            self.help.directions = "printed"
        elif self.result is not None:
            self.result.printed[slip] = True
        self._changed()

    def print_failed(self, slip: str, problem: str = "out of paper") -> list[Intent]:
        """Printing failed: show the ticket number large (or every missing material on screen), tell the
        helper, report the printer."""
        self.printer_ok = False
        intents: list[Intent] = [ReportDevice("printer", problem)]
        if slip == "directions":
            self.help.directions = "failed"
        elif self.result is not None:
            self.result.printed[slip] = False
            self.result.print_failed = True
            self.result.show_number_large = self.result.ticket is not None
        key = "visit.helper.notice_failed" if slip == "notice" else "visit.helper.printer_failed"
        if slip != "directions":  # the directions slip failing is no reason to call anyone
            intents.extend(self._call_or_tell("printer", key))
        self._changed()
        return intents

