"""The kiosk's devices in one place: creates every configured device, survives the ones that fail, and
reports their health for heartbeats and the manager screen (self-tests: :mod:`kiosk.devices.self_test`).

``DeviceHub(config)`` creates each device through :mod:`kiosk.devices.registry`, one after the other
(driver imports are not thread-safe in numpy / OpenCV) and each within ``create_timeout_s``. A device
that cannot be created (driver missing, bad port, exception, hang) gets an ERROR health with the
reason; the others still work. ``health()`` always lists the four kinds in the same order (``DISABLED``
for type ``none``). ``subscribe_health(cb)`` calls ``cb(Health)``
whenever a device's state or reason changes (pushed by drivers that offer ``subscribe_health``, and
polled every ``poll_s`` for the rest). ``self_test_all()`` runs every self-test in parallel with a
timeout each, so a hung device cannot hang the caller. Callbacks run on the hub's or a driver's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.config.devices import DevicesConfig
from kiosk.devices import registry
from kiosk.devices.base import Device, DeviceError, Health, HealthState, Reason, Subscribers, Why
from kiosk.devices.self_test import DeviceReport, Slot, self_test_slot, self_test_slots

__all__ = ["KINDS", "DeviceHub", "DeviceReport", "describe_error"]

log = logging.getLogger(__name__)
KINDS = ("idcard", "camera", "printer", "button")
HealthListener = Callable[[Health], None]


def describe_error(kind: str, type_: str, err: BaseException) -> Why:
    """A reason for a device that could not be created."""
    if isinstance(err, ModuleNotFoundError | ImportError):
        return Reason("devices.driver_missing", kind=kind, type=type_, error=str(err))
    if isinstance(err, DeviceError):
        return err.reason
    return Reason("devices.create_failed", kind=kind, error=f"{type(err).__name__}: {err}")


class DeviceHub:
    """All configured devices. ``create`` is :func:`registry.create` unless a test gives another."""

    def __init__(self, config: DevicesConfig, *, create: Callable[[str, Any], Any] | None = None,
                 create_timeout_s: float = 10.0, poll_s: float | None = 1.0):
        self._lock = threading.Lock()
        self._listeners = Subscribers()
        self._last: dict[str, tuple[HealthState, Why]] = {}
        self._closed = threading.Event()
        self._slots = {kind: Slot(kind, getattr(config, kind).type) for kind in KINDS}
        factories = self._factories(create)
        for slot in self._slots.values():
            if slot.kind in factories:
                self._make(slot, factories[slot.kind], getattr(config, slot.kind), create_timeout_s)
        for health in self.health():
            self._last[health.device] = (health.state, health.reason)
        self._monitor: threading.Thread | None = None
        if poll_s:
            self._monitor = threading.Thread(target=self._poll, args=(poll_s,), name="hub-health", daemon=True)
            self._monitor.start()

    # -- creation ------------------------------------------------------------------------------------
    def _factories(self, create: Callable[[str, Any], Any] | None) -> dict[str, Callable[[Any], Any]]:
        """Each enabled kind's factory. The driver modules are imported here, one after the other on the
        caller's thread: importing numpy / OpenCV / PIL from several threads at once can fail with
        "partially initialized module" errors."""
        out: dict[str, Callable[[Any], Any]] = {}
        for slot in self._slots.values():
            if slot.type == "none":
                continue
            if create is not None:
                out[slot.kind] = lambda section, kind=slot.kind: create(kind, section)
                continue
            try:
                out[slot.kind] = registry.resolve(slot.kind, slot.type)
            except Exception as err:
                slot.error = describe_error(slot.kind, slot.type, err)
                log.error("%s driver unavailable: %s", slot.kind, slot.error)
        return out

    def _make(self, slot: Slot, factory: Callable[[Any], Any], section: Any, timeout: float) -> None:
        """Creates one device within ``timeout`` (one at a time: a driver may import more as it starts)."""
        lock, box, abandoned = threading.Lock(), [], []

        def create() -> None:
            try:
                result: Any = factory(section)
            except BaseException as err:  # reported below, never lost
                result = err
            with lock:
                if not abandoned:
                    box.append(result)
                    return
            if result is not None and not isinstance(result, BaseException):  # came too late: release it
                self._close_one(Slot(slot.kind, slot.type, result))

        thread = threading.Thread(target=create, name=f"create-{slot.kind}", daemon=True)
        thread.start()
        thread.join(timeout)
        with lock:
            if not box:
                abandoned.append(True)
                slot.error = Reason("devices.create_timeout", kind=slot.kind, seconds=f"{timeout:g}")
                log.error("%s: %s", slot.kind, slot.error)
                return
            result = box[0]
        if isinstance(result, BaseException):
            slot.error = describe_error(slot.kind, slot.type, result)
            log.error("%s could not be created: %s", slot.kind, slot.error)
            return
        slot.device = result
        if result is not None and hasattr(result, "subscribe_health"):
            try:
                result.subscribe_health(lambda _health, kind=slot.kind: self._pushed(kind))
            except Exception:
                log.debug("%s: subscribe_health failed; polling only", slot.kind, exc_info=True)

    # -- access --------------------------------------------------------------------------------------
    def get(self, kind: str) -> Any | None:
        """The driver for ``kind`` (``idcard``, ``camera``, ``printer``, ``button``), or None."""
        return self._slots[kind].device

    @property
    def devices(self) -> dict[str, Device]:
        return {k: s.device for k, s in self._slots.items() if s.device is not None}

    @property
    def button(self) -> Any | None:
        return self.get("button")

    # -- health --------------------------------------------------------------------------------------
    def device_health(self, kind: str) -> Health:
        slot = self._slots[kind]
        if slot.type == "none":
            return Health(kind, HealthState.DISABLED, Reason("devices.disabled"))
        if slot.device is None:
            return Health(kind, HealthState.ERROR, slot.error or Reason("devices.not_created", kind=kind))
        try:
            health = slot.device.health()
        except Exception as err:
            return Health(kind, HealthState.ERROR, Reason("devices.health_failed", error=str(err)))
        return health if health.device == kind else Health(kind, health.state, health.reason, health.detail,
                                                           health.since)

    def health(self) -> list[Health]:
        """Every device's last known health, in the order idcard, camera, printer, button. Never blocks."""
        return [self.device_health(kind) for kind in KINDS]

    def subscribe_health(self, listener: HealthListener) -> Callable[[], None]:
        """Calls ``listener(health)`` when a device's state or reason changes. Returns unsubscribe."""
        return self._listeners.add(listener)

    def _pushed(self, kind: str) -> None:
        self._changed(self.device_health(kind))

    def _changed(self, health: Health) -> None:
        key = (health.state, health.reason)
        with self._lock:
            if self._closed.is_set() or self._last.get(health.device) == key:
                return
            self._last[health.device] = key
            listeners = self._listeners.snapshot()
        for listener in listeners:
            try:
                listener(health)
            except Exception:
                log.exception("health listener failed")

    def _poll(self, interval: float) -> None:
        while not self._closed.wait(interval):
            for health in self.health():
                self._changed(health)

    # -- self-tests ----------------------------------------------------------------------------------
    def self_test(self, kind: str, timeout_s: float = 8.0) -> DeviceReport:
        """Self-tests one device (the manager screen's button) within ``timeout_s``; never raises."""
        return self_test_slot(self._slots[kind], timeout_s)

    def self_test_all(self, timeout_s: float = 8.0) -> list[DeviceReport]:
        """Self-tests every device in parallel, each within ``timeout_s``; one report per kind, in order."""
        return self_test_slots(list(self._slots.values()), timeout_s)

    # -- shutdown ------------------------------------------------------------------------------------
    def close(self, timeout_s: float = 3.0) -> None:
        """Stops health monitoring and closes every device (each within ``timeout_s``); idempotent."""
        if self._closed.is_set():
            return
        self._closed.set()
        threads = []
        for slot in self._slots.values():
            if slot.device is not None:
                thread = threading.Thread(target=self._close_one, args=(slot,), daemon=True)
                thread.start()
                threads.append(thread)
        deadline = time.monotonic() + timeout_s
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._monitor is not None:
            self._monitor.join(timeout_s)

    @staticmethod
    def _close_one(slot: Slot) -> None:
        try:
            slot.device.close()
        except Exception:
            log.exception("closing %s failed", slot.kind)

    def __enter__(self) -> DeviceHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
