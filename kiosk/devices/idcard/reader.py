"""The resident ID card reader driver: find → select → read over a :class:`~kiosk.devices.idcard.link.SamLink`.

``SamReader`` reads with 30 01 (or 30 10 with fingerprint data), then 30 03 for an appended address,
and returns an :class:`~kiosk.devices.idcard.card.IdCard`. Commands are serialized; each has its own
timeout (``read_timeout`` for the reads of the card, 30 01 / 30 10 / 30 03, ``command_timeout`` for the
rest), the module's own time: the link adds the reply's wire time at the configured baud. Health, reconnect with
backoff and the clearing of the input buffer live in the link. Card data is never logged.

Errors raised (all :class:`~kiosk.devices.base.DeviceError`): ``DeviceNotFound`` (port missing or
unplugged), ``DeviceTimeout`` (no answer), ``SamProtocolError`` (garbled frame, bad card data) and the
SW3 errors of :mod:`kiosk.devices.idcard.errors`."""

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
    Health,
    HealthState,
    HealthTracker,
    Reason,
    SelfTestResult,
)
from kiosk.devices.idcard import errors as sw
from kiosk.devices.idcard.card import IdCard
from kiosk.devices.idcard.layout import CardDataError, parse_appended_address, parse_text, split_read_data
from kiosk.devices.idcard.link import SamLink
from kiosk.devices.idcard.protocol import Command, SamProtocolError

log = logging.getLogger(__name__)


def format_sam_id(data: bytes) -> str:
    """The module id as printed on readers, ``05.01-20240315-0000123456-1234567890`` (hex if odd-sized).

    The 16 bytes are two 16-bit and three 32-bit little-endian numbers (bytes 0–1, 2–3, 4–7, 8–11,
    12–15), as the vendors' SDKs read them: a module sends ``05 00 01 00 …`` for ``05.01-…``.
    """
    if len(data) != 16:
        return data.hex()
    u16 = [int.from_bytes(data[i:i + 2], "little") for i in (0, 2)]
    u32 = [int.from_bytes(data[i:i + 4], "little") for i in (4, 8, 12)]
    return f"{u16[0]:02d}.{u16[1]:02d}-{u32[0]:08d}-{u32[1]:010d}-{u32[2]:010d}"


class SamReader:
    """One SAM card reader on ``port`` (anything ``serial.serial_for_url`` opens)."""

    name = "idcard"

    def __init__(self, port: str, baud: int = 115200, *, poll_interval: float = 0.5, read_timeout: float = 3.0,
                 command_timeout: float = 1.0, read_appended_address: bool = True,
                 read_fingerprint: bool = False, backoff: Backoff | None = None):
        self.port, self.baud = port, baud
        self.poll_interval, self.read_timeout, self.command_timeout = poll_interval, read_timeout, command_timeout
        self.read_appended = read_appended_address
        self.read_fingerprint = read_fingerprint
        self._tracker = HealthTracker(self.name, HealthState.DISCONNECTED, Reason("idcard.reader.not_opened"))
        self.link = SamLink(port, baud, command_timeout, self._tracker, backoff)
        self._lock = self.link.lock  # held across find → select → read
        self._command = self.link.command
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

    # --- health and port --------------------------------------------------------------------------------
    def health(self) -> Health:
        return self._tracker.get()

    def subscribe(self, listener: Callable[[Health], None]) -> None:
        """Calls ``listener(health)`` on every change of state or reason (on the reader's thread)."""
        self._tracker.subscribe(listener)

    def close(self) -> None:
        """Stops polling and releases the port. Calling it twice is harmless."""
        self.stop()
        self.link.close()

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
            # an RF read of the card like 30 01, so it gets the read timeout (YinanSoft's SDK waits 1.5 s)
            frame = self._command(Command.READ_APPENDED_ADDRESS, self.read_timeout)
        except DeviceError as err:  # the main data is good; the appended address is a bonus
            log.info("idcard appended address not read: %s", type(err).__name__)
            return card
        if frame.sw3 == sw.ITEM_EMPTY or not frame.data:
            return card
        return replace(card, appended_address=parse_appended_address(bytes(frame.data)))

    def read_card(self, timeout: float = 0.0) -> IdCard | None:
        """Looks for a card for up to ``timeout`` seconds (at least once) and reads it.

        Returns None when no card came. A transient frame error (a bad checksum or a garbled frame on
        the line) is retried while ``timeout`` lasts: a failed read once more with select + read (the
        card is still in the field; a GA/T 467 module will not *find* it again), a failed find at the
        next poll. Raises DeviceError subclasses (CardError for a read that went wrong: tell the
        resident to place the card again).
        """
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            with self._lock:
                selected = False
                try:
                    if self.find_card():
                        self.select_card()
                        selected = True
                except DeviceError as err:
                    if not _transient(err) or time.monotonic() >= deadline:
                        raise
                    log.info("idcard find/select garbled (%s); trying again", type(err).__name__)
                if selected:
                    return self._read_retrying(deadline)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(self.poll_interval, remaining))

    def _read_retrying(self, deadline: float) -> IdCard:
        """Reads the selected card; after a transient frame error, selects and reads once more (when
        ``deadline`` has not passed)."""
        try:
            return self.read_selected()
        except DeviceError as err:
            if not _transient(err) or time.monotonic() >= deadline:
                raise
            log.info("idcard read reply garbled (%s); select and read once more", type(err).__name__)
        self.select_card()
        return self.read_selected()

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
            return SelfTestResult(self.name, False, err.reason, (time.monotonic() - start) * 1000)
        return SelfTestResult(self.name, True, Reason("idcard.reader.ok", sam_id=sam), (time.monotonic() - start) * 1000)

    # --- polling ----------------------------------------------------------------------------------------
    def start(self, on_card: Callable[[IdCard], None], on_error: Callable[[DeviceError], None] | None = None) -> None:
        """Polls for cards on a background thread until :meth:`stop`.

        Each card is read once and handed to ``on_card``; it is not read again until it has left the
        field. A read that ends after :meth:`stop` was called is wiped, not handed on. ``on_error`` gets each new problem once (not again while the same problem persists).
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
                        card = self._read_retrying(time.monotonic() + self.read_timeout)
                last_error = ""
                if not found:
                    armed = True
                elif card is not None:
                    armed = False
                    if self._stop.is_set():  # stop() came during the read (about a second on a real module)
                        card.wipe()  # the visit that wanted it is gone; the next one must not get it
                    else:
                        _safely(on_card, card)
            except DeviceError as err:
                if isinstance(err, DeviceNotFound):
                    delay = max(delay, min(self.link.retry_in(), 10.0))
                if str(err) != last_error:  # the technical form: the same problem again is not news
                    last_error = str(err)
                    if on_error is not None:
                        _safely(on_error, err)
            self._stop.wait(delay)


def _transient(err: DeviceError) -> bool:
    """Line noise, not the card or the module: a bad checksum or broken framing of a reply, or the
    module rejecting our frame as garbled (SW3 10 checksum, 11 length). Bad card data is not transient."""
    if isinstance(err, CardDataError):
        return False
    return isinstance(err, SamProtocolError) or (isinstance(err, sw.FrameRejected) and err.code in (0x10, 0x11))


def _safely(callback: Callable[[Any], None], value: Any) -> None:
    try:
        callback(value)
    except Exception:
        log.exception("idcard callback %r failed", getattr(callback, "__name__", callback))
