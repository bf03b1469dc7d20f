"""Device self-tests with a time limit each, and their reports (one line of ``kiosk devices check``, the
manager screen's self-test button, the heartbeat's device list). A hung device never hangs the caller:
each test runs on its own daemon thread and is reported as timed out when it does not finish.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.devices.base import Reason, SelfTestResult, Why


@dataclass(frozen=True)
class DeviceReport:
    """One line of a device check: ``status`` is ``ok``, ``warn`` (works; the message says what to look
    at), ``fail`` or ``disabled``."""

    device: str
    type: str
    status: str
    message: Why
    ms: float = 0.0

    @property
    def passed(self) -> bool:
        """The check passes: OK, WARN or disabled."""
        return self.status != "fail"

    @property
    def ok(self) -> bool:
        """The device works (as :attr:`SelfTestResult.ok`); False for failing and disabled devices."""
        return self.status in ("ok", "warn")

    def as_dict(self) -> dict:
        """JSON-ready; ``message`` is the reason's code and data (:meth:`Reason.as_dict`) or plain text."""
        message = self.message.as_dict() if isinstance(self.message, Reason) else self.message
        return {"device": self.device, "type": self.type, "status": self.status, "message": message,
                "ms": round(self.ms, 1)}


@dataclass
class Slot:
    """One configured kind in the hub: its type, the device once created, or why it could not be."""

    kind: str
    type: str
    device: Any = None
    error: Why = ""


def run_with_timeout(fn: Callable[[], Any], timeout: float, name: str) -> tuple[bool, Any]:
    """Runs ``fn`` on a daemon thread. Returns (finished, result-or-exception)."""
    box: list[Any] = []

    def target() -> None:
        try:
            box.append(fn())
        except BaseException as err:  # reported to the caller, never lost
            box.append(err)

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    thread.join(timeout)
    return (bool(box), box[0] if box else None)


def self_test_slot(slot: Slot, timeout_s: float) -> DeviceReport:
    """Self-tests one slot's device within ``timeout_s``; never raises."""
    if slot.type == "none":
        return DeviceReport(slot.kind, slot.type, "disabled", Reason("devices.disabled"))
    if slot.device is None:
        return DeviceReport(slot.kind, slot.type, "fail", slot.error or Reason("devices.not_created", kind=slot.kind))
    start = time.monotonic()
    finished, result = run_with_timeout(slot.device.self_test, timeout_s, f"self-test-{slot.kind}")
    ms = (time.monotonic() - start) * 1000
    if not finished:
        return DeviceReport(slot.kind, slot.type, "fail", Reason("devices.timeout", seconds=f"{timeout_s:g}"), ms)
    if isinstance(result, BaseException):
        return DeviceReport(slot.kind, slot.type, "fail", Reason("devices.self_test_failed", error=str(result)), ms)
    if not isinstance(result, SelfTestResult):
        return DeviceReport(slot.kind, slot.type, "fail", Reason("devices.self_test_failed", error=repr(result)), ms)
    status = ("warn" if result.warning else "ok") if result.ok else "fail"
    return DeviceReport(slot.kind, slot.type, status, result.message, result.ms or ms)


def self_test_slots(slots: list[Slot], timeout_s: float) -> list[DeviceReport]:
    """Self-tests every slot in parallel, each within ``timeout_s``; one report per slot, in their order."""
    reports: dict[str, DeviceReport] = {}

    def one(slot: Slot) -> None:
        reports[slot.kind] = self_test_slot(slot, timeout_s)

    threads = [threading.Thread(target=one, args=(slot,), daemon=True) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout_s + 1)
    late = Reason("devices.timeout", seconds=f"{timeout_s:g}")
    return [reports.get(s.kind) or DeviceReport(s.kind, s.type, "fail", late, timeout_s * 1000) for s in slots]
