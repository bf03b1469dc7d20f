"""The driver's connection to its printer: opened on demand with backoff, dropped when it breaks.

:class:`PrinterLink` owns the python-escpos transport (:mod:`kiosk.devices.printer.transports`) and what
reaching it costs: an unreachable printer is retried after :class:`~kiosk.devices.base.Backoff`'s delay
(``printer.retrying`` until then, so a kiosk does not wait a connect timeout per slip), a set-up problem
(missing pyusb, bad profile) after the backoff's maximum. Health changes of the connection itself go to
the driver's tracker. It does no locking: the driver's lock serialises all calls.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from kiosk.devices.base import Backoff, DeviceError, DeviceNotFound, HealthState, HealthTracker, Reason
from kiosk.devices.printer import status as st
from kiosk.devices.printer.errors import PrinterUnavailable
from kiosk.devices.printer.transports import PrinterAddress, drain, open_transport, read_reply, write


class PrinterLink:
    """The connection to the printer at ``address``; ``printer`` is the open transport or None."""

    def __init__(self, address: PrinterAddress, profile: str | None, connect_timeout_s: float,
                 status_timeout_s: float, tracker: HealthTracker, backoff: Backoff):
        self.address, self.profile = address, profile
        self.connect_timeout_s, self.status_timeout_s = connect_timeout_s, status_timeout_s
        self._tracker, self._backoff = tracker, backoff
        self._retry_at = 0.0
        self._last_error = ""
        self.printer: Any = None

    def open(self) -> Any:
        """The open transport, connecting first if needed; raises PrinterUnavailable (health set)."""
        if self.printer is not None:
            return self.printer
        now = time.monotonic()
        if now < self._retry_at:
            raise PrinterUnavailable(Reason("printer.retrying", reason=self._last_error,
                                            delay=f"{self._retry_at - now:.1f}"))
        try:
            self.printer = open_transport(self.address, self.profile, self.connect_timeout_s)
        except DeviceNotFound as exc:
            self._last_error = exc.reason
            self._retry_at = now + self._backoff.next_delay()
            self._tracker.set(HealthState.DISCONNECTED, Reason("printer.unreachable", reason=exc.reason))
            raise PrinterUnavailable(Reason("printer.unreachable", reason=exc.reason)) from exc
        except DeviceError as exc:  # a set-up problem (missing pyusb, bad profile): retrying soon won't help
            self._last_error = exc.reason
            self._retry_at = now + self._backoff.maximum
            self._tracker.set(HealthState.ERROR, exc.reason)
            raise PrinterUnavailable(exc.reason) from exc
        self._backoff.reset()
        self._retry_at = 0.0
        return self.printer

    def drop(self) -> None:
        """Closes the connection (the next call reconnects)."""
        printer, self.printer = self.printer, None
        if printer is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may fail; it is gone anyway
                printer.close()

    def query(self, queries: tuple[int, ...] = st.QUERIES) -> st.PrinterStatus:
        """A ``DLE EOT`` round (:func:`~kiosk.devices.printer.status.query`) on the open connection."""
        printer = self.printer
        return st.query(lambda data: write(printer, data), lambda t: read_reply(printer, t),
                        self.status_timeout_s, queries, drain=lambda: drain(printer))

    def send(self, data: bytes) -> None:
        write(self.printer, data)

    def read(self, timeout: float) -> bytes:
        return read_reply(self.printer, timeout)

    def drain(self) -> None:
        drain(self.printer)

    def write_slip(self, data: bytes) -> None:
        """Sends a slip's bytes; a failure drops the connection, backs off and raises the DeviceError."""
        try:
            write(self.printer, data)
        except DeviceError as exc:
            self.drop()
            self._last_error = exc.reason
            self._retry_at = time.monotonic() + self._backoff.next_delay()
            self._tracker.set(HealthState.DISCONNECTED, exc.reason)
            raise

    @property
    def baudrate(self) -> int | None:
        """A serial line's speed (the bytes of a slip take time on it), else None."""
        return self.address.options.get("baudrate") if self.address.kind == "serial" else None
