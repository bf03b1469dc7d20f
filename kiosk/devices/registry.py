"""Maps a config's device ``type`` to the driver that serves it.

Drivers are named by import path and imported only when created, so config checks and the CLI stay
light. ``create(kind, section)`` returns a driver; an unknown kind or type raises
:class:`~kiosk.devices.base.UnknownDriverError` listing what exists.
"""

from __future__ import annotations

import importlib
from typing import Any

from kiosk.devices.base import UnknownDriverError

# kind -> type -> "module:factory"; each factory takes the device's config section.
DRIVERS: dict[str, dict[str, str]] = {
    "idcard": {"sam": "kiosk.devices.idcard.reader:SamReader.from_config"},
    "camera": {
        "opencv": "kiosk.devices.camera.source:OpenCvCamera.from_config",
        "simulator": "kiosk.devices.camera.simulator:SimulatedCamera.from_config",
    },
    "printer": {"escpos": "kiosk.devices.printer.driver:EscposPrinter.from_config"},
    "button": {
        "serial": "kiosk.devices.button.serial_button:SerialButton.from_config",
        "serial-contact": "kiosk.devices.button.serial_button:ContactButton.from_config",
        "evdev": "kiosk.devices.button.evdev_button:EvdevButton.from_config",
        "keyboard": "kiosk.devices.button.keyboard:KeyboardButton.from_config",
    },
}


def resolve(kind: str, type_: str) -> Any:
    """The factory for ``kind``/``type_``. Raises UnknownDriverError naming the choices."""
    if kind not in DRIVERS:
        raise UnknownDriverError(f"devices.{kind}: unknown device kind; expected one of {', '.join(DRIVERS)}")
    types = DRIVERS[kind]
    if type_ not in types:
        choices = ", ".join([*types, "none"])
        raise UnknownDriverError(f"devices.{kind}.type: unknown driver '{type_}'; expected one of {choices}")
    module_name, _, attr = types[type_].partition(":")
    target: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    return target


def create(kind: str, section: Any) -> Any | None:
    """A driver for a config section (``IdCardConfig``, …); ``None`` when its type is ``none``."""
    if section.type == "none":
        return None
    return resolve(kind, section.type)(section)
