"""Camera frames through OpenCV: a device index, a device path, a file (image or video) or a URL.

:class:`OpenCvCamera` reads frames on its own thread and hands each to a callback as a :class:`Frame`.
``read()`` returning ``(False, None)`` means the device is gone (unplugged, stream ended, file removed):
health turns ``disconnected`` and the camera is reopened with :class:`~kiosk.devices.base.Backoff` until
it comes back. The one place where a capture is made is ``opener`` (default: ``cv2.VideoCapture``); the
simulator plugs in there, so it exercises the same reconnect path as a real camera.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from kiosk.devices.base import (
    Backoff,
    DeviceNotFound,
    Health,
    HealthState,
    HealthTracker,
    Reason,
    SelfTestResult,
)

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}


@dataclass(frozen=True)
class Frame:
    """One camera frame: BGR ``image``, capture ``timestamp`` (epoch seconds), ``seq`` from 1."""

    image: np.ndarray
    timestamp: float
    seq: int


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the camera uses."""

    def isOpened(self) -> bool: ...  # noqa: N802 (OpenCV's name)
    def read(self) -> tuple[bool, np.ndarray | None]: ...
    def set(self, prop: int, value: float) -> bool: ...
    def release(self) -> None: ...


def parse_source(source: str | int) -> int | str:
    """``0`` / ``"0"`` → device index 0; ``file:PATH`` → PATH; device paths and URLs unchanged."""
    if isinstance(source, int):
        return source
    text = str(source).strip()
    if text.isdigit():
        return int(text)
    return text[5:] if text.startswith("file:") else text


class StillImage:
    """A capture that shows one image file over and over (a ``file:`` source that is a picture)."""

    def __init__(self, path: str):
        self._image = cv2.imread(path, cv2.IMREAD_COLOR)

    def isOpened(self) -> bool:  # noqa: N802
        return self._image is not None

    def read(self) -> tuple[bool, np.ndarray | None]:
        return (True, self._image.copy()) if self._image is not None else (False, None)

    def set(self, prop: int, value: float) -> bool:
        return False

    def release(self) -> None:
        self._image = None


class OpenCvCamera:
    """A camera driver. ``start(callback)`` runs the frame thread; ``read()`` takes one frame directly.

    ``fps`` paces file sources (a device paces itself); ``loop`` replays a video file at its end instead
    of treating the end as the camera going away.
    """

    name = "camera"

    def __init__(self, source: str | int = 0, width: int = 1280, height: int = 720, mjpg: bool = True,
                 loop: bool = True, fps: float | None = None, opener: Callable[[], Capture] | None = None,
                 backoff: Backoff | None = None):
        self.source = parse_source(source)
        self.width, self.height, self.mjpg, self.loop = width, height, mjpg, loop
        self._is_file = isinstance(self.source, str) and not self.source.startswith("/dev/") \
            and "://" not in self.source
        self.fps = fps if fps is not None else (10.0 if self._is_file else None)
        self._opener = opener or self._open_cv
        self._backoff = backoff or Backoff(0.5, 10.0)
        self._health = HealthTracker(self.name)
        self._cap: Capture | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._latest: Frame | None = None
        self._seq = 0
        self._new_frame = threading.Condition()

    @classmethod
    def from_config(cls, section: Any) -> OpenCvCamera:
        return cls(section.source, width=section.width, height=section.height, mjpg=section.mjpg)

    # -- opening and reading ---------------------------------------------------------------------------
    def _open_cv(self) -> Capture:
        src = self.source
        if self._is_file and Path(str(src)).suffix.lower() in IMAGE_SUFFIXES:
            return StillImage(str(src))
        cap = cv2.VideoCapture(src) if isinstance(src, str) else cv2.VideoCapture(src, cv2.CAP_V4L2)
        if cap.isOpened() and not self._is_file:
            if self.mjpg:  # before width/height: UVC cameras give high resolutions only as MJPG
                cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return cap

    def open(self) -> None:
        """Opens the capture if it is not open. Raises DeviceNotFound with what to check."""
        with self._lock:
            if self._cap is not None:
                return
            try:
                cap = self._opener()
            except Exception as exc:  # a backend may raise instead of returning a closed capture
                cap, detail = None, str(exc)
            else:
                detail = "no such device, file or stream"
            if cap is None or not cap.isOpened():
                if cap is not None:
                    cap.release()
                reason = Reason("camera.health.cannot_open", source=self.source)
                self._health.set(HealthState.DISCONNECTED, reason, source=str(self.source), error=detail)
                raise DeviceNotFound(f"{reason} ({detail})")
            self._cap = cap
            self._health.set(HealthState.CONNECTED, Reason("camera.health.connected"), source=str(self.source))

    def read(self) -> np.ndarray | None:
        """One frame (BGR), opening the camera first if needed; None when the camera is gone (health
        says why). Never raises for a missing device."""
        try:
            self.open()
        except DeviceNotFound:
            return None
        with self._lock:
            cap = self._cap
            if cap is None:
                return None
            ok, image = cap.read()
            if (not ok or image is None) and self._is_file and self.loop:
                cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = cap.read()
            if ok and image is not None:
                return image
            cap.release()
            self._cap = None
        self._health.set(HealthState.DISCONNECTED, Reason("camera.health.gone", source=self.source),
                         source=str(self.source))
        return None

    # -- the frame thread ------------------------------------------------------------------------------
    def start(self, on_frame: Callable[[Frame], None] | None = None) -> None:
        """Starts the frame thread; ``on_frame`` runs on it for each frame (keep it short)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(on_frame,), name="camera", daemon=True)
        self._thread.start()

    def _run(self, on_frame: Callable[[Frame], None] | None) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            image = self.read()
            if image is None:
                self._stop.wait(self._backoff.next_delay())
                continue
            self._backoff.reset()
            with self._new_frame:
                self._seq += 1
                frame = Frame(image, time.time(), self._seq)
                self._latest = frame
                self._new_frame.notify_all()
            if on_frame is not None:
                try:
                    on_frame(frame)
                except Exception:  # a broken consumer must not kill the camera
                    log.exception("camera frame callback failed")
            if self.fps:
                next_at = max(next_at + 1.0 / self.fps, time.monotonic() - 1.0)
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def latest(self) -> Frame | None:
        """The newest frame of the running thread, or None."""
        return self._latest

    def wait_frame(self, after_seq: int = 0, timeout: float = 2.0) -> Frame | None:
        """Blocks until the thread delivers a frame with ``seq > after_seq``; None on timeout."""
        with self._new_frame:
            self._new_frame.wait_for(lambda: self._latest is not None and self._latest.seq > after_seq, timeout)
            frame = self._latest
        return frame if frame is not None and frame.seq > after_seq else None

    def forget(self) -> None:
        """Zeroes and drops the newest frame (it may show a resident's document): call at visit end."""
        with self._new_frame:
            if self._latest is not None:
                self._latest.image.fill(0)
            self._latest = None

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    # -- device contract -------------------------------------------------------------------------------
    def health(self) -> Health:
        return self._health.get()

    def subscribe(self, listener: Callable[[Health], None]) -> None:
        """``listener(health)`` on every change of state or reason (on the thread that saw it)."""
        self._health.subscribe(listener)

    def self_test(self) -> SelfTestResult:
        """Takes one frame (from the running thread, or directly) and reports its size. Never raises."""
        t0 = time.perf_counter()
        try:
            if self._thread is not None and self._thread.is_alive():
                last = self._latest.seq if self._latest else 0
                frame = self.wait_frame(last, timeout=3.0)
                image = frame.image if frame else None
            else:
                image = self.read()
        except Exception as exc:  # never raise from a self-test
            image = None
            self._health.set(HealthState.ERROR, f"{type(exc).__name__}: {exc}")
        ms = (time.perf_counter() - t0) * 1000
        if image is None:
            reason = self.health().reason or Reason("camera.health.no_frames")
            return SelfTestResult(self.name, False, reason, ms)
        return SelfTestResult(self.name, True, f"{image.shape[1]}×{image.shape[0]} frame from {self.source}", ms)

    def close(self) -> None:
        self.stop()
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None
        self._health.set(HealthState.DISCONNECTED, Reason("camera.health.closed"))
