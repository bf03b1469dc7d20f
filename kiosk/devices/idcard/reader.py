"""The resident ID card reader driver: SAM frames over pyserial (a device path, ``socket://``, a pty…).

``SamReader`` does find → select → read (30 01, or 30 10 with fingerprint data, then 30 03 for an
appended address) and returns an :class:`~kiosk.devices.idcard.card.IdCard`. Commands are serialized
by a lock, each with its own timeout (``read_timeout`` for the read reply, ``command_timeout`` for the
rest). Health: *connected* after a good frame, *error* with the reason on timeouts, garbled data or a
module fault (SW3 60/66), *disconnected* when the port is gone; the port is reopened with backoff
(0.5 s → 10 s) and its input buffer cleared. Card data is never logged.

Errors raised (all :class:`~kiosk.devices.base.DeviceError`): ``DeviceNotFound`` (port missing or
unplugged), ``DeviceTimeout`` (no answer), ``SamProtocolError`` (garbled frame, bad card data) and the
SW3 errors of :mod:`kiosk.devices.idcard.errors`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.devices.base import (
    Backoff,
    DeviceError,
    DeviceNotFound,
    DeviceTimeout,
    Health,
    HealthState,
    HealthTracker,
    SelfTestResult,
)
from kiosk.devices.idcard import errors as sw
from kiosk.devices.idcard.card import IdCard, PhotoDecoder
from kiosk.devices.idcard.layout import parse_appended_address, parse_text, split_read_data
from kiosk.devices.idcard.protocol import (
    Command,
    Frame,
    FrameLengthError,
    FrameParser,
    SamProtocolError,
    build_request,
)
from kiosk.i18n import tr

log = logging.getLogger(__name__)
_NAMES = {Command.RESET: "reset", Command.MODULE_STATUS: "module status", Command.MODULE_ID: "module id",
          Command.FIND: "find", Command.SELECT: "select", Command.READ: "read",
          Command.READ_APPENDED_ADDRESS: "read appended address", Command.READ_WITH_FINGERPRINT: "read (30 10)"}
_EXPECT = {Command.FIND: {sw.CARD_FOUND}, Command.READ_APPENDED_ADDRESS: {sw.SUCCESS, sw.ITEM_EMPTY}}


def _port_errors() -> tuple[type[BaseException], ...]:
    """What a vanished port raises: SerialException, OSError, and termios.error (not an OSError)."""
    import serial

    errors: tuple[type[BaseException], ...] = (serial.SerialException, OSError)
    try:
        import termios
    except ImportError:  # Windows
        return errors
    return (*errors, termios.error)


def format_sam_id(data: bytes) -> str:
    """The module id as printed on readers, ``05.01-20240315-0000123456-1234567890`` (hex if odd-sized)."""
    if len(data) != 16:
        return data.hex()
    u32 = [int.from_bytes(data[i:i + 4], "little") for i in (4, 8, 12)]
    return f"{data[0]:02d}.{data[1]:02d}-{u32[0]:08d}-{u32[1]:010d}-{u32[2]:010d}"


class SamReader:
    """One SAM card reader on ``port`` (anything ``serial.serial_for_url`` opens)."""

    name = "idcard"

    def __init__(self, port: str, baud: int = 115200, *, poll_interval: float = 0.5, read_timeout: float = 3.0,
                 command_timeout: float = 1.0, read_appended_address: bool = True,
                 read_fingerprint: bool = False, photo_decoder: PhotoDecoder | None = None,
                 backoff: Backoff | None = None):
        self.port, self.baud = port, baud
        self.poll_interval, self.read_timeout, self.command_timeout = poll_interval, read_timeout, command_timeout
        self.read_appended = read_appended_address
        self.read_fingerprint = read_fingerprint
        self.photo_decoder = photo_decoder
        self._backoff = backoff or Backoff(0.5, 10.0)
        self._retry_at = 0.0
        self._last_open_error = ""
        self._serial: Any = None
        self._lock = threading.RLock()
        self._tracker = HealthTracker(self.name, HealthState.DISCONNECTED, tr("idcard.reader.not_opened"))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, section: Any) -> SamReader:
        """A reader for an :class:`~kiosk.config.devices.IdCardConfig` section."""
        return cls(section.port, section.baud, poll_interval=section.poll_interval_s,
                   read_timeout=section.read_timeout_s, command_timeout=section.command_timeout_s,
                   read_appended_address=section.read_appended_address, read_fingerprint=section.read_fingerprint)

    def __enter__(self) -> SamReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- port -------------------------------------------------------------------------------------------
    def health(self) -> Health:
        return self._tracker.get()

    def subscribe(self, listener: Callable[[Health], None]) -> None:
        """Calls ``listener(health)`` on every change of state or reason (on the reader's thread)."""
        self._tracker.subscribe(listener)

    def _ensure_open(self) -> Any:
        if self._serial is not None:
            return self._serial
        wait = self._retry_at - time.monotonic()
        if wait > 0:
            raise DeviceNotFound(f"{self._last_open_error} ({tr('idcard.reader.reconnecting', seconds=f'{wait:.1f}')})")
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
            self._last_open_error = tr("idcard.reader.open_failed", port=self.port, detail=str(err))
            self._tracker.set(HealthState.DISCONNECTED, self._last_open_error)
            raise DeviceNotFound(self._last_open_error) from None
        self._serial = ser
        log.info("idcard reader opened %s at %d baud", self.port, self.baud)
        return ser

    def _drop(self, err: Exception) -> DeviceNotFound:
        """Closes a port that failed under us; the next command reopens it after a backoff delay."""
        self._close_port()
        self._retry_at = time.monotonic() + self._backoff.next_delay()
        reason = tr("idcard.reader.disconnected", detail=str(err) or type(err).__name__)
        self._last_open_error = reason
        self._tracker.set(HealthState.DISCONNECTED, reason)
        log.warning("idcard reader %s lost: %s", self.port, err)
        return DeviceNotFound(reason)

    def _close_port(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except Exception:  # closing a vanished port may fail in odd ways; it is closed either way
                log.debug("closing %s failed", self.port, exc_info=True)

    def close(self) -> None:
        """Stops polling and releases the port. Calling it twice is harmless."""
        self.stop()
        with self._lock:
            self._close_port()

    # --- one command ------------------------------------------------------------------------------------
    def transact(self, command: Command, timeout: float | None = None) -> Frame:
        """Sends ``command`` and returns the module's reply frame (any SW3). Raises DeviceError subclasses."""
        import serial

        name = _NAMES[command]
        limit = timeout or self.command_timeout
        with self._lock:
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
                err.args = (tr("idcard.reader.garbled", detail=str(err)),)  # add what to do
                self._tracker.set(HealthState.ERROR, str(err))
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
        reason = tr("idcard.reader.timeout", seconds=f"{seconds:g}", command=name)
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
                    raise SamProtocolError(tr("idcard.reader.unexpected", command=name,
                                              detail=f"{len(frame.body)}-byte body has no SW1 SW2 SW3"))
                return frame

    def _command(self, command: Command, timeout: float | None = None) -> Frame:
        """``transact`` plus the SW3 check: returns the frame when SW3 is the command's success code."""
        frame = self.transact(command, timeout)
        code = frame.sw3
        if code in _EXPECT.get(command, {sw.SUCCESS}):
            return frame
        if code in (sw.SUCCESS, sw.CARD_FOUND, sw.ITEM_EMPTY):
            raise SamProtocolError(tr("idcard.reader.unexpected", command=_NAMES[command],
                                      detail=f"SW3 {code:02X}"))
        raise sw.status_error(code, _NAMES[command])

    # --- card operations -----------------------------------------------------------------------------------
    def find_card(self) -> bool:
        """True when a card is in the field (SW3 9F), False for SW3 80; other codes raise."""
        try:
            self._command(Command.FIND)
        except sw.NoCardError:
            return False
        return True

    def select_card(self) -> None:
        self._command(Command.SELECT)

    def read_selected(self) -> IdCard:
        """Reads the selected card (30 01 or 30 10, then 30 03 when enabled) into an IdCard."""
        command = Command.READ_WITH_FINGERPRINT if self.read_fingerprint else Command.READ
        with self._lock:
            frame = self._command(command, self.read_timeout)
            data = memoryview(frame.body)[3:]  # no copies: the card gets the only ones, then we zero the frame
            try:
                text, photo, fingerprint = split_read_data(data, self.read_fingerprint)
                card = parse_text(bytes(text), photo, fingerprint)
            finally:
                frame.wipe()
            if self.read_appended:
                card = self._with_appended_address(card)
        return card

    def _with_appended_address(self, card: IdCard) -> IdCard:
        from dataclasses import replace

        try:
            frame = self._command(Command.READ_APPENDED_ADDRESS)
        except DeviceError as err:  # the main data is good; the appended address is a bonus
            log.info("idcard appended address not read: %s", type(err).__name__)
            return card
        if frame.sw3 == sw.ITEM_EMPTY or not frame.data:
            return card
        return replace(card, appended_address=parse_appended_address(bytes(frame.data)))

    def read_card(self, timeout: float = 0.0) -> IdCard | None:
        """Looks for a card for up to ``timeout`` seconds (at least once) and reads it.

        Returns None when no card came. Raises DeviceError subclasses (CardError for a read that went
        wrong: tell the resident to place the card again).
        """
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            with self._lock:
                if self.find_card():
                    self.select_card()
                    return self.read_selected()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(self.poll_interval, remaining))

    # --- module -----------------------------------------------------------------------------------------
    def module_status(self) -> None:
        """Raises ModuleError when the module reports a fault (SW3 60, 66)."""
        self._command(Command.MODULE_STATUS)

    def sam_id(self) -> str:
        return format_sam_id(bytes(self._command(Command.MODULE_ID).data))

    def reset(self) -> None:
        self._command(Command.RESET)

    def self_test(self) -> SelfTestResult:
        """Module status and SAM id; never raises."""
        start = time.monotonic()
        try:
            self.module_status()
            sam = self.sam_id()
        except DeviceError as err:
            return SelfTestResult(self.name, False, str(err), (time.monotonic() - start) * 1000)
        return SelfTestResult(self.name, True, tr("idcard.reader.ok", sam_id=sam), (time.monotonic() - start) * 1000)

    # --- polling ----------------------------------------------------------------------------------------
    def start(self, on_card: Callable[[IdCard], None], on_error: Callable[[DeviceError], None] | None = None) -> None:
        """Polls for cards on a background thread until :meth:`stop`.

        Each card is read once and handed to ``on_card``; it is not read again until it has left the
        field. ``on_error`` gets each new problem once (not again while the same problem persists).
        Both run on the polling thread.
        """
        if self._thread is not None:
            raise RuntimeError("the reader is already polling; call stop() first")
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, args=(on_card, on_error), name="idcard-poll",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.read_timeout + 2)

    def _poll(self, on_card: Callable[[IdCard], None], on_error: Callable[[DeviceError], None] | None) -> None:
        armed = True  # False after a read, until find has said "no card" once
        last_error = ""
        while not self._stop.is_set():
            delay = self.poll_interval
            try:
                with self._lock:
                    found = self.find_card()
                    card = None
                    if found and armed:
                        self.select_card()
                        card = self.read_selected()
                last_error = ""
                if not found:
                    armed = True
                elif card is not None:
                    armed = False
                    _safely(on_card, card)
            except DeviceError as err:
                if isinstance(err, DeviceNotFound):
                    delay = max(delay, min(self._retry_at - time.monotonic(), 10.0))
                if str(err) != last_error:
                    last_error = str(err)
                    if on_error is not None:
                        _safely(on_error, err)
            self._stop.wait(delay)


def _safely(callback: Callable[[Any], None], value: Any) -> None:
    try:
        callback(value)
    except Exception:
        log.exception("idcard callback %r failed", getattr(callback, "__name__", callback))
