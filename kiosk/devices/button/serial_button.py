"""Serial call buttons over pyserial: any port URL works (``/dev/ttyUSB1``, ``socket://HOST:PORT``,
``loop://``, ``rfc2217://…``).

- :class:`SerialButton`: the button sends one byte per press (optionally only ``press_byte`` counts).
- :class:`ContactButton`: a dry contact between DTR (driven high) and an input line (CTS by default, or
  DSR / CD / RI), polled every 10 ms. On ``loop://`` pyserial reports RTS as CTS, so a test presses the
  contact by toggling ``rts`` on the driver's own port object (see ``open_port``); over the network
  ``rfc2217://`` carries the lines (:mod:`kiosk.devices.button.contact_simulator`).

Both reconnect with backoff after unplug (``SerialException`` / ``OSError``), clear stale input after
each (re)open, and report health; their threads stop within ~50 ms of ``close()``.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any

import serial

from kiosk.config.devices import ButtonConfig
from kiosk.devices.base import Backoff, HealthState, Reason
from kiosk.devices.button.adapter import ButtonDevice, DeviceGone, logic_for
from kiosk.devices.button.press import PressLogic

OpenPort = Callable[[str, int], Any]
POLL_S = 0.01
READ_TIMEOUT_S = 0.02
NO_LINES_OVER_SOCKET = ("socket:// carries no modem lines, so a dry contact cannot be read over it; "
                        "use a device path (/dev/ttyUSB1) or rfc2217://HOST:PORT (`kiosk simulate button --contact`)")
STUCK_S = 30.0  # a contact closed this long is jammed or shorted, not a resident holding it


def open_serial(url: str, baud: int, *, rts: bool | None = None, dtr: bool | None = None,
                timeout: float = READ_TIMEOUT_S) -> Any:
    """Opens a pyserial port for ``url``. Lines and timeout are set before opening: they never glitch, and
    changing them later costs a round trip on ``rfc2217://``."""
    port = serial.serial_for_url(url, baudrate=baud, timeout=timeout, do_not_open=True,
                                 exclusive=True if "://" not in url else None)
    if rts is not None:
        port.rts = rts
    if dtr is not None:
        port.dtr = dtr
    port.open()
    return port


def reason_for(port: str, err: BaseException) -> Reason:
    """Why opening or using ``port`` failed, as a reason a screen or command words."""
    text = str(err)
    code = getattr(err, "errno", None)
    if code == errno.ENOENT or "No such file" in text or "[Errno 2]" in text:
        return Reason("button.not_found", port=port)
    if code == errno.EACCES or "Permission denied" in text or "[Errno 13]" in text:
        return Reason("button.no_permission", port=port)
    if "Connection refused" in text or "[Errno 111]" in text:
        return Reason("button.refused", port=port)
    if code in (errno.EIO, errno.ENXIO, errno.ENODEV) or any(
            m in text for m in ("disconnected", "returned no data", "reader thread died", "[Errno 5]", "[Errno 6]", "[Errno 19]")):
        return Reason("button.unplugged", port=port)
    if code in (errno.ENOTTY, errno.EINVAL) or "Inappropriate ioctl" in text:
        return Reason("button.no_modem_lines", port=port)
    if code == errno.EBUSY or "exclusively lock" in text or "busy" in text.lower():
        return Reason("button.busy", port=port)
    return Reason("button.lost", port=port, error=text or type(err).__name__)


class _SerialAdapter(ButtonDevice):
    def __init__(self, port: str, logic: PressLogic, *, baud: int = 9600, open_port: OpenPort | None = None,
                 backoff: Backoff | None = None):
        super().__init__(port, logic, backoff=backoff)
        self.port, self.baud = port, baud
        self._open_port = open_port

    def _open(self) -> Any:
        raise NotImplementedError

    def _connect(self) -> Any:
        try:
            handle = self._open()
            handle.reset_input_buffer()
            return handle
        except (serial.SerialException, OSError, ValueError) as err:
            raise self._gone(err) from err

    def _gone(self, err: BaseException) -> DeviceGone:
        """The failure as health: a port without modem lines needs a person (ERROR), the rest may recover."""
        reason = reason_for(self.port, err)
        no_lines = reason.code == "button.no_modem_lines"
        return DeviceGone(reason, HealthState.ERROR if no_lines else HealthState.DISCONNECTED)

    def _disconnect(self, handle: Any) -> None:
        handle.close()


class SerialButton(_SerialAdapter):
    """A button that sends a byte per press. ``press_byte`` None counts any byte."""

    def __init__(self, port: str, logic: PressLogic, *, baud: int = 9600, press_byte: int | None = None,
                 open_port: OpenPort | None = None, backoff: Backoff | None = None):
        super().__init__(port, logic, baud=baud, open_port=open_port, backoff=backoff)
        self.press_byte = press_byte
        self.ignored_bytes = 0

    @classmethod
    def from_config(cls, config: ButtonConfig) -> SerialButton:
        assert config.port, "serial buttons need a port"
        logic = logic_for(config, f"serial {config.port}")
        return cls(config.port, logic, baud=config.baud, press_byte=config.press_byte).start()  # type: ignore[return-value]

    def _open(self) -> Any:
        return (self._open_port or open_serial)(self.port, self.baud)

    def _serve(self, handle: Any) -> None:
        while not self._stop.is_set():
            try:
                data = handle.read(max(1, handle.in_waiting))
            except (serial.SerialException, OSError) as err:
                raise DeviceGone(reason_for(self.port, err)) from err
            now = self.logic.clock()
            for byte in data:
                if self.press_byte is None or byte == self.press_byte:
                    self.logic.press(now)
                else:
                    self.ignored_bytes += 1


class ContactButton(_SerialAdapter):
    """A dry contact: DTR is driven high, ``line`` (cts/dsr/cd/ri) reads high while the contact is closed."""

    def __init__(self, port: str, logic: PressLogic, *, baud: int = 9600, line: str = "cts",
                 open_port: OpenPort | None = None, backoff: Backoff | None = None,
                 poll_s: float = POLL_S, stuck_s: float = STUCK_S):
        if line not in ("cts", "dsr", "cd", "ri"):
            raise ValueError(f"line '{line}' is not one of cts, dsr, cd, ri")
        if port.startswith("socket://"):
            raise ValueError(NO_LINES_OVER_SOCKET)
        super().__init__(port, logic, baud=baud, open_port=open_port, backoff=backoff)
        self.line, self.poll_s, self.stuck_s = line, poll_s, stuck_s
        self._closed_now = False
        self.samples = 0  # line readings taken so far (diagnostics; lets a test know a change was seen)

    @classmethod
    def from_config(cls, config: ButtonConfig) -> ContactButton:
        assert config.port, "contact buttons need a port"
        logic = logic_for(config, f"contact {config.line} {config.port}")
        return cls(config.port, logic, baud=config.baud, line=config.line).start()  # type: ignore[return-value]

    def _open(self) -> Any:
        if self._open_port is not None:
            handle = self._open_port(self.port, self.baud)
            handle.dtr = True
            handle.timeout = 0
        else:  # timeout 0: the read in _serve only notices a lost link (rfc2217, socket, USB unplug)
            handle = open_serial(self.port, self.baud, rts=False, dtr=True, timeout=0)
        try:
            getattr(handle, self.line)  # a port without modem lines (a pty) fails here, not later
        except (serial.SerialException, OSError):
            handle.close()
            raise
        return handle

    def _serve(self, handle: Any) -> None:
        self._closed_now, closed_since = False, 0.0
        while not self._stop.is_set():
            try:
                handle.read(max(1, handle.in_waiting))  # a contact sends no data; drop noise
                level = bool(getattr(handle, self.line))
            except (serial.SerialException, OSError) as err:
                raise self._gone(err) from err
            now = self.logic.clock()
            if level and not self._closed_now:
                closed_since = now
            self._closed_now = level
            self.logic.edge(level, now)
            self.logic.tick(now)
            self._report_stuck(level and now - closed_since >= self.stuck_s)
            self.samples += 1
            self._stop.wait(self.poll_s)

    @property
    def contact_closed(self) -> bool:
        """The line's level at the last reading (raw, before debouncing)."""
        return self._closed_now

    def _report_stuck(self, stuck: bool) -> None:
        """A contact closed for ``stuck_s`` is jammed or shorted: health ERROR until it opens again."""
        state = self.tracker.get().state
        if stuck and state is HealthState.CONNECTED:
            self.tracker.set(HealthState.ERROR, Reason("button.contact_stuck", port=self.port, line=self.line.upper(),
                                                   seconds=f"{self.stuck_s:g}"), port=self.port)
        elif not stuck and state is HealthState.ERROR:
            self.tracker.set(HealthState.CONNECTED, "", port=self.port)

    def _describe_ok(self) -> Reason:
        key = "button.contact_closed" if self._closed_now else "button.contact_open"
        return Reason(key, port=self.port, line=self.line.upper(), presses=self.logic.counted)
