"""Validation of the port and printer addresses that appear in a kiosk's config.

Each function returns ``None`` when the value is good, else one sentence saying what is wrong and what
is expected; the schema turns that into a ``field.path: …`` error.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

SERIAL_SCHEMES = ("socket", "rfc2217", "loop", "hwgrep", "spy", "alt")
_HOST_PORT = re.compile(r"^\[?[A-Za-z0-9.\-:]+\]?:(\d+)$")


def _host_port_problem(value: str, text: str, example: str) -> str | None:
    """Why ``text`` (what follows the scheme) is not HOST:PORT with a usable port, or None."""
    m = _HOST_PORT.match(text)
    if not m:
        return f"'{value}' needs HOST:PORT, e.g. {example}"
    if not 0 < int(m.group(1)) < 65536:
        return f"'{value}' has port {int(m.group(1))}, out of range; a port is 1–65535, e.g. {example}"
    return None


def check_http_url(value: str) -> str | None:
    """The help-queue server: ``http(s)://HOST[:PORT][/path]`` with a port in range."""
    example = "http://10.0.0.5:8600"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"'{value}' is not an http(s) URL; expected e.g. {example}"
    try:
        port = parts.port
    except ValueError:  # urllib: a port that is not a number, or out of 0–65535
        raw = parts.netloc.rsplit(":", 1)[-1]
        return (f"'{value}' has port {raw}, out of range; a port is 1–65535, e.g. {example}" if raw.isdigit()
                else f"'{value}' has a port that is not a number; expected e.g. {example}")
    if port == 0:
        return f"'{value}' has port 0; a port is 1–65535, e.g. {example}"
    if not parts.hostname:
        return f"'{value}' has no host; expected e.g. {example}"
    return None


def check_serial_url(value: str) -> str | None:
    """A pyserial port: a device path (/dev/ttyUSB0, COM3) or a URL (socket://host:port, loop://, …)."""
    if not value:
        return "is empty; expected a device path like /dev/ttyUSB0 or a URL like socket://127.0.0.1:7101"
    if "://" not in value:
        if value.startswith("/") or re.fullmatch(r"COM\d+", value, re.IGNORECASE):
            return None
        return f"'{value}' is neither a device path (/dev/…, COMn) nor a URL (socket://HOST:PORT, loop://)"
    scheme, rest = value.split("://", 1)
    if scheme not in SERIAL_SCHEMES:
        return f"'{value}' has unknown scheme '{scheme}'; expected one of {', '.join(SERIAL_SCHEMES)}"
    if scheme in ("socket", "rfc2217"):
        return _host_port_problem(value, rest.split("?", 1)[0].rstrip("/"), f"{scheme}://127.0.0.1:7101")
    return None


def check_printer_uri(value: str) -> str | None:
    """A printer: file:PATH, tcp://HOST:PORT, serial:DEVICE?baudrate=N or usb:VID:PID (hex)."""
    expected = "expected file:PATH, tcp://HOST:PORT, serial:DEVICE?baudrate=N or usb:VID:PID"
    if not value or ":" not in value:
        return f"'{value}' is not a printer address; {expected}"
    scheme, rest = value.split(":", 1)
    if scheme == "file":
        return None if rest else f"'{value}' needs a path after file:"
    if scheme == "tcp":
        if not rest.startswith("//"):
            return f"'{value}' needs tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100"
        return _host_port_problem(value, rest[2:].rstrip("/"), "tcp://192.168.1.50:9100")
    if scheme == "serial":
        parts = urlsplit("serial://x/" + rest) if "?" in rest else None
        device = rest.split("?", 1)[0]
        if not device:
            return f"'{value}' needs a device after serial:, e.g. serial:/dev/ttyUSB0?baudrate=9600"
        if parts is not None:
            query = parse_qs(parts.query)
            unknown = set(query) - {"baudrate", "dsrdtr", "timeout"}
            if unknown:
                return f"'{value}' has unknown option(s) {', '.join(sorted(unknown))}; expected baudrate, dsrdtr"
            if "baudrate" in query and not query["baudrate"][0].isdigit():
                return f"'{value}' baudrate must be a number, e.g. baudrate=9600"
        return None
    if scheme == "usb":
        if re.fullmatch(r"(0x)?[0-9A-Fa-f]{1,4}:(0x)?[0-9A-Fa-f]{1,4}", rest):
            return None
        return f"'{value}' needs usb:VID:PID in hex, e.g. usb:0416:5011"
    return f"'{value}' has unknown scheme '{scheme}'; {expected}"
