"""What every device shares: health, errors, reconnect backoff, and the device contract.

Drivers return data (an ``IdCard``, a frame, a ``CapturedDocument``, a ``PrinterStatus``, a
``ButtonEvent``), never widgets. Their I/O runs off the UI thread; callbacks they invoke run on the
driver's thread, and the app moves them onto the UI thread (``kivy.clock.mainthread``).
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


class HealthState(str, enum.Enum):  # noqa: UP042 - str() and format() stay as they are
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Health:
    """A device's health at one moment. ``reason`` says what is wrong and what to do, in plain words."""

    device: str
    state: HealthState
    reason: str = ""
    detail: dict = field(default_factory=dict)
    since: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.state in (HealthState.CONNECTED, HealthState.DISABLED)

    def as_dict(self) -> dict:
        return {"device": self.device, "state": self.state.value, "reason": self.reason,
                "detail": self.detail, "since": self.since}


class DeviceError(Exception):
    """A device failed. The message names what went wrong and what to do about it."""


class DeviceNotFound(DeviceError):
    """The configured device is not there (unplugged, wrong port, nothing listening)."""


class DeviceTimeout(DeviceError):
    """The device did not answer in time."""


class ProtocolError(DeviceError):
    """The device answered with bytes that break its protocol (bad frame, checksum, length)."""


class UnknownDriverError(DeviceError):
    """The config names a driver type that does not exist."""


@dataclass(frozen=True)
class SelfTestResult:
    """``ok``: the device works; ``warning``: it works, but something needs a look (the message says what:
    e.g. a printer that prints but never answers a status query, so paper-out cannot be seen)."""

    device: str
    ok: bool
    message: str
    ms: float = 0.0
    warning: bool = False


@runtime_checkable
class Device(Protocol):
    """The contract of every driver.

    - ``name``: the device kind (``idcard``, ``camera``, ``printer``, ``button``).
    - ``health()`` never raises and never blocks for long: it reports the last known state.
    - ``self_test()`` exercises the device once (may take a few seconds) and never raises.
    - ``close()`` releases the device; calling it twice is harmless.
    """

    name: str

    def health(self) -> Health: ...

    def self_test(self) -> SelfTestResult: ...

    def close(self) -> None: ...


class Backoff:
    """Exponential reconnect delays: 0.5 s, 1 s, 2 s … capped at ``maximum``; ``reset()`` after success."""

    def __init__(self, initial: float = 0.5, maximum: float = 10.0, factor: float = 2.0):
        self.initial, self.maximum, self.factor = initial, maximum, factor
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self.maximum, self._next * self.factor)
        return delay

    def reset(self) -> None:
        self._next = self.initial


class Subscribers:
    """A thread-safe list of callbacks. ``add`` returns the function that removes it again (idempotent);
    ``snapshot`` is the list to call, taken under the lock and called outside it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Callable] = []

    def add(self, listener: Callable) -> Callable[[], None]:
        with self._lock:
            self._items.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._items:
                    self._items.remove(listener)

        return unsubscribe

    def snapshot(self) -> list[Callable]:
        with self._lock:
            return list(self._items)


class HealthTracker:
    """Thread-safe holder of a device's health, notifying listeners when the state or reason changes."""

    def __init__(self, device: str, state: HealthState = HealthState.DISCONNECTED, reason: str = ""):
        self._lock = threading.Lock()
        self._health = Health(device, state, reason)
        self._listeners: list[Callable[[Health], None]] = []

    def get(self) -> Health:
        with self._lock:
            return self._health

    def set(self, state: HealthState, reason: str = "", **detail: object) -> Health:
        with self._lock:
            old = self._health
            if old.state == state and old.reason == reason and old.detail == detail:
                return old
            self._health = Health(old.device, state, reason, dict(detail))
            listeners = list(self._listeners)
            new = self._health
        for listener in listeners:
            listener(new)
        return new

    def subscribe(self, listener: Callable[[Health], None]) -> None:
        with self._lock:
            self._listeners.append(listener)
