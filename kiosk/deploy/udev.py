"""udev rules that find the kiosk's USB devices by vendor and product id (and serial number, when two
devices share a VID:PID), whatever ``/dev`` name a replug gives them: each gets a stable link
``/dev/kiosk/<name>`` and is made readable and writable by the kiosk's group only.

VID:PIDs come from ``--usb NAME=VID:PID[:SERIAL]`` and from the config itself (``hwgrep://VID:PID`` ports,
``usb:VID:PID`` printers). ``lsusb`` shows them; ``udevadm info -a /dev/ttyUSB0`` shows the serial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAMES = ("idcard", "printer", "button", "camera")
_USB = re.compile(r"^(?:0x)?([0-9A-Fa-f]{1,4}):(?:0x)?([0-9A-Fa-f]{1,4})(?::([A-Za-z0-9_.\-]{1,64}))?$")


@dataclass(frozen=True)
class UsbDevice:
    """One configured device. ``kind``: the kernel subsystem its node is in: ``tty`` (USB serial),
    ``usb`` (a raw USB printer), ``video4linux`` (a camera) or ``input`` (an evdev button)."""

    name: str
    vid: str
    pid: str
    kind: str
    serial: str | None = None

    @property
    def link(self) -> str | None:
        return None if self.kind == "usb" else f"/dev/kiosk/{self.name}"


def parse_usb(value: str) -> tuple[str, str, str, str | None]:
    """``NAME=VID:PID[:SERIAL]`` → (name, vid, pid, serial); raises ValueError saying what is expected."""
    name, _, ids = value.partition("=")
    m = _USB.match(ids)
    if name not in NAMES or not m:
        raise ValueError(f"--usb {value!r}: expected NAME=VID:PID[:SERIAL] with NAME one of {', '.join(NAMES)}, "
                         "VID and PID in hex as lsusb shows them, e.g. --usb idcard=1a86:7523")
    return name, m.group(1).lower().zfill(4), m.group(2).lower().zfill(4), m.group(3)


def kind_of(name: str, devices) -> str:
    """The subsystem of device ``name`` given the config's ``devices`` section."""
    if name == "camera":
        return "video4linux"
    if name == "button" and devices.button.type == "evdev":
        return "input"
    if name == "printer" and devices.printer.uri.startswith("usb:"):
        return "usb"
    return "tty"


def from_config(devices) -> list[tuple[str, str, str]]:
    """(name, vid, pid) the config names itself: ``hwgrep://VID:PID`` ports and ``usb:VID:PID`` printers."""
    found = []
    ports = {"idcard": devices.idcard.port if devices.idcard.type != "none" else "",
             "button": (devices.button.port or "") if devices.button.type in ("serial", "serial-contact") else ""}
    for name, port in ports.items():
        m = re.match(r"^hwgrep://(?:0x)?([0-9A-Fa-f]{4}):(?:0x)?([0-9A-Fa-f]{4})$", port)
        if m:
            found.append((name, m.group(1).lower(), m.group(2).lower()))
    if devices.printer.type == "escpos" and devices.printer.uri.startswith("usb:"):
        vid, pid = (p.lower().removeprefix("0x").zfill(4) for p in devices.printer.uri[4:].split(":"))
        found.append(("printer", vid, pid))
    return found


def rule(dev: UsbDevice, group: str) -> str:
    match = {"tty": 'SUBSYSTEM=="tty", ', "usb": 'SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ',
             "video4linux": 'SUBSYSTEM=="video4linux", ATTR{index}=="0", ',
             "input": 'SUBSYSTEM=="input", KERNEL=="event*", '}[dev.kind]
    attrs = "ATTR" if dev.kind == "usb" else "ATTRS"
    text = f'{match}{attrs}{{idVendor}}=="{dev.vid}", {attrs}{{idProduct}}=="{dev.pid}", '
    if dev.serial:
        text += f'{attrs}{{serial}}=="{dev.serial}", '
    if dev.link:
        text += f'SYMLINK+="{dev.link.removeprefix("/dev/")}", '
    return text + f'GROUP="{group}", MODE="0660"'


def rules_file(devices: list[UsbDevice], group: str) -> str:
    lines = ["# Written by `kiosk install`: the kiosk's USB devices by VID:PID, under the same name after a replug.",
             "# Change them with `kiosk install --usb NAME=VID:PID[:SERIAL]`; `lsusb` shows the ids."]
    for dev in devices:
        lines.append(f"# {dev.name}" + (f" -> {dev.link}" if dev.link else " (found by VID:PID by the driver)"))
        lines.append(rule(dev, group))
    return "\n".join(lines) + "\n"
