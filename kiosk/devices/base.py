"""What every device shares: health, errors, reconnect backoff, and the device contract.

Drivers return data (an ``IdCard``, a frame, a ``CapturedDocument``, a ``PrinterStatus``, a
``ButtonEvent``), never widgets and never sentences: a problem is a :class:`Reason`, a code and its data
(``Reason("printer.paper_out")``, ``Reason("idcard.reader.timeout", seconds=3, command="read")``), and
whoever shows it (a screen, a command, the console) words it in its own language with
:func:`kiosk.i18n.say` (the code is the text's key in ``kiosk/locale``). Their I/O runs off the UI thread;
callbacks they invoke run on the driver's thread, and the app moves them onto the UI thread
(``kivy.clock.mainthread``).
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


class Reason:
    """What a device has to say, as data: ``code`` (the key of its text in ``kiosk/locale``, e.g.
    ``printer.paper_out``) and the values the text needs. A value may itself be a Reason (a cause).
    ``str()`` is a technical one-liner for logs; people get :func:`kiosk.i18n.say`."""

    __slots__ = ("code", "params")

    def __init__(self, code: str, /, **params: object):
        self.code = code
        self.params = params

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reason) and (self.code, self.params) == (other.code, other.params)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, str(v)) for k, v in self.params.items()))))

    def __repr__(self) -> str:
        return f"Reason({self.code!r}{''.join(f', {k}={v!r}' for k, v in self.params.items())})"

    def __str__(self) -> str:
        if not self.params:
            return self.code
        return f"{self.code}({', '.join(f'{k}={v}' for k, v in self.params.items())})"

    def as_dict(self) -> dict:
        """JSON-ready: ``{"code": …, "params": {name: text or a nested reason's dict}}``."""
        return {"code": self.code, "params": {k: v.as_dict() if isinstance(v, Reason) else str(v)
                                              for k, v in self.params.items()}}


Why = Reason | str  # a plain string only where no code fits (a library's own message, a test's stand-in)


@dataclass(frozen=True)
class Health:
    """A device's health at one moment. ``reason`` says what is wrong and what to do (a :class:`Reason`;
    ``""`` when nothing is)."""

    device: str
    state: HealthState
    reason: Why = ""
    detail: dict = field(default_factory=dict)
    since: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.state in (HealthState.CONNECTED, HealthState.DISABLED)

    def as_dict(self) -> dict:
        """JSON-ready; ``reason`` as :meth:`Reason.as_dict` (the console words it), or the plain text."""
        reason = self.reason.as_dict() if isinstance(self.reason, Reason) else self.reason
        return {"device": self.device, "state": self.state.value, "reason": reason,
                "detail": self.detail, "since": self.since}


class DeviceError(Exception):
    """A device failed. ``reason`` (a :class:`Reason`) names what went wrong and what to do about it;
    ``str(err)`` is its technical form (logs), :func:`kiosk.i18n.say` words it for people."""

    def __init__(self, reason: Why = "", *args: object):
        self.reason = reason
        super().__init__(reason, *args)

    def __str__(self) -> str:
        return str(self.reason)


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
    message: Why
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

    def __init__(self, device: str, state: HealthState = HealthState.DISCONNECTED, reason: Why = ""):
        self._lock = threading.Lock()
        self._health = Health(device, state, reason)
        self._listeners: list[Callable[[Health], None]] = []

    def get(self) -> Health:
        with self._lock:
            return self._health

    def set(self, state: HealthState, reason: Why = "", **detail: object) -> Health:
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
