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
from collections.abc import Callable
from typing import Any

from kiosk.i18n import say, tr
from kiosk.terminal.controller_help import KIND_REQUEST, HelpMixin
from kiosk.terminal.controller_manager import ManagerMixin
from kiosk.terminal.device_port import HubPort
from kiosk.terminal.result_view import done_text, result_view
from kiosk.terminal.views import DeviceRow, MaterialItem, PreviewFrame, ResultView
from kiosk.terminal.worker import Worker, call_now
from kiosk.visit import InvalidIdNumber, VisitError

__all__ = ["KioskController", "HubPort", "Worker", "call_now", "MaterialItem", "PreviewFrame", "ResultView",
           "DeviceRow", "KIND_REQUEST", "MARKS"]

log = logging.getLogger(__name__)
Listener = Callable[[str, Any], None]
MARKS = {"paper": "paper", "missing": "missing", "unknown": "unknown"}


class KioskController(HelpMixin, ManagerMixin):
    """One per kiosk. ``devices`` is a :class:`kiosk.terminal.device_port.HubPort`-like object or None
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
            problem = tr(f"kiosk.identify.err.{err.key.rsplit('.', 1)[-1]}")
            self.speak(problem)
            return problem
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
            self.speak(message)

    def health_changed(self, health) -> None:
        """A device's health changed (UI thread): the reader and camera states feed the visit."""
        ok = health.state.value in ("connected", "disabled")
        if health.device == "idcard":
            self.reader_state(ok, say(health.reason))
        elif health.device == "camera":
            self.camera_state(ok, say(health.reason))
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
        v = self.visit
        for m in v.matter.materials:
            form = tr(f"kiosk.materials.form.{m.form}", n=m.copies)
            detail = form + (f"；{m.note}" if m.note else "") + (tr("kiosk.materials.optional") if m.optional else "")
            note = ""
            if m.id in v.from_card:
                note = tr("kiosk.materials.from_card")
            elif m.id in v.checked_by:
                note = tr("kiosk.materials.checked_by", helper=v.checked_by[m.id])
            elif v.statuses[m.id].value == "unknown":
                note = tr("kiosk.materials.unknown_note")
            out.append(MaterialItem(m.id, m.name, detail, v.statuses[m.id].value, m.capturable,
                                    tr(f"kiosk.materials.paper_{m.form}"), note, not m.optional))
        return out

    def unanswered(self) -> list[str]:
        """The required materials still without an answer (检查材料 waits for them)."""
        return self.visit.unanswered()

    def mark(self, material_id: str, status: str) -> None:
        self.carry_out(self.visit.mark(material_id, MARKS[status]))

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
        return result_view(self.visit, self._pending_prints)

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
        if self.voice is not None:
            self.voice.reset()
        self.emit("elderly", self.visit.elderly)
        if self.devices is not None:
            self.devices.want_card(False)
        self.emit("reset", reason)

    # voice and shutdown ---------------------------------------------------------------------------
    @property
    def voice_on(self) -> bool:
        """Spoken guidance is on: elderly mode and a working voice."""
        return self.voice is not None and self.visit.elderly

    def say(self, key: str, **values: Any) -> None:
        """Speaks the fixed prompt ``kiosk.voice.KEY`` (a hall's recording KEY.wav when it has one)."""
        text = tr(f"kiosk.voice.{key}", **values)
        if self.voice_on and text and text != f"kiosk.voice.{key}":
            self.voice.say(text, None if values else key)

    def speak(self, text: str) -> None:
        """Speaks a text made for this moment (a number, the missing materials, an error)."""
        if self.voice_on and text:
            self.voice.say(text)

    def repeat_voice(self) -> None:
        """再听一遍."""
        self.visit.touch()
        if self.voice is not None:
            self.voice.repeat()

    def next_volume(self) -> int:
        """The volume button: 小 → 中 → 大; returns the new volume (0 without a voice)."""
        self.visit.touch()
        if self.voice is None:
            return 0
        volume = self.voice.next_level()
        self.voice.repeat()
        return volume

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Waits until queued printing and queue work has run (tests, demo, benchmarks)."""
        return self._print_worker.join_idle(timeout) and self._queue_worker.join_idle(timeout)

    def close(self) -> None:
        self._listeners.clear()  # work still queued for the UI thread must not reach a UI that is gone
        self._print_worker.stop()
        self._queue_worker.stop()
        if self.voice is not None:
            self.voice.close()
