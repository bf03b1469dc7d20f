"""One serial port speaking SAM frames: open and reopen with backoff, one command at a time, health.

:class:`SamLink` owns the pyserial port (a device path, ``socket://``, a pty, ``hwgrep://VID:PID`` to
re-find a USB adapter whose tty number changed). ``transact`` writes a request and returns the reply
frame within a timeout; ``command`` also checks SW3 and raises the matching error. Health: *connected*
after a good frame, *error* with the reason on timeouts, garbled data or a module fault (SW3 60/66),
*disconnected* when the port is gone. A port that fails is closed and reopened by the next command once
the backoff delay (0.5 s → 10 s) has passed; its input buffer is cleared on every (re)open.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kiosk.devices.base import Backoff, DeviceNotFound, DeviceTimeout, HealthState, HealthTracker, Reason
from kiosk.devices.idcard import errors as sw
from kiosk.devices.idcard.protocol import (
    Command,
    Frame,
    FrameLengthError,
    FrameParser,
    SamProtocolError,
    build_request,
)

log = logging.getLogger(__name__)
NAMES = {Command.RESET: "reset", Command.MODULE_STATUS: "module status", Command.MODULE_ID: "module id",
         Command.FIND: "find", Command.SELECT: "select", Command.READ: "read",
         Command.READ_APPENDED_ADDRESS: "read appended address", Command.READ_WITH_FINGERPRINT: "read (30 10)"}
_EXPECT = {Command.FIND: {sw.CARD_FOUND}, Command.READ_APPENDED_ADDRESS: {sw.SUCCESS, sw.ITEM_EMPTY}}
# The longest reply of each command, in bytes on the wire (30 10 with a 1024-byte fingerprint block; 30 03's
# 70-byte address; the 16-byte SAM id). A command's timeout is what the module itself may take; the wire
# time of this reply at the configured baud comes on top (2.4 s for 30 10 at 9600 baud, 0.2 s at 115200).
_REPLY_BYTES = {Command.READ: 1295, Command.READ_WITH_FINGERPRINT: 2321, Command.READ_APPENDED_ADDRESS: 81,
                Command.MODULE_ID: 27}
_SHORT_REPLY_BYTES = 20  # find (15), select (19), status, reset


def wire_time(command: Command, baud: int) -> float:
    """Seconds the longest reply to ``command`` takes on an 8N1 line at ``baud`` (10 bits a byte)."""
    return _REPLY_BYTES.get(command, _SHORT_REPLY_BYTES) * 10 / baud


def _port_errors() -> tuple[type[BaseException], ...]:
    """What a vanished port raises: SerialException, OSError, and termios.error (not an OSError)."""
    import serial

    errors: tuple[type[BaseException], ...] = (serial.SerialException, OSError)
    try:
        import termios
    except ImportError:  # Windows
        return errors
    return (*errors, termios.error)


class SamLink:
    """The port of one reader. ``lock`` serializes commands; hold it across a find → select → read."""

    def __init__(self, port: str, baud: int, command_timeout: float, tracker: HealthTracker,
                 backoff: Backoff | None = None):
        self.port, self.baud, self.command_timeout = port, baud, command_timeout
        self.lock = threading.RLock()
        self._tracker = tracker
        self._backoff = backoff or Backoff(0.5, 10.0)
        self._retry_at = 0.0
        self._last_open_error = ""
        self._serial: Any = None

    def retry_in(self) -> float:
        """Seconds until the next attempt to reopen a failed port (0 when open or due)."""
        return max(0.0, self._retry_at - time.monotonic()) if self._serial is None else 0.0

    def _ensure_open(self) -> Any:
        if self._serial is not None:
            return self._serial
        wait = self._retry_at - time.monotonic()
        if wait > 0:
            raise DeviceNotFound(Reason("idcard.reader.retry_later", problem=self._last_open_error,
                                        retry=Reason("idcard.reader.reconnecting", seconds=f"{wait:.1f}")))
        import serial

        ser = None
        try:
            ser = serial.serial_for_url(self.port, baudrate=self.baud, timeout=self.command_timeout,
                                        write_timeout=self.command_timeout, exclusive=True)
            ser.reset_input_buffer()  # whatever the module sent before we were listening
        except (*_port_errors(), ValueError) as err:
            if ser is not None:
                ser.close()
            self._retry_at = time.monotonic() + self._backoff.next_delay()
            self._last_open_error = Reason("idcard.reader.open_failed", port=self.port, detail=str(err))
            self._tracker.set(HealthState.DISCONNECTED, self._last_open_error)
            raise DeviceNotFound(self._last_open_error) from None
        self._serial = ser
        log.info("idcard reader opened %s at %d baud", self.port, self.baud)
        return ser

    def _drop(self, err: Exception) -> DeviceNotFound:
        """Closes a port that failed under us; the next command reopens it after a backoff delay."""
        self._close_port()
        self._retry_at = time.monotonic() + self._backoff.next_delay()
        reason = Reason("idcard.reader.disconnected", detail=str(err) or type(err).__name__)
        self._last_open_error = reason
        self._tracker.set(HealthState.DISCONNECTED, reason)
        log.warning("idcard reader %s lost: %s", self.port, err)
        return DeviceNotFound(reason)

    def close(self) -> None:
        with self.lock:
            self._close_port()

    def _close_port(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except Exception:  # closing a vanished port may fail in odd ways; it is closed either way
                log.debug("closing %s failed", self.port, exc_info=True)

    # --- one command ------------------------------------------------------------------------------------
    def transact(self, command: Command, timeout: float | None = None) -> Frame:
        """Sends ``command`` and returns the module's reply frame (any SW3). Raises DeviceError subclasses.
        ``timeout`` (default ``command_timeout``) is the module's own time; the reply's wire time is added."""
        import serial

        name = NAMES[command]
        limit = round((timeout or self.command_timeout) + wire_time(command, self.baud), 2)
        with self.lock:
            ser = self._ensure_open()
            try:
                ser.reset_input_buffer()
                ser.write(build_request(command))
                frame = self._receive(ser, limit, name)
            except serial.SerialTimeoutException as err:
                raise self._timeout(limit, name) from err
            except _port_errors() as err:
                raise self._drop(err) from None
            except DeviceTimeout:
                raise
            except SamProtocolError as err:
                err.reason = Reason("idcard.reader.garbled", detail=err.reason)  # add what to do
                self._tracker.set(HealthState.ERROR, err.reason)
                raise
        self._backoff.reset()
        code = frame.sw3
        if code in sw.MODULE_CODES:
            self._tracker.set(HealthState.ERROR, sw.describe(code), sw3=f"{code:02X}")
        else:
            self._tracker.set(HealthState.CONNECTED)
        log.debug("idcard %s → SW3 %02X", name, code)
        return frame

    def _timeout(self, seconds: float, name: str) -> DeviceTimeout:
        reason = Reason("idcard.reader.timeout", seconds=f"{seconds:g}", command=name)
        self._tracker.set(HealthState.ERROR, reason)
        return DeviceTimeout(reason)

    def _receive(self, ser: Any, limit: float, name: str) -> Frame:
        parser = FrameParser()
        deadline = time.monotonic() + limit
        noise: SamProtocolError | None = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if noise is not None:
                    raise noise
                raise self._timeout(limit, name)
            ser.timeout = remaining
            chunk = ser.read(parser.bytes_needed())
            if not chunk:
                continue
            parser.feed(chunk)
            while True:
                try:
                    frame = parser.next_frame()
                except FrameLengthError as err:  # noise that looked like a preamble: keep hunting
                    noise = err
                    continue
                if frame is None:
                    break
                if len(frame.body) < 3:
                    raise SamProtocolError(Reason("idcard.reader.unexpected", command=name,
                                                  detail=f"{len(frame.body)}-byte body has no SW1 SW2 SW3"))
                return frame

    def command(self, command: Command, timeout: float | None = None) -> Frame:
        """``transact`` plus the SW3 check: returns the frame when SW3 is the command's success code."""
        frame = self.transact(command, timeout)
        code = frame.sw3
        if code in _EXPECT.get(command, {sw.SUCCESS}):
            return frame
        if code in (sw.SUCCESS, sw.CARD_FOUND, sw.ITEM_EMPTY):
            raise SamProtocolError(Reason("idcard.reader.unexpected", command=NAMES[command],
                                          detail=f"SW3 {code:02X}"))
        raise sw.status_error(code, NAMES[command])

