"""A USB keyboard-type button or foot switch through Linux evdev (``/dev/input/by-id/…-event-kbd``).

The device is grabbed (``EVIOCGRAB``) so its key never reaches the kiosk UI; the configured key (or
``any``) counts, through :class:`PressLogic`. Auto-repeat (value 2) is ignored. When the device
disappears (unplug: ``ENODEV``) health goes to disconnected and the adapter reopens the same path with
backoff (use the stable ``/dev/input/by-id/`` name: event numbers change on replug).

Needs the ``evdev`` package (``pip install evdev``; builds against kernel headers). Without it, creating
the adapter raises :class:`~kiosk.devices.base.DeviceError` with that instruction.
"""

from __future__ import annotations

import contextlib
import errno
import select
from collections.abc import Callable
from typing import Any

from kiosk.config.devices import ButtonConfig
from kiosk.devices.base import Backoff, DeviceError, Reason
from kiosk.devices.button.adapter import ButtonDevice, DeviceGone, logic_for
from kiosk.devices.button.keys import evdev_code
from kiosk.devices.button.press import PressLogic

EV_KEY = 0x01
KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2
READ_WAIT_S = 0.02
MISSING = "evdev is not installed: pip install evdev"


def _open_input_device(path: str) -> Any:
    try:
        from evdev import InputDevice
    except ImportError as err:  # pragma: no cover - evdev is installed in CI
        raise DeviceError(MISSING) from err
    return InputDevice(path)


def key_edge(event_type: int, code: int, value: int, wanted: int | None) -> bool | None:
    """What one input event means for the button: True (down), False (up) or None (not ours / repeat)."""
    if event_type != EV_KEY or value == KEY_REPEAT:
        return None
    if wanted is not None and code != wanted:
        return None
    return value == KEY_DOWN


class EvdevButton(ButtonDevice):
    """The button's key on a grabbed evdev device. ``open_device(path)`` returns an InputDevice-like object."""

    def __init__(self, device: str, key: str, logic: PressLogic, *,
                 open_device: Callable[[str], Any] | None = None, backoff: Backoff | None = None):
        if open_device is None:
            try:
                import evdev  # noqa: F401
            except ImportError as err:
                raise DeviceError(MISSING) from err
        super().__init__(device, logic, backoff=backoff)
        self.device, self.key = device, key
        self.code = evdev_code(key)
        self._open_device = open_device or _open_input_device
        self.device_name = ""
        self._held: set[int] = set()

    @classmethod
    def from_config(cls, config: ButtonConfig) -> EvdevButton:
        assert config.device, "evdev buttons need a device"
        logic = logic_for(config, f"evdev {config.device}")
        return cls(config.device, config.key, logic).start()  # type: ignore[return-value]

    def _connect(self) -> Any:
        try:
            dev = self._open_device(self.device)
        except FileNotFoundError as err:
            raise DeviceGone(Reason("button.not_found", port=self.device)) from err
        except PermissionError as err:
            raise DeviceGone(Reason("button.evdev_permission", port=self.device)) from err
        except OSError as err:
            raise DeviceGone(Reason("button.lost", port=self.device, error=err)) from err
        try:
            if self.code is not None:
                keys = dev.capabilities().get(EV_KEY, [])
                if self.code not in keys:
                    raise DeviceGone(Reason("button.evdev_no_key", port=self.device, keyname=self.key))
            dev.grab()
        except OSError as err:
            dev.close()
            if err.errno == errno.EBUSY:
                raise DeviceGone(Reason("button.evdev_busy", port=self.device)) from err
            raise DeviceGone(Reason("button.lost", port=self.device, error=err)) from err
        except DeviceGone:
            dev.close()
            raise
        self.device_name = str(getattr(dev, "name", ""))
        self._held.clear()
        return dev

    def _serve(self, dev: Any) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([dev.fd], [], [], READ_WAIT_S)
                events = list(dev.read()) if ready else []
            except BlockingIOError:
                events = []
            except (OSError, ValueError) as err:  # ENODEV on unplug; ValueError if fd closed
                raise DeviceGone(Reason("button.unplugged", port=self.device)) from err
            now = self.logic.clock()
            for ev in events:
                edge = key_edge(ev.type, ev.code, ev.value, self.code)
                if edge is None:
                    continue
                # with key 'any', the button is down while any of its keys is held
                (self._held.add if edge else self._held.discard)(ev.code)
                self.logic.edge(bool(self._held), now)
            self.logic.tick(now)

    def _disconnect(self, dev: Any) -> None:
        with contextlib.suppress(OSError):  # already gone
            dev.ungrab()
        dev.close()

    def _describe_ok(self) -> Reason:
        return Reason("button.evdev_ok", port=self.device, name=self.device_name, keyname=self.key,
                  presses=self.logic.counted)
