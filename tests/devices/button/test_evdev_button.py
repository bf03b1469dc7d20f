"""EvdevButton. The evdev package is real; the input device is not (this machine has no /dev/input and
no /dev/uinput), so a small stand-in with a real pipe fd delivers real ``evdev.InputEvent`` objects."""

from __future__ import annotations

import contextlib
import errno
import os
import time

import pytest

evdev = pytest.importorskip("evdev")
from evdev import InputEvent, ecodes  # noqa: E402

from kiosk.devices.base import Backoff, HealthState  # noqa: E402
from kiosk.devices.button.evdev_button import EvdevButton, key_edge  # noqa: E402
from kiosk.devices.button.events import ButtonEvent, PressKind  # noqa: E402
from kiosk.devices.button.keys import evdev_code  # noqa: E402
from kiosk.devices.button.press import PressLogic  # noqa: E402
from kiosk.i18n import say, tr  # noqa: E402
from tests.devices.waiting import wait_for  # noqa: E402


class FakeInputDevice:
    """The part of ``evdev.InputDevice`` the adapter uses: fd, name, capabilities, grab, read, close."""

    def __init__(self, keys: list[int], name: str = "Foot Switch"):
        self.name = name
        self._keys = keys
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        self.fd = self._r
        self.pending: list[InputEvent] = []
        self.grabbed = False
        self.gone = False
        self.closed = False

    def capabilities(self) -> dict:
        return {ecodes.EV_KEY: list(self._keys)}

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        if self.gone:
            raise OSError(errno.ENODEV, "No such device")
        self.grabbed = False

    def emit(self, code: int, value: int) -> None:
        t = time.time()
        self.pending.append(InputEvent(int(t), int((t % 1) * 1e6), ecodes.EV_KEY, code, value))
        self.pending.append(InputEvent(int(t), 0, ecodes.EV_SYN, ecodes.SYN_REPORT, 0))
        os.write(self._w, b"x")

    def unplug(self) -> None:
        self.gone = True
        os.write(self._w, b"x")

    def read(self):
        if self.gone:
            raise OSError(errno.ENODEV, "No such device")
        with contextlib.suppress(BlockingIOError):
            os.read(self._r, 4096)
        events, self.pending = self.pending, []
        if not events:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        return iter(events)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._r)
            os.close(self._w)


class Opener:
    def __init__(self, keys: list[int]):
        self.keys = keys
        self.devices: list[FakeInputDevice] = []
        self.missing = False

    def __call__(self, path: str) -> FakeInputDevice:
        if self.missing:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        self.devices.append(FakeInputDevice(self.keys))
        return self.devices[-1]



def make(key: str = "F12", keys=(ecodes.KEY_F12, ecodes.KEY_A)):
    opener = Opener(list(keys))
    logic = PressLogic("evdev", debounce_ms=20, long_press_ms=300, min_interval_s=0)
    button = EvdevButton("/dev/input/by-id/usb-foot-event-kbd", key, logic, open_device=opener,
                         backoff=Backoff(0.05, 0.2)).start()
    got: list[ButtonEvent] = []
    button.subscribe(got.append)
    assert button.wait_connected(2), button.health()
    return button, got, opener


def test_grabs_the_device_and_counts_only_its_key():
    button, got, opener = make()
    try:
        dev = opener.devices[-1]
        assert dev.grabbed
        dev.emit(ecodes.KEY_A, 1)
        dev.emit(ecodes.KEY_A, 0)
        dev.emit(ecodes.KEY_F12, 1)
        time.sleep(0.06)
        dev.emit(ecodes.KEY_F12, 2)                  # auto-repeat ignored
        dev.emit(ecodes.KEY_F12, 0)
        assert wait_for(lambda: len(got) == 1)
        time.sleep(0.05)
        assert [e.kind for e in got] == [PressKind.PRESS]
        result = button.self_test()
        assert result.ok and "Foot Switch" in say(result.message)
    finally:
        button.close()
    assert opener.devices[-1].closed and not opener.devices[-1].grabbed


def test_long_press_while_held():
    button, got, opener = make()
    try:
        opener.devices[-1].emit(ecodes.KEY_F12, 1)
        assert wait_for(lambda: len(got) == 1)
        assert got[0].kind is PressKind.LONG_PRESS
    finally:
        button.close()


def test_any_key_of_a_dedicated_device():
    button, got, opener = make(key="any")
    try:
        dev = opener.devices[-1]
        dev.emit(ecodes.KEY_A, 1)
        dev.emit(ecodes.KEY_F12, 1)                  # second key while the first is held: same press
        dev.emit(ecodes.KEY_A, 0)
        time.sleep(0.05)
        dev.emit(ecodes.KEY_F12, 0)
        assert wait_for(lambda: len(got) == 1)
        assert got[0].held_s >= 0.04
    finally:
        button.close()


def test_unplug_and_replug():
    button, got, opener = make()
    try:
        opener.missing = True
        opener.devices[-1].unplug()
        assert wait_for(lambda: button.health().state is HealthState.DISCONNECTED)
        assert wait_for(lambda: say(button.health().reason) == tr("button.not_found", port=button.device))
        opener.missing = False
        assert wait_for(lambda: button.health().state is HealthState.CONNECTED)
        assert len(opener.devices) == 2 and opener.devices[-1].grabbed
        opener.devices[-1].emit(ecodes.KEY_F12, 1)
        time.sleep(0.05)
        opener.devices[-1].emit(ecodes.KEY_F12, 0)
        assert wait_for(lambda: len(got) == 1)
    finally:
        button.close()


def test_device_without_the_key_is_an_error_with_what_to_do():
    opener = Opener([ecodes.KEY_B])
    button = EvdevButton("/dev/input/event9", "F12", PressLogic("e"), open_device=opener,
                         backoff=Backoff(0.05, 0.2)).start()
    try:
        result = button.self_test(wait_s=2)
        assert not result.ok and say(result.message) == tr("button.evdev_no_key", port="/dev/input/event9", keyname="F12")
        assert opener.devices[0].closed
    finally:
        button.close()


def test_real_missing_device_path():
    button = EvdevButton("/dev/input/by-id/nothing-here", "F12", PressLogic("e")).start()
    try:
        result = button.self_test(wait_s=2)
        assert not result.ok and "nothing-here" in say(result.message)
    finally:
        button.close()


def test_key_names_map_to_linux_codes():
    assert evdev_code("F12") == ecodes.KEY_F12
    assert evdev_code("KEY_SPACE") == evdev_code("spacebar") == ecodes.KEY_SPACE
    assert evdev_code("BTN_0") == ecodes.BTN_0
    assert evdev_code("b") == ecodes.KEY_B
    assert evdev_code("any") is None
    with pytest.raises(ValueError, match="not a Linux key name"):
        evdev_code("F99")


def test_key_edge():
    assert key_edge(ecodes.EV_KEY, ecodes.KEY_F12, 1, ecodes.KEY_F12) is True
    assert key_edge(ecodes.EV_KEY, ecodes.KEY_F12, 0, ecodes.KEY_F12) is False
    assert key_edge(ecodes.EV_KEY, ecodes.KEY_F12, 2, ecodes.KEY_F12) is None
    assert key_edge(ecodes.EV_KEY, ecodes.KEY_A, 1, ecodes.KEY_F12) is None
    assert key_edge(ecodes.EV_SYN, 0, 0, None) is None
    assert key_edge(ecodes.EV_KEY, ecodes.KEY_A, 1, None) is True
