"""One connection to the printer simulator: what a printer does with the bytes it receives.

Status requests use no paper. ``DLE EOT n`` is a real-time command: a printer answers it as soon as it
receives it, whatever is still in its buffer. ``GS r n`` sits in the buffer with the print data and is
answered when the printer gets to it, once everything before it is printed (Epson's ESC/POS reference).

Without a print speed (``print_bytes_per_s`` None) the simulator prints each chunk as it arrives, so both
come in order. With one, a print engine thread takes the received bytes at that speed while the receiving
thread answers ``DLE EOT`` at once (from its own parser, so a ``10 04`` inside a raster is not taken for
one): after a long slip ``DLE EOT`` says "paper present" while the engine has yet to reach the roll's end.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import TYPE_CHECKING

from kiosk.printing.escpos_parse import EscposParser

if TYPE_CHECKING:
    from kiosk.devices.printer.simulator import PrinterSimulator

# DLE EOT n = 1..4 replies of a real Chinese printer in each state; None: it answers nothing
REPLIES: dict[str, dict[int, int] | None] = {
    "ok": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "near_end": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    "out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    "cover_open": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    "cutter_error": {1: 0x12, 2: 0x52, 3: 0x1A, 4: 0x12},
    "silent": None,
    "garbled": {1: 0x00, 2: 0xFF, 3: 0x00, 4: 0xFF},
    "off": None,
}
GS_R_MODES = ("answers", "ignores", "silent_at_end")
# GS r 1 (paper sensor): bits 0-1 near-end sensor, bits 2-3 end sensor; None: not executed (offline, no status)
GS_R_REPLIES: dict[str, int | None] = {
    "ok": 0x00, "near_end": 0x03, "out": 0x0C, "cover_open": None, "cutter_error": None, "silent": None,
    "garbled": 0xFF, "off": None,
}
_TICK_S = 0.01  # how often the print engine takes its next bytes
_MAX_BURST_S = 0.1  # after a stall the engine takes at most this much time's worth at once


class SimConnection:
    """Serves ``conn`` for ``sim`` until either side closes it."""

    def __init__(self, sim: PrinterSimulator, conn: socket.socket):
        self.sim, self.conn = sim, conn
        self.rate = sim.print_bytes_per_s
        self.queries = 0  # status requests fed to the engine (their bytes use no paper)
        self.parser = EscposParser(sim.width_mm, on_status=self._counted if self.rate else self._dle_eot_in_order,
                                   font=sim.font, qr_sizes=sim.qr_sizes, on_transmit=self._gs_r)
        self.scanner = EscposParser(sim.width_mm, on_status=self._dle_eot_now, font=sim.font) if self.rate else None
        self.pending = bytearray()
        self._outbox = bytearray()  # answers in order, sent once the slips before them are printed or lost
        self.closed = False
        self._cond = threading.Condition()

    def serve(self) -> None:
        engine = None
        if self.rate:
            engine = threading.Thread(target=self._engine, name="printer-sim-engine", daemon=True)
            engine.start()
        try:
            while not self.sim._stop.is_set():
                try:
                    data = self.conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                self.sim._record(data)
                if self.scanner is None:
                    self._feed(data)
                    continue
                self.scanner.feed(data)  # answers DLE EOT now; the engine prints later
                with self._cond:
                    self.pending += data
                    self._cond.notify_all()
        finally:
            with self._cond:
                self.closed = True
                self._cond.notify_all()
            if engine is not None:
                engine.join()  # a printer prints what it holds after the host hung up
            pending = self.parser.flush()
            if pending is not None and not self.sim._stop.is_set():
                self.sim._printed(pending)

    # ---- status requests -------------------------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        if data:
            with contextlib.suppress(OSError):
                self.conn.sendall(data)

    def _counted(self, n: int) -> None:
        self.queries += 1

    def _dle_eot_reply(self, n: int) -> int | None:
        sim = self.sim
        with sim._lock:
            sim.status_queries.append(n)
            replies = None if n in sim.ignores else REPLIES[sim.state]
        return None if replies is None else replies.get(n)

    def _dle_eot_now(self, n: int) -> None:
        reply = self._dle_eot_reply(n)
        if reply is not None:
            self._send(bytes([reply]))

    def _dle_eot_in_order(self, n: int) -> None:
        self.queries += 1
        reply = self._dle_eot_reply(n)
        if reply is not None:
            self._outbox.append(reply)

    def _gs_r(self, n: int) -> None:
        sim = self.sim
        self.queries += 1
        with sim._lock:
            mode, state = sim.gs_r, sim.state
        reply = GS_R_REPLIES[state]
        if n in (1, 49) and mode != "ignores" and not (mode == "silent_at_end" and state == "out") and reply is not None:
            self._outbox.append(reply)

    # ---- printing ----------------------------------------------------------------------------------------------
    def _engine(self) -> None:
        """Prints the pending bytes at ``rate`` bytes a second, never faster."""
        assert self.rate
        last = time.monotonic()
        while True:
            with self._cond:
                if not self.pending:
                    self._cond.wait_for(lambda: self.pending or self.closed or self.sim._stop.is_set())
                    last = time.monotonic()
                if self.sim._stop.is_set() or (self.closed and not self.pending):
                    return
            time.sleep(_TICK_S)
            now = time.monotonic()
            budget = max(1, int(self.rate * min(now - last, _MAX_BURST_S)))
            last = now
            with self._cond:
                part = bytes(self.pending[:budget])
                del self.pending[:budget]
            self._feed(part)

    def _feed(self, data: bytes) -> None:
        """Prints ``data``, ending the roll where ``paper_left`` runs out (the rest goes to the parser with
        the state ``out``: its slip is lost, its status requests are answered)."""
        sim = self.sim
        while data:
            with sim._lock:
                left = sim.paper_left
            if left is None or left <= 0:
                if left is not None:
                    sim._use_paper(0)  # set with no paper left: out at once
                part, data = data, b""
            else:
                part, data = data[:left], data[left:]
            before = self.queries
            for slip in self.parser.feed(part):
                sim._printed(slip)
            if left is not None and left > 0:
                sim._use_paper(len(part) - 3 * (self.queries - before))
            answers, self._outbox = bytes(self._outbox), bytearray()
            self._send(answers)
