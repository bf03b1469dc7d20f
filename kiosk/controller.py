"""The glue between the screens and the world: the visit, the devices, the printer and the help queue.

No Kivy here. Screens call the methods below on the UI thread; slow work (printing, the outbox, device
self-tests, camera frames) runs on :class:`Worker` threads and comes back through ``dispatch`` (the app
passes a function that moves a call onto the UI thread; tests may pass one that calls at once). UI
listeners (``subscribe``) receive ``(event, payload)``:

- ``help`` (text, tone): the help banner; ``card`` (masked who), ``card_error`` (text), ``reader`` (bool)
- ``preview`` / ``captured`` (:class:`PreviewFrame`), ``camera`` (bool)
- ``result`` (:class:`ResultView`), ``health``, ``self_test`` (text), ``elderly`` (bool), ``reset`` (reason),
  ``quit``
"""

from __future__ import annotations

import logging
import math
import queue as queue_mod
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.i18n import tr
from kiosk.visit import (
    CallHelper,
    InvalidIdNumber,
    PrintSlip,
    ReportDevice,
    TellHelper,
    VisitError,
    VisitReset,
)

log = logging.getLogger(__name__)
Listener = Callable[[str, Any], None]
KIND_REQUEST = {"consult": "consult", "assist": "assist", "proxy": "proxy", None: "call"}
MARKS = {"paper": "paper", "missing": "missing"}


def call_now(fn: Callable, *args: Any) -> None:
    fn(*args)


class Worker:
    """One background thread running jobs in order; a failing job is logged and never stops it."""

    def __init__(self, name: str):
        self._jobs: queue_mod.Queue = queue_mod.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable, *args: Any) -> None:
        self._jobs.put((fn, args))

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, args = job
            try:
                fn(*args)
            except Exception:
                log.exception("background job %s failed", getattr(fn, "__name__", fn))

    def join_idle(self, timeout: float = 5.0) -> bool:
        """Waits until every job so far has run (for tests, the demo and shutdown)."""
        done = threading.Event()
        self._jobs.put((done.set, ()))
        return done.wait(timeout)

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(2.0)


@dataclass
class MaterialItem:
    id: str
    title: str
    detail: str
    status: str
    capturable: bool


@dataclass
class PreviewFrame:
    """One camera frame for the screen: RGB bytes (top row first), its size, the detected page corners in
    its pixels (tl, tr, br, bl; empty when none), the hint in plain words, and whether it would pass."""

    rgb: bytes
    width: int
    height: int
    corners: list[tuple[float, float]]
    hint: str
    ok: bool


@dataclass
class ResultView:
    working: bool
    complete: bool = False
    ticket_no: str | None = None
    paper_out: bool = False
    print_text: str = ""
    print_tone: str = "ok"
    next_text: str = ""
    missing: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DeviceRow:
    kind: str
    label: str
    text: str


class KioskController:
    """One per kiosk. ``devices`` is a :class:`kiosk.devices_port.DevicePort`-like object or None
    (no devices: the resident can still type the number, mark paper copies and see the number on screen).
    ``queue`` is a :class:`~kiosk.queue.client.HelpQueueClient` or None (requests are then only logged)."""

    def __init__(self, config, visit, *, auth, devices=None, queue=None, dispatch: Callable = call_now,
                 voice=None, on_slip: Callable[[str, Any], None] | None = None):
        self.config, self.visit, self.manager_auth = config, visit, auth
        self.devices, self.queue, self.voice = devices, queue, voice
        self._dispatch = dispatch
        self._listeners: list[Listener] = []
        self._on_slip = on_slip
        self._print_worker = Worker("kiosk-print")
        self._queue_worker = Worker("kiosk-queue")
        self._pending_prints = 0
        self._request_ids: dict[str, str] = {}  # visit's request id → the queue's
        self.sent_requests: list[str] = []  # every queue request id this controller created
        self.current_screen = "start"
        self.hall_name = config.site.name
        if devices is not None:
            devices.connect(self)

    # listeners ------------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: str, payload: Any = None) -> None:
        for listener in list(self._listeners):
            listener(event, payload)

    def later(self, fn: Callable, *args: Any) -> None:
        """Runs ``fn(*args)`` on the UI thread (from any thread)."""
        self._dispatch(fn, *args)

    # the visit ------------------------------------------------------------------------------------
    @property
    def kind(self) -> str | None:
        return self.visit.kind.value if self.visit.kind else None

    def has_visit_data(self) -> bool:
        return self.visit.step.value != "start" or self.visit.has_personal_data()

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
        self.visit.touch()
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
        if self.devices is not None:
            self.devices.want_card(True)

    def reader_available(self) -> bool:
        return self.visit.reader_available and self.devices is not None and self.devices.has("idcard")

    def camera_available(self) -> bool:
        return self.visit.camera_available and self.devices is not None and self.devices.has("camera")

    def enter_id_number(self, text: str) -> str | None:
        """Accepts a typed ID number; returns the reason in plain words when it is not valid."""
        try:
            self.visit.identify_manually(text)
        except InvalidIdNumber as err:
            return tr(f"kiosk.identify.err.{err.key.rsplit('.', 1)[-1]}")
        self._card_done()
        return None

    def card_read(self, card) -> None:
        """A card was read (UI thread). Ignored unless the identify step is showing."""
        if self.visit.step.value != "identify":
            return
        try:
            self.visit.identify_with_card(card)
        except VisitError as err:
            log.warning("card read ignored: %s", err)
            return
        self._card_done()
        self.emit("card", f"{self.visit.identity.masked_name}  {self.visit.identity.masked_id}")

    def card_error(self, message: str) -> None:
        """The reader reported a problem with a card (UI thread), e.g. "请把证件放平"."""
        if self.visit.step.value == "identify":
            self.emit("card_error", message)

    def health_changed(self, health) -> None:
        """A device's health changed (UI thread): the reader and camera states feed the visit."""
        ok = health.state.value in ("connected", "disabled")
        if health.device == "idcard":
            self.reader_state(ok, health.reason)
        elif health.device == "camera":
            self.camera_state(ok, health.reason)
        self.emit("health", health)

    def _card_done(self) -> None:
        if self.devices is not None:
            self.devices.want_card(False)

    def skip_identify(self) -> None:
        self.visit.skip_identify()
        self._card_done()

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
        if self.visit.step.value == "identify" and self.devices is not None:
            self.devices.want_card(True)
        return self.visit.step.value

    def matter_name(self) -> str:
        return self.visit.matter.name if self.visit.matter else ""

    def material_title(self, material_id: str) -> str:
        return self.visit.matter.material(material_id).name

    def materials(self) -> list[MaterialItem]:
        out = []
        for m in self.visit.matter.materials:
            form = tr(f"kiosk.materials.form.{m.form}", n=m.copies)
            detail = form + (f"；{m.note}" if m.note else "") + (tr("kiosk.materials.optional") if m.optional else "")
            out.append(MaterialItem(m.id, m.name, detail, self.visit.statuses[m.id].value, m.capturable))
        return out

    def mark(self, material_id: str, status: str) -> None:
        self.visit.mark(material_id, MARKS[status])

    # camera ---------------------------------------------------------------------------------------
    def start_capture(self, material_id: str) -> None:
        if self.devices is not None:
            self.devices.start_capture(material_id)

    def stop_capture(self) -> None:
        if self.devices is not None:
            self.devices.stop_capture()

    def shutter(self) -> None:
        if self.devices is not None:
            self.devices.shutter()

    def accept_capture(self, material_id: str) -> None:
        doc = self.devices.take_capture() if self.devices is not None else None
        if doc is not None:
            self.visit.attach_capture(material_id, doc)

    def camera_state(self, ok: bool, problem: str = "") -> None:
        """The camera came back or went away (UI thread)."""
        if ok:
            self.visit.device_back("camera")
        else:
            self.carry_out(self.visit.camera_lost(problem or "camera lost"))
        self.emit("camera", ok)

    def reader_state(self, ok: bool, problem: str = "") -> None:
        if ok:
            self.visit.device_back("idcard")
        elif self.visit.reader_available:
            self.carry_out(self.visit.reader_missing(problem or "reader not answering"))
        self.emit("reader", ok)

    # result ---------------------------------------------------------------------------------------
    def finish(self) -> None:
        """Runs the completeness check and carries out what it asks (print, call a helper)."""
        self.stop_capture()
        self.carry_out(self.visit.finish_materials())
        self.emit("result", self.result_view())

    def result_view(self) -> ResultView | None:
        r = self.visit.result
        if r is None:
            return None
        view = ResultView(working=self._pending_prints > 0, complete=r.complete,
                          ticket_no=r.ticket.number if r.ticket else None, paper_out=r.show_number_large)
        view.missing = [(m.name, m.source) for m in r.check.missing]
        if view.working:
            view.print_text, view.print_tone = tr("kiosk.result.printing"), "ok"
        elif r.show_number_large and r.ticket:
            view.print_text, view.print_tone = tr("kiosk.result.paper_out"), "error"
        elif r.show_number_large:
            view.print_text, view.print_tone = tr("kiosk.result.notice_failed"), "error"
        elif r.complete:
            key = "printed_proxy" if self.kind == "proxy" else "printed_ticket"
            view.print_text = tr(f"kiosk.result.{key}")
        else:
            view.print_text = tr("kiosk.result.printed_notice")
        if r.complete:
            view.next_text = tr(f"kiosk.result.next_{self.kind or 'consult'}")
            if self.visit.matter is not None:
                view.next_text += "\n" + tr("kiosk.result.where", window=self.visit.matter.window)
        else:
            view.next_text = tr("kiosk.result.next_incomplete")
        return view

    def back_to_materials(self) -> None:
        self.visit.back()

    def done(self) -> None:
        self.visit.done()

    def reset(self, reason: str) -> None:
        self.stop_capture()
        self.carry_out(self.visit.reset(reason))
        self.emit("elderly", self.visit.elderly)
        if self.devices is not None:
            self.devices.want_card(False)
        self.emit("reset", reason)

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

    def button_pressed(self, _event=None) -> None:
        """The hardware call button (moved onto the UI thread by the device port)."""
        self.visit.touch()
        self.call_helper(self.current_screen)

    def _send_help(self, intent: CallHelper) -> None:
        p = intent.payload
        if self.queue is None:
            log.warning("help request %s not sent: no help-queue client configured", intent.request_id)
            self.later(self.emit, "help", (tr("kiosk.help.no_queue"), "warn"))
            return
        note = tr(f"kiosk.help.reason.{intent.reason}")
        ticket = p.get("ticket")
        if intent.reason == "printer" and ticket:
            note = tr("kiosk.help.reason.printer_ticket", ticket=ticket)
        step = p["step"] if p["step"] in ("start", "identify", "matter", "materials", "result", "done") else "start"
        rid = self.queue.call_helper(KIND_REQUEST.get(p.get("kind"), "call"), step, p.get("matter_id"),
                                     p.get("matter_name"), ticket, p.get("priority", "normal"),
                                     visit_id=p["visit_id"], note=note)
        self._request_ids[intent.request_id] = rid
        self.sent_requests.append(rid)
        self._poll_help(intent.request_id)

    def _poll_help(self, visit_request_id: str) -> None:
        rid = self._request_ids.get(visit_request_id)
        if rid is None or self.queue is None:
            return
        status = self.queue.status(rid)
        if not self.queue.online:
            text, tone = tr("kiosk.help.offline"), "warn"
        elif status.get("helper_display"):
            text, tone = tr("kiosk.help.claimed", helper=status["helper_display"]), "ok"
        else:
            wait = status.get("expected_wait_s")
            minutes = max(1, round(wait / 60)) if wait else 3
            text, tone = tr("kiosk.help.coming_eta", minutes=minutes), "ok"
        self.later(self._help_shown, visit_request_id, text, tone)

    def _help_shown(self, visit_request_id: str, text: str, tone: str) -> None:
        if self.visit.help_request_id == visit_request_id:  # not a request of an earlier visit
            self.emit("help", (text, tone))

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
                log.info("helper of request %s told: %s", intent.request_id, intent.message_key)
                self._report_health()
            elif isinstance(intent, ReportDevice):
                log.warning("device %s: %s", intent.device, intent.problem)
                self._report_health()
            elif isinstance(intent, VisitReset) and intent.help_request_id and self.queue is not None:
                rid = self._request_ids.pop(intent.help_request_id, None)
                if rid and intent.reason == "idle":
                    self._queue_worker.submit(self.queue.cancel, rid, "resident_left")

    def _print(self, slip_kind: str) -> None:
        try:
            from kiosk import slips

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
        if self.visit.result is None:
            return  # the visit moved on (reset) while printing
        if problem:
            self.carry_out(self.visit.print_failed(slip_kind, problem))
        else:
            self.visit.print_done(slip_kind)
        self.emit("result", self.result_view())

    def _report_health(self) -> None:
        if self.queue is not None and self.devices is not None:
            self._queue_worker.submit(lambda: self.queue.heartbeat(self.devices.healths()))

    # manager --------------------------------------------------------------------------------------
    def device_rows(self) -> list[DeviceRow]:
        rows = []
        healths = {h.device: h for h in self.devices.healths()} if self.devices is not None else {}
        for kind in ("idcard", "camera", "printer", "button"):
            label = tr(f"kiosk.devices.{kind}")
            h = healths.get(kind)
            state = h.state.value if h else "disabled"
            reason = (h.reason if h else "") or ""
            colour = {"connected": "1a8c40", "disabled": "5c6670"}.get(state, "c62828")
            text = f"[b]{label}[/b]  [color={colour}]{tr(f'kiosk.devices.state.{state}')}[/color]"
            rows.append(DeviceRow(kind, label, text + (f"\n{reason}" if reason else "")))
        return rows

    def self_test(self, kind: str) -> None:
        def job() -> None:
            result = self.devices.self_test(kind) if self.devices is not None else None
            text = (f"{tr(f'kiosk.devices.{kind}')}: " + (("✓ " if result.ok else "✗ ") + result.message
                    if result else tr("kiosk.devices.state.disabled")))
            self.later(self.emit, "self_test", text)
            self.later(self.emit, "health", None)

        self._print_worker.submit(job)

    def settings_text(self) -> str:
        c, ui = self.config, self.config.ui
        d = c.devices
        return tr("kiosk.manager.settings_text", kiosk=c.kiosk_id, site=f"{c.site.code} {c.site.name}",
                  location=c.location or "-", queue=c.queue.url, idle=int(ui.idle_timeout_s),
                  countdown=int(ui.countdown_s), factor=ui.elderly_timeout_factor,
                  idcard=f"{d.idcard.type} {d.idcard.port}", camera=f"{d.camera.type} {d.camera.source}",
                  printer=f"{d.printer.type} {d.printer.uri} {d.printer.paper_width_mm}mm",
                  button=f"{d.button.type} {d.button.port or d.button.device or d.button.key}")

    def outbox_text(self) -> str:
        if self.queue is None:
            return tr("kiosk.manager.no_queue")
        counts = self.queue.outbox.counts()
        online = tr("kiosk.manager.online") if self.queue.online else tr("kiosk.manager.offline")
        return tr("kiosk.manager.outbox_text", online=online, pending=counts.get("pending", 0),
                  dead=counts.get("dead", 0), sent=counts.get("sent", 0),
                  error=self.queue.last_error or "-")

    def quit(self) -> None:
        self.emit("quit", None)

    # voice and shutdown ---------------------------------------------------------------------------
    def say(self, key: str) -> None:
        if self.voice is not None and self.visit.elderly:
            self.voice.say(tr(f"kiosk.voice.{key}"))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Waits until queued printing and queue work has run (tests, demo, benchmarks)."""
        return self._print_worker.join_idle(timeout) and self._queue_worker.join_idle(timeout)

    def close(self) -> None:
        self._print_worker.stop()
        self._queue_worker.stop()


class HubPort:
    """What the controller needs from the devices, over a :class:`kiosk.devices.hub.DeviceHub`.

    Card polling, camera frames and printing run on the drivers' or this port's threads; everything
    the controller must see comes back through ``controller.later`` (the UI thread).
    """

    def __init__(self, hub, *, still_frames: int = 12, preview_width: int = 640, preview_fps: float = 12.0):
        self.hub = hub
        self.still_frames, self.preview_width = still_frames, preview_width
        self._min_gap = 1.0 / preview_fps
        self._c: KioskController | None = None
        self._worker = Worker("devices")
        self._polling = False
        self._capturing = False
        self._shutter = False
        self._auto = None
        self._doc = None
        self._last_preview = 0.0

    def connect(self, controller: KioskController) -> None:
        self._c = controller
        self.hub.subscribe_health(lambda h: controller.later(controller.health_changed, h))
        button = self.hub.get("button")
        if button is not None:
            button.subscribe(lambda event: controller.later(controller.button_pressed, event))
        for kind in ("idcard", "camera"):  # open them now, so their real state is known before a resident comes
            if self.hub.get(kind) is not None:
                self._worker.submit(self.hub.self_test, kind)
            elif not self.hub.device_health(kind).ok:
                controller.later(controller.health_changed, self.hub.device_health(kind))

    def has(self, kind: str) -> bool:
        return self.hub.get(kind) is not None and self.hub.device_health(kind).ok

    def healths(self) -> list:
        return self.hub.health()

    def self_test(self, kind: str):
        return self.hub.self_test(kind)

    # card -----------------------------------------------------------------------------------------
    def want_card(self, on: bool) -> None:
        self._worker.submit(self._set_polling, on)

    def _set_polling(self, on: bool) -> None:
        reader = self.hub.get("idcard")
        if reader is None or on == self._polling:
            return
        c = self._c
        if on:
            reader.start(lambda card: c.later(c.card_read, card), self._card_problem)
        else:
            reader.stop()
        self._polling = on

    def _card_problem(self, err) -> None:  # the reader's thread
        """A problem with the card (re-place it) or with the reader (manual entry instead)."""
        from kiosk.devices.idcard.errors import CardError

        c = self._c
        if isinstance(err, CardError):
            c.later(c.card_error, tr("kiosk.identify.card_retry"))
        else:
            c.later(c.reader_state, False, str(err))

    # camera ---------------------------------------------------------------------------------------
    def start_capture(self, material_id: str) -> None:
        camera = self.hub.get("camera")
        if camera is None:
            return
        from kiosk.devices.camera.autocapture import AutoCapture

        self._auto = AutoCapture(still_frames=self.still_frames)
        self._doc, self._shutter, self._capturing = None, False, True
        self._worker.submit(camera.start, self._on_frame)

    def stop_capture(self) -> None:
        self._capturing = False
        camera = self.hub.get("camera")
        if camera is not None:
            self._worker.submit(camera.stop)

    def shutter(self) -> None:
        self._shutter = True

    def take_capture(self):
        doc, self._doc = self._doc, None
        return doc

    def _on_frame(self, frame) -> None:  # the camera's thread
        if not self._capturing or self._auto is None:
            return
        status = self._auto.update(frame.image)
        if self._shutter and status.state != "captured":
            status = self._force(frame.image, status)
        c = self._c
        if status.state == "captured" and status.document is not None:
            self._capturing = False
            if self._doc is not None:
                self._doc.wipe()
            self._doc = status.document
            c.later(c.emit, "captured", self._preview(status.document.image, None, "", True))
            return
        now = time.monotonic()
        if now - self._last_preview >= self._min_gap:
            self._last_preview = now
            ok = status.state == "steadying" and not status.problems
            c.later(c.emit, "preview", self._preview(frame.image, status.corners, status.prompt(), ok))

    def _force(self, image, status):
        """The shutter: capture this frame now (the found page, or the whole frame when none was found)."""
        import numpy as np

        from kiosk.devices.camera.autocapture import CapturedDocument, CaptureStatus
        from kiosk.devices.camera.quality import assess
        from kiosk.devices.camera.warp import warp_page

        self._shutter = False
        h, w = image.shape[:2]
        corners = status.corners if status.corners is not None else np.array(
            [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
        page, kind = warp_page(image, corners)
        doc = CapturedDocument(page, np.array(corners, np.float32), assess(image, corners), kind, time.time(), (w, h))
        return CaptureStatus("captured", corners, (), 1.0, doc)

    def _preview(self, image, corners, hint: str, ok: bool) -> PreviewFrame:
        import cv2

        h, w = image.shape[:2]
        scale = self.preview_width / w
        small = cv2.resize(image, (self.preview_width, max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        pts = [(float(x) * scale, float(y) * scale) for x, y in corners] if corners is not None else []
        return PreviewFrame(rgb.tobytes(), rgb.shape[1], rgb.shape[0], pts, hint, ok)

    # printer and button ---------------------------------------------------------------------------
    def print_slip(self, slip) -> str | None:
        """Prints (blocking, on the caller's worker thread); returns the problem in words, or None."""
        printer = self.hub.get("printer")
        if printer is None:
            return self.hub.device_health("printer").reason or "no printer"
        try:
            printer.print_slip(slip)
        except Exception as err:  # PrinterError and any DeviceError: the resident still gets the number
            log.warning("printing failed: %s", err)
            return str(err) or type(err).__name__
        return None

    def key(self, name: str, down: bool) -> bool:
        """A key of the kiosk's keyboard; True when it is the call button's key (then it is swallowed)."""
        button = self.hub.get("button")
        feed = getattr(button, "feed", None)
        return bool(feed(name, down)) if feed is not None else False

    def close(self) -> None:
        self._capturing = False
        self._worker.submit(self._set_polling, False)
        self._worker.join_idle(5.0)
        self._worker.stop()
