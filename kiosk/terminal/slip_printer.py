"""Printing the visit's slips (ticket, 一次性告知单, 授权委托书, the directions slip) and what follows:
the visit learns whether each came out, the result screen and the voice say so only when it did.

No Kivy here. The slip is laid out on the UI thread (a broken layout must not strand the resident), printed
on ``worker``, and its outcome comes back through ``events.later``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.terminal import slips  # at start, not at the first print (16 ms in the touch that prints)
from kiosk.terminal.events import Events
from kiosk.terminal.help_desk import HelpDesk
from kiosk.terminal.result_view import result_view
from kiosk.terminal.views import ResultView
from kiosk.terminal.voice_guide import VoiceGuide
from kiosk.terminal.worker import Worker

log = logging.getLogger(__name__)


class SlipPrinter:
    """``devices`` prints (None: "no printer configured"); ``on_slip(kind, slip)`` sees each slip laid out
    (screenshots, the benchmark); ``help`` is told of notices printed and re-shows its banner after the
    directions slip; what the visit asks after a failure goes to ``carry_out``."""

    def __init__(self, visit, devices, *, worker: Worker, events: Events, guide: VoiceGuide, help: HelpDesk,
                 carry_out: Callable[[list], None], on_slip: Callable[[str, Any], None] | None = None):
        self.visit, self.devices = visit, devices
        self._worker, self._events, self._guide, self._help = worker, events, guide, help
        self._carry_out, self._on_slip = carry_out, on_slip
        self.pending = 0  # slips laid out whose outcome has not come back yet

    def view(self) -> ResultView | None:
        """The result screen's view now (a slip still printing is said as printing)."""
        return result_view(self.visit, self.pending)

    def print(self, slip_kind: str) -> None:
        try:
            slip = slips.build(slip_kind, self.visit)
        except Exception as err:  # a missing or broken slip layout must not strand the resident
            log.exception("cannot lay out the %s slip", slip_kind)
            slip = None
            problem = f"slip layout failed: {err}"
        self.pending += 1
        if slip is None:
            self._events.later(self.printed, slip_kind, problem)
            return
        self._worker.submit(self._job, slip_kind, slip)

    def _job(self, slip_kind: str, slip) -> None:
        if self._on_slip is not None:
            self._on_slip(slip_kind, slip)
        problem = self.devices.print_slip(slip) if self.devices is not None else "no printer configured"
        self._events.later(self.printed, slip_kind, problem)

    def printed(self, slip_kind: str, problem: str | None) -> None:
        """A slip's outcome (UI thread): None when it came out, else the printer's problem."""
        self.pending = max(0, self.pending - 1)
        if slip_kind == "directions":
            if self.visit.help.directions == "printing":  # else: a slip of an earlier visit
                self._carry_out(self.visit.print_failed(slip_kind, problem) if problem
                                else self.visit.print_done(slip_kind) or [])
                self._events.emit("help", self._help.help_text())
            return
        if self.visit.result is None:
            return  # the visit moved on (reset) while printing
        if problem:
            self._carry_out(self.visit.print_failed(slip_kind, problem))
        else:
            self.visit.print_done(slip_kind)
            if slip_kind == "notice":
                self._help.report_notice()
        view = self.view()
        self._events.emit("result", view)
        if view is not None and not view.working:
            self._guide.speak(view.speech)
