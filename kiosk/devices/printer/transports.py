"""Printer addresses → python-escpos transports, and bounded reads of the printer's replies.

URIs (as in the config and the CLI):

- ``file:PATH``: write the bytes to a file or a device node (``file:/dev/usb/lp0``); no status channel.
- ``tcp://HOST:PORT``: a network printer's raw port (usually 9100), or the simulator.
- ``serial:DEVICE?baudrate=N[&dsrdtr=0][&timeout=S]``: a serial printer; ``dsrdtr=0`` for 3-wire cables
  (with DSR/DTR flow control on such a cable every write blocks).
- ``usb:VID:PID`` (hex): a USB printer through pyusb + libusb; its bulk endpoints are taken from its
  descriptors (:func:`choose_endpoints`), not python-escpos's fixed 0x82 / 0x01.

:func:`open_transport` returns an opened python-escpos printer object (``Network``, ``Serial``, ``File``,
``Usb``) with ``profile=``. :func:`read_reply` reads a status reply with its own short deadline, never
python-escpos's 60 s network default. Every failure is a :class:`~kiosk.devices.base.DeviceError` whose
message says what was wrong and what to do.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from kiosk.config.uris import check_printer_uri
from kiosk.devices.base import DeviceError, DeviceNotFound, Reason
from kiosk.printing.escpos_render import prepare_escpos_import

log = logging.getLogger(__name__)
SERIAL_WRITE_TIMEOUT_S = 10.0  # a 1.5 KB slip takes 1.6 s at 9600 baud; a raster line more


class PrinterAddressError(DeviceError, ValueError):
    """The printer URI is malformed."""


class MissingDependency(DeviceError):
    """A transport needs an optional package that is not installed."""


class NoStatusChannel(DeviceError):
    """The transport cannot read replies (``file:``), so the status is unknown."""


class ConnectionClosed(DeviceError):
    """The printer closed the connection (switched off, unplugged, restarted)."""


@dataclass(frozen=True)
class PrinterAddress:
    """A parsed printer URI: ``kind`` is file, tcp, serial or usb; ``options`` holds its settings."""

    uri: str
    kind: str
    target: str
    options: dict[str, Any] = field(default_factory=dict)


def parse_uri(uri: str) -> PrinterAddress:
    """Parses a printer URI; raises PrinterAddressError naming what is wrong and what is expected."""
    problem = check_printer_uri(uri)
    if problem:
        raise PrinterAddressError(f"printer address {problem}")
    scheme, rest = uri.split(":", 1)
    if scheme == "file":
        return PrinterAddress(uri, "file", rest)
    if scheme == "tcp":
        host, _, port = rest[2:].rstrip("/").rpartition(":")
        return PrinterAddress(uri, "tcp", host.strip("[]"), {"port": int(port)})
    if scheme == "serial":
        device, _, query = rest.partition("?")
        q = {k: v[-1] for k, v in parse_qs(query).items()}
        options: dict[str, Any] = {"baudrate": int(q.get("baudrate", 9600))}
        if "dsrdtr" in q:
            if q["dsrdtr"].lower() not in ("0", "1", "true", "false"):
                raise PrinterAddressError(f"printer address '{uri}': dsrdtr must be 0 or 1")
            options["dsrdtr"] = q["dsrdtr"].lower() in ("1", "true")
        if "timeout" in q:
            try:
                options["timeout"] = float(q["timeout"])
            except ValueError:
                raise PrinterAddressError(f"printer address '{uri}': timeout must be seconds, e.g. 1") from None
        return PrinterAddress(uri, "serial", device, options)
    vid, pid = (int(part, 16) for part in rest.split(":"))
    return PrinterAddress(uri, "usb", rest, {"vid": vid, "pid": pid})


def open_transport(address: PrinterAddress | str, profile: str | None = None,
                   connect_timeout: float = 3.0) -> Any:
    """An opened python-escpos printer for ``address``. Raises DeviceNotFound when nothing is there,
    MissingDependency when pyusb is missing, PrinterAddressError for a bad URI or profile."""
    addr = parse_uri(address) if isinstance(address, str) else address
    prepare_escpos_import()
    kwargs: dict[str, Any] = {"profile": profile} if profile else {}
    try:
        printer = _make(addr, kwargs, connect_timeout)
    except DeviceError:
        raise
    except Exception as exc:  # python-escpos: unknown profile names raise its NotSupported
        if profile and "profile" in str(exc).lower() or type(exc).__name__ == "NotSupported":
            raise PrinterAddressError(f"printer profile '{profile}' is unknown to python-escpos; "
                                      f"use e.g. TM-T20II, ZJ-5870 or POS-5890") from exc
        raise
    try:
        printer.open(raise_not_found=True)
    except Exception as exc:
        raise DeviceNotFound(_not_found(addr, exc)) from exc
    if addr.kind == "tcp":  # a 3-byte DLE EOT after a slip must not wait ~40 ms for Nagle + delayed ACK
        printer.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if addr.kind == "serial":  # with DSR/DTR flow control on a 3-wire cable a write would block for ever
        printer.device.write_timeout = SERIAL_WRITE_TIMEOUT_S
    if addr.kind == "usb":
        use_device_endpoints(printer)
    return printer


Endpoints = list[tuple[int, int]]  # (bEndpointAddress, bmAttributes)
_PRINTER_CLASS, _BULK = 7, 2


def choose_endpoints(interfaces: list[tuple[int, int, Endpoints]]) -> tuple[int, int | None, int] | None:
    """(interface number, bulk IN or None, bulk OUT) from (number, class, endpoints) of each interface: a
    printer-class interface first, else the first with a bulk OUT endpoint; None when none has one.

    python-escpos's ``Usb`` writes to 0x01 and reads 0x82 whatever the printer has; Chinese 58 mm printers use
    other endpoints ("Invalid endpoint address": python-escpos issues #636 for 0416:5011, #646 for 0483:5743).
    DantSu/ESCPOS-ThermalPrinter-Android looks for the bulk OUT endpoint the same way (its PR #28)."""
    ordered = sorted(interfaces, key=lambda i: i[1] != _PRINTER_CLASS)
    for number, _cls, endpoints in ordered:
        bulk = [address for address, attributes in endpoints if attributes & 0x03 == _BULK]
        out = next((a for a in bulk if not a & 0x80), None)
        if out is not None:
            return number, next((a for a in bulk if a & 0x80), None), out
    return None


def use_device_endpoints(printer: Any) -> None:
    """Points an opened python-escpos ``Usb`` printer at the endpoints its descriptors name (unchanged when
    they name no bulk OUT endpoint). An interface without a bulk IN endpoint leaves ``in_ep`` None: no status."""
    try:
        interfaces = [(intf.bInterfaceNumber, intf.bInterfaceClass,
                       [(ep.bEndpointAddress, ep.bmAttributes) for ep in intf])
                      for intf in printer.device.get_active_configuration()]
    except Exception as exc:  # pyusb USBError: keep python-escpos's endpoints; a write then says what failed
        log.warning("printer: cannot read the USB descriptors (%s); using endpoints 0x%02X / 0x%02X",
                    exc, printer.in_ep, printer.out_ep)
        return
    chosen = choose_endpoints(interfaces)
    if chosen is not None:
        _number, printer.in_ep, printer.out_ep = chosen


def _make(addr: PrinterAddress, kwargs: dict[str, Any], connect_timeout: float) -> Any:
    if addr.kind == "tcp":
        from escpos.printer import Network

        return Network(addr.target, addr.options["port"], timeout=connect_timeout, **kwargs)
    if addr.kind == "file":
        from escpos.printer import File

        return File(addr.target, auto_flush=True, **kwargs)
    if addr.kind == "serial":
        from escpos.printer import Serial

        return Serial(addr.target, baudrate=addr.options["baudrate"], timeout=addr.options.get("timeout", 1),
                      dsrdtr=addr.options.get("dsrdtr", True), **kwargs)
    try:
        import usb.core  # noqa: F401
    except ImportError:
        raise MissingDependency(
            f"printer address '{addr.uri}' needs pyusb: pip install pyusb, and libusb "
            "(apt-get install libusb-1.0-0); or connect the printer by serial or network") from None
    from escpos.printer import Usb

    return Usb(addr.options["vid"], addr.options["pid"], timeout=int(connect_timeout * 1000), **kwargs)


def _not_found(addr: PrinterAddress, exc: Exception) -> Reason:
    """What to check (a reason per transport), followed by the transport's own words for technicians."""
    where = f"{addr.target}:{addr.options.get('port')}" if addr.kind == "tcp" else addr.target
    detail = " ".join(str(exc).split())[:160]
    return Reason("printer.not_found.with_detail", text=Reason(f"printer.not_found.{addr.kind}", where=where),
                  detail=detail)


def write(printer: Any, data: bytes) -> None:
    """Sends ``data``; raises ConnectionClosed (connection gone) or DeviceError (other write failure)."""
    try:
        printer._raw(data)
    except (BrokenPipeError, ConnectionError) as exc:
        raise ConnectionClosed(f"printer: the connection was closed while printing ({exc})") from exc
    except (OSError, AssertionError) as exc:
        raise DeviceError(f"printer: write failed ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pyserial SerialException / SerialTimeoutException, pyusb USBError
        hint = ""
        if type(exc).__name__ == "SerialTimeoutException":
            hint = "; the printer took no data: check it is on, and for a 3-wire cable add dsrdtr=0 to the address"
        raise DeviceError(f"printer: write failed ({exc.__class__.__name__}: {exc}){hint}") from exc


def read_reply(printer: Any, timeout: float) -> bytes:
    """Up to 16 reply bytes, waiting at most ``timeout`` s; ``b''`` when nothing came.

    Raises NoStatusChannel for transports that cannot read (file:), ConnectionClosed when the peer
    closed the connection.
    """
    kind = type(printer).__name__
    device = printer.device
    if kind == "Network":
        device.settimeout(timeout)
        try:
            data = device.recv(16)
        except TimeoutError:
            return b""
        except OSError as exc:
            raise ConnectionClosed(f"printer: connection lost ({exc})") from exc
        finally:
            device.settimeout(printer.timeout)
        if not data:
            raise ConnectionClosed("printer: the printer closed the connection")
        return data
    if kind == "Serial":
        old = device.timeout
        device.timeout = timeout
        try:
            return device.read(1)
        finally:
            device.timeout = old
    if kind == "Usb" and printer.in_ep is None:
        raise NoStatusChannel("printer: this USB printer has no IN endpoint (a one-way printer); status is unknown")
    if kind == "Usb":
        import usb.core

        try:
            return bytes(device.read(printer.in_ep, 16, max(1, int(timeout * 1000))))
        except usb.core.USBTimeoutError:
            return b""
    raise NoStatusChannel(f"printer: a {kind} transport has no status channel; status is unknown")


def drain(printer: Any) -> None:
    """Discards reply bytes already waiting (late answers, automatic status), without waiting."""
    kind = type(printer).__name__
    if kind == "Network":
        device = printer.device
        device.setblocking(False)
        try:
            while device.recv(64):
                pass
        except (BlockingIOError, InterruptedError, OSError):
            pass
        finally:
            device.settimeout(printer.timeout)
    elif kind == "Serial":
        printer.device.reset_input_buffer()
