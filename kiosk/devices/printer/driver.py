"""The ESC/POS ticket printer driver: prints slips, reads status, reports health, reconnects with backoff.

Contract:

- ``print_slip(slip)`` renders the slip (:mod:`kiosk.printing.escpos_render`), asks the printer's
  status first and refuses when it says it cannot print: :class:`PaperOutError`, :class:`CoverOpenError`,
  :class:`PrinterOfflineError`; :class:`PrinterUnavailable` when it cannot be reached or the connection
  broke. Every one of them is a :class:`~kiosk.devices.base.DeviceError` carrying ``.slip`` (nothing is
  lost: the caller keeps it, shows the ticket number on screen and tells a helper) and ``.status``.
  An *unknown* status (silent printer, ``file:``) does not block printing, unless this printer answered
  ``DLE EOT`` before: Epson's reference has it answered even offline, with a full buffer or in error, so a
  printer that falls silent is off or cut off (behind a print server or on a serial line it still takes
  the bytes): after one reconnect and a second silent round, :class:`PrinterUnavailable` carries the slip
  (not within ``readiness.BUSY_AFTER_WRITE_S`` of the last slip: it may still be printing that one).
- Once the slip's bytes are written, a printer that answered the round before is asked ``GS r 1``,
  answered once the slip is printed, and without an answer the paper queries of ``DLE EOT`` again
  (:mod:`kiosk.devices.printer.paper_end`): a roll that ended during the slip raises
  :class:`PaperEndedError` (a :class:`PaperOutError`, code ``printer.paper_ended``: the slip may be
  incomplete) carrying the slip; no answer then keeps what the round before said.
- ``submit(slip)`` queues the job on the driver's one worker thread and returns a
  ``concurrent.futures.Future`` (result: :class:`PrintResult`, or one of the errors above). The UI
  thread uses this; a callback moves the outcome onto the UI thread (``kivy.clock.mainthread``).
- ``status()`` never raises: unreachable or silent → ``paper="unknown"``.
- ``health()`` reports the last known state; paper near end is a warning in ``detail`` with the state
  still connected. ``start_monitor()`` polls the status in the background so health stays current
  and a printer that was unplugged is reconnected (with :class:`~kiosk.devices.base.Backoff`).
- Device I/O is serialised by one lock, so the worker, the monitor and direct calls never interleave.
  The connection itself (open with backoff, drop, I/O) is :class:`~kiosk.devices.printer.link.PrinterLink`.

What a status means (refuse, health, the self-test's line) is in :mod:`kiosk.devices.printer.readiness`.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kiosk.devices.base import (
    Backoff,
    DeviceError,
    Health,
    HealthState,
    HealthTracker,
    Reason,
    SelfTestResult,
)
from kiosk.devices.printer import readiness
from kiosk.devices.printer import status as st
from kiosk.devices.printer.errors import (
    CoverOpenError,
    PaperEndedError,
    PaperOutError,
    PrinterError,
    PrinterOfflineError,
    PrinterUnavailable,
    PrintResult,
)
from kiosk.devices.printer.link import PrinterLink
from kiosk.devices.printer.paper_end import AfterSlip
from kiosk.devices.printer.readiness import refuse, self_test_message, update_health
from kiosk.devices.printer.transports import NoStatusChannel, PrinterAddressError, parse_uri
from kiosk.printing.escpos_render import EscposOptions, EscposRenderer
from kiosk.printing.layout import Slip

__all__ = ["CoverOpenError", "EscposPrinter", "PaperEndedError", "PaperOutError", "PrintResult", "PrinterError",
           "PrinterOfflineError", "PrinterUnavailable"]


class EscposPrinter:
    """An ESC/POS printer at ``uri`` (see :mod:`kiosk.devices.printer.transports`)."""

    name = "printer"

    def __init__(self, uri: str, *, profile: str | None = None, width_mm: int = 80,
                 status_timeout_s: float = 1.0, encoding: str = "gbk", connect_timeout_s: float = 3.0,
                 fonts: tuple[str, ...] | None = None, backoff: Backoff | None = None,
                 four_byte: bool = True, qr_sizes: tuple[int, int] | None = None):
        """``encoding``, ``four_byte`` and ``qr_sizes``: the printer's font and QR sizes (see
        :class:`~kiosk.printing.escpos_render.EscposOptions`; ``qr_sizes`` None: from the profile)."""
        self.address = parse_uri(uri)
        self.uri, self.profile, self.width_mm = uri, profile, width_mm
        self.status_timeout_s, self.connect_timeout_s = status_timeout_s, connect_timeout_s
        try:
            self.options = EscposOptions.for_profile(profile, encoding, fonts, four_byte, qr_sizes)
        except ValueError as exc:
            raise PrinterAddressError(str(exc)) from None
        self.renderer = EscposRenderer(self.options)
        self._tracker = HealthTracker(self.name)
        self._link = PrinterLink(self.address, profile, connect_timeout_s, status_timeout_s, self._tracker,
                                 backoff or Backoff())
        self._after = AfterSlip()  # the checks after a slip; it remembers whether the printer answers GS r
        self._lock = threading.RLock()
        self._executor: ThreadPoolExecutor | None = None
        self._monitor: threading.Thread | None = None
        self._stop = threading.Event()
        self.last_status: st.PrinterStatus | None = None
        self._answered_before = False  # this printer has answered DLE EOT: silence now means off or cut off
        self._last_write = float("-inf")  # when a slip was last sent (a printer may be busy with it)

    @classmethod
    def from_config(cls, section: Any) -> EscposPrinter:
        """From a ``PrinterConfig`` section (``devices.printer``); starts the status monitor when the
        section's ``monitor_interval_s`` is above 0 (the first check runs at once, off this thread)."""
        sizes = getattr(section, "qr_module_sizes", None)
        printer = cls(section.uri, profile=section.profile, width_mm=section.paper_width_mm,
                      status_timeout_s=section.status_timeout_s, encoding=getattr(section, "encoding", "gbk"),
                      four_byte=getattr(section, "four_byte_codes", True), qr_sizes=tuple(sizes) if sizes else None)
        interval = getattr(section, "monitor_interval_s", 0)
        if interval > 0:
            printer.start_monitor(interval)
        return printer

    # ---- status rounds --------------------------------------------------------------------------------
    def _status_once(self) -> st.PrinterStatus:
        """Opens if needed and queries; ConnectionClosed propagates; no status channel → unknown."""
        self._link.open()
        if self.address.kind == "file":  # nothing to read from; and the query bytes would land in the file
            return st.PrinterStatus(error="file: no status channel")
        try:
            status = self._link.query()
        except NoStatusChannel:
            return st.PrinterStatus(error=f"{self.address.kind}: no status channel")
        self._answered_before = self._answered_before or status.answered
        return status

    def _fell_silent(self, status: st.PrinterStatus) -> bool:
        return readiness.fell_silent(status, self._answered_before, time.monotonic() - self._last_write)

    def _stopped_answering(self) -> Reason:
        return readiness.stopped_answering(self._tracker, self.status_timeout_s)

    # ---- public API ---------------------------------------------------------------------------------------
    def status(self) -> st.PrinterStatus:
        """The printer's status now; never raises (unreachable or silent → unknown with ``error``)."""
        with self._lock:
            status = self._status_with_reconnect()
            self.last_status = status
            return status

    def _status_with_reconnect(self) -> st.PrinterStatus:
        for attempt in (1, 2):
            try:
                status = self._status_once()
            except PrinterError as exc:  # unreachable: health already says so (error: the technical form)
                return st.PrinterStatus(error=str(exc))
            except DeviceError as exc:  # the connection broke (closed, write failed)
                self._link.drop()
                if attempt == 1:
                    continue  # a stale connection: reconnect once
                self._tracker.set(HealthState.DISCONNECTED, exc.reason)
                return st.PrinterStatus(error=str(exc))
            if self._fell_silent(status):
                self._link.drop()
                if attempt == 1:
                    continue  # maybe a dead connection: ask once more on a new one
                self._stopped_answering()
                return status
            self._health_from(status)
            return status
        raise AssertionError("unreachable")

    def _health_from(self, status: st.PrinterStatus | None) -> None:
        update_health(self._tracker, status, file=self.address.kind == "file", width_mm=self.width_mm)

    def print_slip(self, slip: Slip, check_status: bool = True) -> PrintResult:
        """Prints ``slip`` (see the module contract); blocks; raises a PrinterError carrying the slip."""
        started = time.perf_counter()
        rendered = self.renderer.render(slip)
        with self._lock:
            for attempt in (1, 2):
                status = None
                try:
                    self._link.open()
                    if check_status:
                        status = self._status_once()
                        self.last_status = status
                        if self._fell_silent(status):
                            self._link.drop()
                            if attempt == 1:
                                continue  # maybe a dead connection: ask once more on a new one
                            raise PrinterUnavailable(self._stopped_answering(), slip, status)
                        refuse(self._tracker, status, slip)
                except PrinterError as exc:
                    exc.slip = exc.slip or slip
                    raise
                except DeviceError as exc:  # the connection broke while asking the status
                    self._link.drop()
                    if attempt == 1:
                        continue  # a stale connection: reconnect once and ask again
                    self._tracker.set(HealthState.DISCONNECTED, exc.reason)
                    raise PrinterUnavailable(Reason("printer.unreachable", reason=exc.reason), slip) from exc
                try:
                    self._link.write_slip(rendered.data)
                    self._last_write = time.monotonic()
                except DeviceError as exc:  # dropped, backing off, health disconnected
                    raise PrinterUnavailable(Reason("printer.unreachable", reason=exc.reason), slip, status) from exc
                status = self._after.check(self._link, status, slip, len(rendered.data), self._tracker)
                self.last_status = status or self.last_status
                self._health_from(status)
                return PrintResult(len(rendered.data), status, rendered.image_lines, rendered.missing_glyphs,
                                   (time.perf_counter() - started) * 1000, rendered.image_chars)
        raise AssertionError("unreachable")

    def submit(self, slip: Slip) -> Future:
        """Queues ``slip`` on the printer's worker thread; the future yields a PrintResult or raises."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer")
        return self._executor.submit(self.print_slip, slip)

    def health(self) -> Health:
        return self._tracker.get()

    def subscribe_health(self, listener: Any) -> None:
        """Calls ``listener(Health)`` on the driver's thread whenever the health changes."""
        self._tracker.subscribe(listener)

    subscribe = subscribe_health

    def self_test(self) -> SelfTestResult:
        """Connects and reads the status (prints nothing); never raises."""
        started = time.perf_counter()
        status = self.status()
        ms = (time.perf_counter() - started) * 1000
        health = self.health()
        if self._link.printer is None:
            return SelfTestResult(self.name, False, health.reason or status.error or "unreachable", ms)
        ok = status.can_print is not False
        silent = ok and status.can_print is None  # prints, but paper-out and an open cover go unseen
        return SelfTestResult(self.name, ok, self_test_message(self.uri, status, silent), ms, warning=silent)

    def start_monitor(self, interval_s: float = 5.0) -> None:
        """Polls the status every ``interval_s`` s on a daemon thread (health, reconnect) until close()."""
        if self._monitor is not None:
            return
        self._stop.clear()

        def loop() -> None:
            self.status()
            while not self._stop.wait(interval_s):
                self.status()

        self._monitor = threading.Thread(target=loop, name="printer-monitor", daemon=True)
        self._monitor.start()

    def close(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(timeout=self.status_timeout_s + self.connect_timeout_s + 1)
            self._monitor = None
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=False)
            self._executor = None
        with self._lock:
            self._link.drop()

    def __enter__(self) -> EscposPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
