"""The glue between the screens and the world: the visit, the devices, the printer and the help queue.

No Kivy here. Screens call the methods below on the UI thread; slow work (printing, the outbox, device
self-tests, camera frames) runs on :class:`Worker` threads and comes back through ``dispatch`` (the app
passes a function that moves a call onto the UI thread; tests may pass one that calls at once). The
controller holds the visit's steps; the rest goes to collaborators it builds, each given what it needs
and one shared ``Events``: ``help`` (:mod:`~kiosk.terminal.help_desk`), ``printer``
(:mod:`~kiosk.terminal.slip_printer`), ``device_side`` (:mod:`~kiosk.terminal.visit_devices`), ``desk``
(:mod:`~kiosk.terminal.manager_desk`), ``guide`` (:mod:`~kiosk.terminal.voice_guide`). UI listeners
(``subscribe``) receive ``(event, payload)``:

- ``help`` (text, tone): the help banner; ``card`` (masked who), ``card_error`` (text), ``reader`` (bool)
- ``preview`` / ``captured`` (:class:`PreviewFrame`), ``camera`` (bool)
- ``result`` (:class:`ResultView`), ``health``, ``self_test`` (text), ``elderly`` (bool), ``reset`` (reason),
  ``quit``
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from kiosk.i18n import tr
from kiosk.terminal.device_port import HubPort
from kiosk.terminal.events import Events, Listener
from kiosk.terminal.help_desk import KIND_REQUEST, HelpDesk
from kiosk.terminal.manager_desk import ManagerDesk
from kiosk.terminal.result_view import done_text
from kiosk.terminal.slip_printer import SlipPrinter
from kiosk.terminal.views import DeviceRow, MaterialItem, PreviewFrame, ResultView, material_items
from kiosk.terminal.visit_devices import VisitDevices
from kiosk.terminal.voice_guide import VoiceGuide
from kiosk.terminal.worker import Worker, call_now
from kiosk.visit import CallHelper, InvalidIdNumber, PrintSlip, RateHelp, ReportDevice, TellHelper, VisitReset

__all__ = ["KioskController", "HubPort", "Worker", "call_now", "MaterialItem", "PreviewFrame", "ResultView",
           "DeviceRow", "KIND_REQUEST", "MARKS"]

log = logging.getLogger(__name__)
MARKS = {"paper": "paper", "missing": "missing", "unknown": "unknown"}


class KioskController:
    """One per kiosk. ``devices`` is a :class:`kiosk.terminal.device_port.HubPort`-like object or None
    (no devices: the resident can still type the number, mark paper copies and see the number on screen).
    ``queue`` is a :class:`~kiosk.queue.client.HelpQueueClient` or None (requests are then only logged)."""

    def __init__(self, config, visit, *, auth, devices=None, queue=None, dispatch: Callable = call_now,
                 voice=None, on_slip: Callable[[str, Any], None] | None = None):
        self.config, self.visit, self.manager_auth = config, visit, auth
        self.devices, self.queue, self.voice = devices, queue, voice
        self.events = Events(dispatch)
        self._print_worker = Worker("kiosk-print")
        self._queue_worker = Worker("kiosk-queue")
        self.guide = VoiceGuide(visit, voice)
        self.help = HelpDesk(visit, queue, devices, worker=self._queue_worker, events=self.events, guide=self.guide,
                             carry_out=self.carry_out, result_view=self.result_view,
                             hours=lambda: getattr(self, "hours", None))  # set by terminal.access.attach
        self.printer = SlipPrinter(visit, devices, worker=self._print_worker, events=self.events, guide=self.guide,
                                   help=self.help, carry_out=self.carry_out, on_slip=on_slip)
        self.desk = ManagerDesk(config, devices, queue, worker=self._print_worker, events=self.events)
        self.device_side = VisitDevices(visit, devices, events=self.events, guide=self.guide,
                                        carry_out=self.carry_out, button=self.help.call_helper)
        side = self.device_side  # the screens' way to the devices (card_read: as the port would, for tests)
        self.reader_available, self.camera_available = side.reader_available, side.camera_available
        self.start_capture, self.stop_capture, self.shutter = side.start_capture, side.stop_capture, side.shutter
        self.accept_capture, self.card_read = side.accept_capture, side.card_read
        self.sent_requests = self.help.sent  # every queue request id this controller created
        self.current_screen = "start"
        self.hall_name = config.site.name
        if devices is not None:
            devices.connect(self.device_side)

    # listeners ------------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self.events.subscribe(listener)

    def emit(self, event: str, payload: Any = None) -> None:
        self.events.emit(event, payload)

    def later(self, fn: Callable, *args: Any) -> None:
        """Runs ``fn(*args)`` on the UI thread (from any thread)."""
        self.events.later(fn, *args)

    # what the visit asks --------------------------------------------------------------------------
    def carry_out(self, intents: list) -> None:
        for intent in intents:
            if isinstance(intent, PrintSlip):
                self.printer.print(intent.slip)
            elif isinstance(intent, CallHelper):
                self.help.request(intent)
            elif isinstance(intent, TellHelper):
                self._queue_worker.submit(self.help.tell, intent)
                self.help.report_health()
            elif isinstance(intent, RateHelp):
                self.help.send_rating(intent)
            elif isinstance(intent, ReportDevice):
                log.warning("device %s: %s", intent.device, intent.problem)
                self.help.report_health()
            elif isinstance(intent, VisitReset) and intent.help_request_id:
                self.help.cancel(intent)

    # the visit ------------------------------------------------------------------------------------
    @property
    def kind(self) -> str | None:
        return self.visit.kind.value if self.visit.kind else None

    def has_visit_data(self) -> bool:
        return self.visit.step.value != "start" or self.visit.has_personal_data()

    def entered_data(self) -> bool:
        """The resident entered something this visit would lose on 回到首页 (identity, matter, answers)."""
        v = self.visit
        return bool(v.identity or v.matter or v.has_personal_data() or v.help_request_id)

    def expired_reason(self) -> str:
        """Why an expired visit resets: ``done`` (the thank-you screen's time is up) or ``idle``."""
        return "done" if self.visit.step.value == "done" and not self.visit.helper_coming else "idle"

    def touch(self) -> None:
        """A touch anywhere: restarts the visit's idle time."""
        self.visit.touch()

    def idle_tick(self) -> tuple[str, int]:
        """``("active", 0)``, ``("countdown", seconds left)`` or ``("expired", 0)`` for the idle overlay."""
        status = self.visit.idle_status()
        if status.phase == "expired":
            return ("expired", 0)
        if status.phase == "warning":
            return ("countdown", max(1, math.ceil(status.seconds_left)))
        return ("active", 0)

    def screen_changed(self, name: str) -> None:
        self.current_screen = name
        if name != "manager":  # staff at the PIN pad are not the resident: the visit's wipe keeps counting
            self.visit.touch()
        if name not in ("result", "manager"):  # the result is spoken once its printing is over
            self.say(name)

    def set_elderly(self, on: bool) -> None:
        self.visit.set_elderly(on)
        self.emit("elderly", self.visit.elderly)
        self.say("elderly_on" if on else "start")

    def start(self, kind: str) -> None:
        if self.visit.step.value != "start":
            self.visit.reset("manual")
        self.visit.start(kind)
        if self.visit.step.value == "matter":  # 咨询: show the identify screen anyway, with 跳过
            self.visit.go_identify()
        self.device_side.want_card(True)

    def enter_id_number(self, text: str) -> str | None:
        """Accepts a typed ID number; returns the reason in plain words when it is not valid."""
        try:
            self.visit.identify_manually(text)
        except InvalidIdNumber as err:
            problem = tr(f"kiosk.identify.err.{err.key.rsplit('.', 1)[-1]}")
            self.speak(problem)
            return problem
        self.device_side.want_card(False)
        return None

    def skip_identify(self) -> None:
        self.visit.skip_identify()
        self.device_side.want_card(False)

    def departments(self) -> list[str]:
        return self.visit.catalog.departments()

    def matters(self, department: str) -> list:
        return self.visit.catalog.by_department(department)

    def search(self, query: str) -> list:
        return self.visit.catalog.search(query)

    def choose_matter(self, matter_id: str) -> None:
        self.visit.choose_matter(matter_id)

    def back_from_matter(self) -> str:
        """Back from the matter list: to identify, or to start for 咨询 without identity."""
        self.visit.back()
        if self.visit.step.value == "identify":
            self.device_side.want_card(True)
        return self.visit.step.value

    def matter_name(self) -> str:
        return self.visit.matter.name if self.visit.matter else ""

    def material_title(self, material_id: str) -> str:
        return self.visit.matter.material(material_id).name

    def materials(self) -> list[MaterialItem]:
        return material_items(self.visit)

    def unanswered(self) -> list[str]:
        """The required materials still without an answer (检查材料 waits for them)."""
        return self.visit.unanswered()

    def mark(self, material_id: str, status: str) -> None:
        self.carry_out(self.visit.mark(material_id, MARKS[status]))

    # result ---------------------------------------------------------------------------------------
    def finish(self) -> bool:
        """Runs the completeness check and carries out what it asks (print, call a helper); False (and
        nothing done) while a required material has no answer."""
        if self.visit.unanswered():
            return False
        self.stop_capture()
        self.carry_out(self.visit.finish_materials())
        self.emit("result", self.result_view())
        return True

    def result_view(self) -> ResultView | None:
        return self.printer.view()

    def done_text(self) -> str:
        return done_text(self.visit)

    def done_seconds(self) -> int | None:
        """Seconds until the thank-you screen returns by itself; None while a helper is coming."""
        if self.visit.helper_coming:
            return None
        return max(0, math.ceil(self.visit.idle_status().seconds_left))

    def back_to_materials(self) -> None:
        self.visit.back()

    def done(self) -> None:
        self.visit.done()

    def reset(self, reason: str) -> None:
        self.stop_capture()
        self.carry_out(self.visit.reset(reason))
        self.guide.reset()
        self.emit("elderly", self.visit.elderly)
        self.device_side.want_card(False)
        self.emit("reset", reason)

    # voice, help and manager mode: the collaborators' ------------------------------------------
    @property
    def voice_on(self) -> bool:  # elderly mode and a working voice
        return self.guide.on

    def say(self, key: str, **values: Any) -> None:  # the fixed prompt kiosk.voice.KEY
        self.guide.say(key, **values)

    def speak(self, text: str) -> None:  # a text made for this moment
        self.guide.speak(text)

    def repeat_voice(self) -> None:
        self.guide.repeat()

    def next_volume(self) -> int:
        return self.guide.next_volume()

    def call_helper(self, _step: str | None = None) -> None:
        """The call-helper button (screen or hardware): one request a visit; later presses only re-show it."""
        self.help.call_helper()

    def help_text(self) -> tuple[str, str]:
        return self.help.help_text()

    def refresh_help(self) -> None:
        self.help.refresh()

    def _help_status(self, visit_request_id: str, status: dict, online: bool) -> None:
        self.help.status_arrived(visit_request_id, status, online)  # the queue's word (screenshots set it)

    def device_rows(self) -> list[DeviceRow]:
        return self.desk.device_rows()

    def self_test(self, kind: str) -> None:
        self.desk.self_test(kind)

    def settings_text(self) -> str:
        return self.desk.settings_text()

    def outbox_text(self) -> str:
        return self.desk.outbox_text()

    def quit(self) -> None:
        self.emit("quit", None)

    @property
    def _pending_prints(self) -> int:
        return self.printer.pending

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Waits until queued printing and queue work has run (tests, demo, benchmarks)."""
        return self._print_worker.join_idle(timeout) and self._queue_worker.join_idle(timeout)

    def close(self) -> None:
        self.events.clear()  # work still queued for the UI thread must not reach a UI that is gone
        self._print_worker.stop()
        self._queue_worker.stop()
        self.guide.close()
