"""The ports a screenshot or UI test gives the kiosk instead of hardware: :class:`ShotDevices`, a device port
with chosen states that does no I/O (a screenshot never waits for hardware), and :class:`ShotVoice`, a voice
that remembers what it was asked to say. Used by :mod:`kiosk.screens.shots`, the demo, tests, benchmarks."""

from __future__ import annotations

from kiosk.devices.base import Health, HealthState, Reason, SelfTestResult

KINDS = ("idcard", "camera", "printer", "button")
SAMPLE_ID = "11010519491231002X"  # the sample resident's ID number: born 1949-12-31, 65 or older on any date
SAMPLE_MATTER = "pension-enrol"  # a matter of the packaged sample catalogue with several materials


class ShotDevices:
    """A device port with chosen states: ``missing`` kinds are disconnected, ``paper_out`` fails prints."""

    def __init__(self, missing: tuple[str, ...] = (), paper_out: bool = False):
        self.missing = set(missing)
        self.paper_out = paper_out
        self.printed: list = []
        self.controller = None

    def connect(self, controller) -> None:
        self.controller = controller

    def has(self, kind: str) -> bool:
        return kind not in self.missing

    def want_card(self, on: bool) -> None:
        pass

    def start_capture(self, material_id: str) -> None:
        pass

    def stop_capture(self) -> None:
        pass

    def shutter(self) -> None:
        pass

    def take_capture(self):
        return bytearray(b"\x01" * 64)

    def print_slip(self, slip) -> str | None:
        if self.paper_out or "printer" in self.missing:
            return "out of paper"
        self.printed.append(slip)
        return None

    def healths(self) -> list[Health]:
        out = []
        for kind in KINDS:
            if kind in self.missing or (kind == "printer" and self.paper_out):
                reason = Reason("printer.paper_out") if kind == "printer" else Reason("devices.not_answering")
                out.append(Health(kind, HealthState.ERROR, reason))
            else:
                out.append(Health(kind, HealthState.CONNECTED))
        return out

    def self_test(self, kind: str) -> SelfTestResult:
        ok = kind not in self.missing
        return SelfTestResult(kind, ok, Reason("devices.working") if ok else Reason("devices.not_answering"))

    def key(self, _name: str, _down: bool) -> bool:
        return False


class ShotVoice:
    """A voice that remembers what it was asked to say and says nothing (screenshots, UI tests)."""

    def __init__(self, volume: int = 70):
        self.volume = self.default_volume = volume
        self.said: list[tuple[str, str | None]] = []
        self.repeats = 0

    def say(self, text: str, key: str | None = None) -> None:
        if text:
            self.said.append((text, key))

    def repeat(self) -> None:
        self.repeats += 1

    def next_level(self) -> int:
        from kiosk.voice.engine import LEVELS

        higher = [v for v in LEVELS if v > self.volume]
        self.volume = higher[0] if higher else LEVELS[0]
        return self.volume

    def reset(self) -> None:
        self.volume = self.default_volume

    def close(self) -> None:
        pass
