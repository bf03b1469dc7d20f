"""Help requests to the help queue: calling a helper, the banner with its status, notes on the open
request, the resident's rating, the notices printed (for the supervision figures), device health.

No Kivy here. Queue work runs on ``worker`` (the outbox is never waited for on the UI thread) and comes
back through ``events.later``; what the visit asks in return goes to ``carry_out`` (the controller's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.i18n import tr
from kiosk.terminal.enterprise import enterprise_note
from kiosk.terminal.events import Events
from kiosk.terminal.result_view import unbroken
from kiosk.terminal.voice_guide import VoiceGuide
from kiosk.terminal.worker import Worker
from kiosk.visit import CallHelper, RateHelp, TellHelper, VisitReset

log = logging.getLogger(__name__)
KIND_REQUEST = {"consult": "consult", "assist": "assist", "proxy": "proxy", None: "call"}
HELP_STEPS = ("start", "identify", "matter", "materials", "result", "done")


class HelpDesk:
    """The visit's one help request a visit and what the queue says of it. ``queue`` is a
    :class:`~kiosk.queue.client.HelpQueueClient` or None (requests are then only logged); ``hours`` gives
    the after-hours state when the site has one; ``result_view`` the result screen's view, re-sent when a
    helper's coming changes what it says."""

    def __init__(self, visit, queue, devices, *, worker: Worker, events: Events, guide: VoiceGuide,
                 carry_out: Callable[[list], None], result_view: Callable[[], object],
                 hours: Callable[[], object] = lambda: None):
        self.visit, self.queue, self.devices = visit, queue, devices
        self._worker, self._events, self._guide = worker, events, guide
        self._carry_out, self._result_view, self._hours = carry_out, result_view, hours
        self.request_ids: dict[str, str] = {}  # visit's request id → the queue's
        self.sent: list[str] = []  # every queue request id created

    def call_helper(self) -> None:
        """The call-helper button (screen or hardware): one request a visit; later presses only re-show it."""
        intents = self.visit.call_helper()
        if intents:
            self._carry_out(intents)
        elif self.visit.help_request_id:
            self._worker.submit(self.poll, self.visit.help_request_id)
        else:
            self._events.emit("help", (tr("kiosk.help.coming"), "ok"))
        hours = self._hours()
        closed = hours is not None and hours.closed() and self.visit.help.phase != "claimed"
        if intents and not closed:
            self._guide.say("help")  # a fresh call: 正在为您呼叫
        else:  # a press again, or after hours: what the banner says (offline, coming, recorded), never more
            self._guide.speak(self.help_text()[0])

    def help_text(self) -> tuple[str, str]:
        """The help banner for the visit's request as last reported: (text, tone)."""
        h = self.visit.help
        desk = self.visit.site.help_desk
        hours = self._hours()  # after hours nobody is on the way: never say one is
        if hours is not None and h.unanswered and hours.closed():
            key = "help_closed" if self.queue is not None else "help_closed_unsent"  # recorded only if kept
            return tr(f"access.hours.{key}", back=hours.back_text()), "warn"
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

    def request(self, intent: CallHelper) -> None:
        """The visit asks for a helper: the banner says so at once, the request goes off the UI thread."""
        self._events.emit("help", (tr("kiosk.help.sending"), "ok"))
        self._worker.submit(self.send, intent)

    def send(self, intent: CallHelper) -> None:
        p = intent.payload
        if self.queue is None:
            log.warning("help request %s not sent: no help-queue client configured", intent.request_id)
            self._events.later(self.status_arrived, intent.request_id, {}, False)
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
        self.request_ids[intent.request_id] = rid
        self.sent.append(rid)
        self.poll(intent.request_id)

    def tell(self, intent: TellHelper) -> None:
        """A note on the visit's open request (queue worker; after the request's own :meth:`send`).

        Uses ``HelpQueueClient.add_note`` when the client has it; an older client only logs the note."""
        rid = self.request_ids.get(intent.request_id)
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

    def poll(self, visit_request_id: str) -> None:
        rid = self.request_ids.get(visit_request_id)
        if rid is None or self.queue is None:
            return
        status = self.queue.status(rid)
        self._events.later(self.status_arrived, visit_request_id, status, self.queue.online)

    def status_arrived(self, visit_request_id: str, status: dict, online: bool) -> None:
        """The queue's word on the visit's request (UI thread): the visit learns it, the banner shows it."""
        if self.visit.help_request_id != visit_request_id:  # a request of an earlier visit
            return
        before = self.visit.help.phase
        self._carry_out(self.visit.helper_update(status.get("expected_wait_s"), state=status.get("state"),
                                                helper=status.get("helper_display") or "", online=online))
        text, tone = self.help_text()
        self._events.emit("help", (text, tone))
        if self.visit.result is not None and self.visit.step.value == "result":
            self._events.emit("result", self._result_view())  # 需要帮忙可按… is no longer said once one is coming
        if self.visit.help.phase != before and self.visit.help.phase in ("offline", "claimed"):
            self._guide.speak(text)

    def refresh(self) -> None:
        """Called every few seconds by the UI: re-reads the open request's status off the UI thread."""
        if self.visit.help_request_id:
            self._worker.submit(self.poll, self.visit.help_request_id)

    def send_rating(self, intent: RateHelp) -> None:
        """The resident's 好差评 of the resolved request, through the outbox (after the request itself)."""
        rid = self.request_ids.get(intent.request_id)
        rate = getattr(self.queue, "rate", None) if self.queue is not None else None
        if rid is None or rate is None:
            log.info("rating of help request %s not sent: %s", intent.request_id,
                     "no queue request" if rid is None else "client without rate")
            return
        self._worker.submit(rate, rid, intent.score, intent.reasons)

    def report_notice(self) -> None:
        """Tells the help queue a one-time notice was printed (for the supervision figures): the matter
        and how many materials it lists, nothing about the resident."""
        matter, result = self.visit.matter, self.visit.result
        if self.queue is None or matter is None or result is None or not result.check.missing:
            return
        missing = len(result.check.missing)
        self._worker.submit(self.queue.report_notice, matter.id, matter.name, missing)

    def report_health(self) -> None:
        if self.queue is not None and self.devices is not None:
            self._worker.submit(lambda: self.queue.heartbeat(self.devices.healths()))

    def cancel(self, intent: VisitReset) -> None:
        """The visit was reset with its request open: the queue's request is cancelled when the resident
        left (or gave up waiting)."""
        rid = self.request_ids.pop(intent.help_request_id, None)
        if rid and self.queue is not None and intent.reason in ("idle", "manual"):
            self._worker.submit(self.queue.cancel, rid, "resident_left")
