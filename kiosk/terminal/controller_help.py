"""The controller's help-queue and intent side: calling a helper, its status banner, and carrying out
what the visit asks (print a slip, call or tell a helper, report a device, cancel on reset).

A mixin of :class:`kiosk.terminal.controller.KioskController` (it uses the controller's ``visit``, ``queue``,
``devices``, workers, ``emit`` and ``later``). No Kivy here.
"""

from __future__ import annotations

import logging

from kiosk.i18n import tr
from kiosk.terminal import slips  # at start, not at the first print (16 ms in the touch that prints)
from kiosk.terminal.enterprise import enterprise_note
from kiosk.terminal.result_view import unbroken
from kiosk.visit import CallHelper, PrintSlip, RateHelp, ReportDevice, TellHelper, VisitReset

log = logging.getLogger(__name__)
KIND_REQUEST = {"consult": "consult", "assist": "assist", "proxy": "proxy", None: "call"}
HELP_STEPS = ("start", "identify", "matter", "materials", "result", "done")


class HelpMixin:
    """Help requests, their notes and status, and the visit's intents (printing included)."""

    # help -----------------------------------------------------------------------------------------
    def call_helper(self, step: str) -> None:
        """The call-helper button (screen or hardware): one request a visit; later presses only re-show it."""
        intents = self.visit.call_helper()
        if intents:
            self.carry_out(intents)
        elif self.visit.help_request_id:
            self._queue_worker.submit(self._poll_help, self.visit.help_request_id)
        else:
            self.emit("help", (tr("kiosk.help.coming"), "ok"))
        self.say("help")

    def help_text(self) -> tuple[str, str]:
        """The help banner for the visit's request as last reported: (text, tone)."""
        h = self.visit.help
        desk = self.visit.site.help_desk
        hours = getattr(self, "hours", None)  # after hours nobody is on the way: never say one is
        if hours is not None and h.phase in ("sending", "waiting", "offline") and hours.closed():
            return tr("access.hours.help_closed", back=hours.back_text()), "warn"
        if h.phase == "offline":
            desk = unbroken(desk or tr("glossary.help_desk"))
            if self.queue is None:
                text = tr("kiosk.help.no_queue", desk=desk)
            else:
                text = tr("kiosk.help.offline") + "\n" + tr("kiosk.help.go_to_desk", desk=desk)
            if h.directions == "printed":
                text += tr("kiosk.help.directions_printed")
            return text, "warn"
        if h.phase == "claimed":
            return tr("kiosk.help.claimed", helper=h.helper), "ok"
        if h.phase == "waiting":
            minutes = max(1, round(h.eta_s / 60)) if h.eta_s else 3
            return tr("kiosk.help.coming_eta", minutes=minutes), "ok"
        if h.phase == "closed":
            return "", "ok"
        return tr("kiosk.help.sending"), "ok"

    def button_pressed(self, _event=None) -> None:
        """The hardware call button (moved onto the UI thread by the device port)."""
        self.visit.touch()
        self.call_helper(self.current_screen)

    def _send_help(self, intent: CallHelper) -> None:
        p = intent.payload
        if self.queue is None:
            log.warning("help request %s not sent: no help-queue client configured", intent.request_id)
            self.later(self._help_status, intent.request_id, {}, False)
            return
        note = tr(f"kiosk.help.reason.{intent.reason}")
        ticket = p.get("ticket")
        if intent.reason == "printer" and ticket:
            note = tr("kiosk.help.reason.printer_ticket", ticket=ticket)
        note = enterprise_note(note, p.get("enterprise"))  # 为企业办事: the helper knows for whom
        step = p["step"] if p["step"] in HELP_STEPS else "start"
        rid = self.queue.call_helper(KIND_REQUEST.get(p.get("kind"), "call"), step, p.get("matter_id"),
                                     p.get("matter_name"), ticket, p.get("priority", "normal"), intent.resident,
                                     visit_id=p["visit_id"], note=note, name_masked=p.get("name_masked"),
                                     materials=p.get("materials"), rating_token=p.get("rating_token"))
        self._request_ids[intent.request_id] = rid
        self.sent_requests.append(rid)
        self._poll_help(intent.request_id)

    def _tell_helper(self, intent: TellHelper) -> None:
        """A note on the visit's open request (queue worker; after the request's own ``_send_help``).

        Uses ``HelpQueueClient.add_note`` when the client has it; an older client only logs the note."""
        rid = self._request_ids.get(intent.request_id)
        ticket = intent.payload.get("ticket")
        if intent.message_key == "visit.helper.printer_failed" and ticket:
            text = tr("kiosk.help.reason.printer_ticket", ticket=ticket)
        else:
            text = tr(intent.message_key)
        add_note = getattr(self.queue, "add_note", None) if self.queue is not None else None
        if rid is None or add_note is None:
            log.info("helper of request %s told (not sent: %s): %s", intent.request_id,
                     "no queue request" if rid is None else "client without add_note", intent.message_key)
            return
        try:
            add_note(rid, text)
        except ValueError as err:  # the request was purged meanwhile: nothing to attach the note to
            log.warning("note for help request %s not recorded: %s", rid, err)
            return
        log.info("note added to help request %s: %s", rid, intent.message_key)

    def _poll_help(self, visit_request_id: str) -> None:
        rid = self._request_ids.get(visit_request_id)
        if rid is None or self.queue is None:
            return
        status = self.queue.status(rid)
        self.later(self._help_status, visit_request_id, status, self.queue.online)

    def _help_status(self, visit_request_id: str, status: dict, online: bool) -> None:
        """The queue's word on the visit's request (UI thread): the visit learns it, the banner shows it."""
        if self.visit.help_request_id != visit_request_id:  # a request of an earlier visit
            return
        before = self.visit.help.phase
        self.carry_out(self.visit.helper_update(status.get("expected_wait_s"), state=status.get("state"),
                                                helper=status.get("helper_display") or "", online=online))
        text, tone = self.help_text()
        self.emit("help", (text, tone))
        if self.visit.result is not None and self.visit.step.value == "result":
            self.emit("result", self.result_view())  # 需要帮忙可按… is no longer said once one is coming
        if self.visit.help.phase != before and self.visit.help.phase in ("offline", "claimed"):
            self.speak(text)

    def refresh_help(self) -> None:
        """Called every few seconds by the UI: re-reads the open request's status off the UI thread."""
        if self.visit.help_request_id:
            self._queue_worker.submit(self._poll_help, self.visit.help_request_id)

    # intents ----------------------------------------------------------------------------------------
    def carry_out(self, intents: list) -> None:
        for intent in intents:
            if isinstance(intent, PrintSlip):
                self._print(intent.slip)
            elif isinstance(intent, CallHelper):
                self.emit("help", (tr("kiosk.help.sending"), "ok"))
                self._queue_worker.submit(self._send_help, intent)
            elif isinstance(intent, TellHelper):
                self._queue_worker.submit(self._tell_helper, intent)
                self._report_health()
            elif isinstance(intent, RateHelp):
                self._send_rating(intent)
            elif isinstance(intent, ReportDevice):
                log.warning("device %s: %s", intent.device, intent.problem)
                self._report_health()
            elif isinstance(intent, VisitReset) and intent.help_request_id and self.queue is not None:
                rid = self._request_ids.pop(intent.help_request_id, None)
                if rid and intent.reason in ("idle", "manual"):  # the resident left (or gave up waiting)
                    self._queue_worker.submit(self.queue.cancel, rid, "resident_left")

    def _send_rating(self, intent: RateHelp) -> None:
        """The resident's 好差评 of the resolved request, through the outbox (after the request itself)."""
        rid = self._request_ids.get(intent.request_id)
        rate = getattr(self.queue, "rate", None) if self.queue is not None else None
        if rid is None or rate is None:
            log.info("rating of help request %s not sent: %s", intent.request_id,
                     "no queue request" if rid is None else "client without rate")
            return
        self._queue_worker.submit(rate, rid, intent.score, intent.reasons)

    def _print(self, slip_kind: str) -> None:
        try:
            slip = slips.build(slip_kind, self.visit)
        except Exception as err:  # a missing or broken slip layout must not strand the resident
            log.exception("cannot lay out the %s slip", slip_kind)
            slip = None
            problem = f"slip layout failed: {err}"
        self._pending_prints += 1
        if slip is None:
            self.later(self._printed, slip_kind, problem)
            return
        self._print_worker.submit(self._print_job, slip_kind, slip)

    def _print_job(self, slip_kind: str, slip) -> None:
        if self._on_slip is not None:
            self._on_slip(slip_kind, slip)
        problem = self.devices.print_slip(slip) if self.devices is not None else "no printer configured"
        self.later(self._printed, slip_kind, problem)

    def _printed(self, slip_kind: str, problem: str | None) -> None:
        self._pending_prints = max(0, self._pending_prints - 1)
        if slip_kind == "directions":
            if self.visit.help.directions == "printing":  # else: a slip of an earlier visit
                self.carry_out(self.visit.print_failed(slip_kind, problem) if problem
                               else self.visit.print_done(slip_kind) or [])
                self.emit("help", self.help_text())
            return
        if self.visit.result is None:
            return  # the visit moved on (reset) while printing
        if problem:
            self.carry_out(self.visit.print_failed(slip_kind, problem))
        else:
            self.visit.print_done(slip_kind)
            if slip_kind == "notice":
                self._report_notice()
        view = self.result_view()
        self.emit("result", view)
        if view is not None and not view.working:
            self.speak(view.speech)

    def _report_notice(self) -> None:
        """Tells the help queue a one-time notice was printed (for the supervision figures): the matter
        and how many materials it lists, nothing about the resident."""
        matter, result = self.visit.matter, self.visit.result
        if self.queue is None or matter is None or result is None or not result.check.missing:
            return
        missing = len(result.check.missing)
        self._queue_worker.submit(self.queue.report_notice, matter.id, matter.name, missing)

    def _report_health(self) -> None:
        if self.queue is not None and self.devices is not None:
            self._queue_worker.submit(lambda: self.queue.heartbeat(self.devices.healths()))
