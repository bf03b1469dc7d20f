"""What a valid config will still not do: the warnings of ``kiosk config check``.

The schema (:mod:`kiosk.config.settings`) rejects what can never work. These are settings that are
well-formed but will not work on this machine, or leave a part of the kiosk switched off: no queue token
(help requests wait in the outbox forever), no manager PIN (manager mode cannot be opened), a Windows port
name on Linux, a device path that does not exist right now, and (``holidays: …``) a year without a
holiday schedule starting within 60 days. Each is one ``field.path: …`` line.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from kiosk.config.settings import KioskConfig
from kiosk.hall_time import hall_today

_WINDOWS_PORT = re.compile(r"COM\d+", re.IGNORECASE)


def config_warnings(cfg: KioskConfig, platform: str = sys.platform,
                    exists: Callable[[str], bool] = os.path.exists, today: date | None = None) -> list[str]:
    """Every warning for ``cfg`` on ``platform`` (``sys.platform`` style); ``exists`` checks device paths;
    ``today`` (default: the hall's date, Beijing time) decides whether next year's holiday schedule is due."""
    from kiosk.catalog.workdays import schedule_warning  # noqa: PLC0415

    out: list[str] = []
    out += _queue(cfg)
    if not cfg.manager.pin_hash:
        out.append("manager.pin_hash: no manager PIN, so manager mode (device health, self-tests, outbox) "
                   "cannot be opened on the kiosk; set one: kiosk config hash-pin, then paste the hash here")
    devices = cfg.devices
    if devices.idcard.type == "sam":
        out += _port("devices.idcard.port", devices.idcard.port, "the card reader", platform, exists)
    if devices.button.type in ("serial", "serial-contact") and devices.button.port:
        out += _port("devices.button.port", devices.button.port, "the call button", platform, exists)
    if devices.button.type == "evdev" and devices.button.device and not exists(devices.button.device):
        out.append(f"devices.button.device: '{devices.button.device}' does not exist now (button unplugged, or "
                   "another name: see ls /dev/input/by-id/)")
    if devices.printer.type == "escpos":
        out += _printer(devices.printer.uri, platform, exists)
    if devices.camera.type == "opencv" and devices.camera.source.startswith("/dev/") and not exists(
            devices.camera.source):
        out.append(f"devices.camera.source: '{devices.camera.source}' does not exist now (camera unplugged, or "
                   "another name: see ls /dev/v4l/by-id/)")
    holidays = schedule_warning(today or hall_today())
    return out + ([holidays] if holidays else [])


def _queue(cfg: KioskConfig) -> list[str]:
    token_file = cfg.queue.token_file
    if cfg.queue.token:
        return []
    how = "create one with: kiosk queue add-kiosk --kiosk-id ID --site CODE, and name its file in token_file"
    if token_file is None:
        return [f"queue.token: no token (nor token_file), so the help-queue server will refuse this kiosk: "
                f"help requests wait in the outbox and no helper is called; {how}"]
    try:
        empty = not Path(token_file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as err:
        return [f"queue.token_file: '{token_file}' cannot be read ({err.__class__.__name__}); {how}"]
    return [f"queue.token_file: '{token_file}' is empty; {how}"] if empty else []


def _port(field: str, port: str, what: str, platform: str, exists: Callable[[str], bool]) -> list[str]:
    windows = platform.startswith("win")
    if _WINDOWS_PORT.fullmatch(port) and not windows:
        return [f"{field}: '{port}' is a Windows port name; on this system {what} is a device such as "
                "/dev/ttyUSB0 or /dev/ttyS0 (see ls /dev/serial/by-id/)"]
    if port.startswith("/dev/") and not windows and not exists(port):
        return [f"{field}: '{port}' does not exist now ({what} unplugged, or another name: see "
                "ls /dev/serial/by-id/)"]
    return []


def _printer(uri: str, platform: str, exists: Callable[[str], bool]) -> list[str]:
    scheme, _, rest = uri.partition(":")
    if scheme == "serial":
        return _port("devices.printer.uri", rest.split("?", 1)[0], "the printer", platform, exists)
    if scheme == "file":
        path = Path(rest)
        if path.is_absolute() and not exists(str(path.parent)):
            return [f"devices.printer.uri: folder '{path.parent}' does not exist, so '{rest}' cannot be written"]
    return []
