"""The device glue: what the controller needs from the devices, over a :class:`kiosk.devices.hub.DeviceHub`.

No Kivy here. Everything the controller must see comes back through ``controller.later`` (the UI thread).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from kiosk.i18n import say, tr
from kiosk.terminal.views import PreviewFrame
from kiosk.terminal.worker import Worker

log = logging.getLogger(__name__)


class DeviceListener(Protocol):
    """What the port calls on the controller (always through ``later``, on the UI thread)."""

    def later(self, fn: Callable[..., Any], *args: Any) -> None: ...
    def health_changed(self, health: Any) -> None: ...
    def button_pressed(self, _event: Any = None) -> None: ...
    def card_read(self, card: Any) -> None: ...
    def card_error(self, message: str) -> None: ...
    def reader_state(self, ok: bool, problem: str = "") -> None: ...
    def emit(self, event: str, payload: Any = None) -> None: ...


class HubPort:
    """What the controller needs from the devices, over a :class:`kiosk.devices.hub.DeviceHub`.

    Card polling, camera frames and printing run on the drivers' or this port's threads; everything
    the controller must see comes back through ``controller.later`` (the UI thread).
    """

    def __init__(self, hub, *, still_frames: int = 12, preview_width: int = 640, preview_fps: float = 12.0):
        self.hub = hub
        self.still_frames, self.preview_width = still_frames, preview_width
        self._min_gap = 1.0 / preview_fps
        self._c: DeviceListener | None = None
        self._worker = Worker("devices")
        self._polling = False
        self._capturing = False
        self._shutter = False
        self._auto = None
        self._doc = None
        self._last_preview = 0.0

    def connect(self, controller: DeviceListener) -> None:
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
            c.later(c.reader_state, False, say(err))

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
            c.later(c.emit, "preview", self._preview(frame.image, status.corners, say(status.prompt()), ok))

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
            return say(self.hub.device_health("printer").reason) or "no printer"
        try:
            printer.print_slip(slip)
        except Exception as err:  # PrinterError and any DeviceError: the resident still gets the number
            log.warning("printing failed: %s", err)
            return say(err) or type(err).__name__
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
