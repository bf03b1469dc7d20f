"""A network ESC/POS printer on a raw TCP port (like port 9100), for tests, the demo and technicians.

It records every byte it receives (in memory, and appended to ``record_path`` when given), answers
``DLE EOT n`` with the bytes of a real Chinese printer in the chosen state and ``GS r 1`` (paper sensor)
once it has printed what came before it, and turns what it received into slips (:class:`~kiosk.printing.escpos_parse.EscposParser`), one per cut, saving a PNG preview of
each into ``out_dir``. States, switchable at run time with :meth:`PrinterSimulator.set_state`:

==================  ====================  =====  =========================================================
state               DLE EOT n=1/2/3/4     GS r   prints?
==================  ====================  =====  =========================================================
``ok``              12 12 12 12           00     yes
``near_end``        12 12 12 1E           03     yes
``out``             1A 32 12 7E           0C     no (received slips are counted as ``lost``)
``cover_open``      1A 16 12 12           (none) no
``cutter_error``    12 52 1A 12           (none) no (the jam told in n=2 / n=3 only: n=1 still reads online)
``silent``          (nothing)             (none) yes (a printer without a status channel)
``garbled``         00 FF 00 FF           FF     yes (a reply that is no status byte: unknown)
``off``             (nothing)             (none) no (switched off behind a print server: bytes taken, ``lost``)
==================  ====================  =====  =========================================================

Two options of :meth:`~PrinterSimulator.set_state` (and the constructor) play what real rolls and printers do:
``paper_left=N``: the roll ends after N more bytes of print data (status queries use none): the state turns
``out`` (a ``silent`` printer's ``off``: it still tells nothing) and the rest of the slip being printed is
lost; ``set_state`` again is a new roll. ``ignores=(3,)``: those ``DLE EOT n`` queries go unanswered (cheap
printers answer n=1 and n=2 but not n=3 or n=4).

Two constructor options play a particular printer's ``GS r`` and buffer (:mod:`.sim_connection`):
``gs_r="ignores"`` never answers ``GS r`` (a model without it), ``gs_r="silent_at_end"`` does not execute
it once the roll ended (Epson's TM models go offline at paper end); ``print_bytes_per_s=N`` prints N bytes
a second while answering ``DLE EOT`` at once, ahead of what is still in the buffer, as real printers do.

``font`` and ``qr_sizes`` make it play a particular model (see
:class:`~kiosk.printing.escpos_parse.EscposParser`): a ``gb2312`` printer prints GBK-only codes as garbage,
a ``gb18030-2byte`` one the four-byte codes; a QR module size outside ``qr_sizes`` is ignored.

Several connections are served at once, each with its own parser. ``stop()`` closes everything and
joins the threads; use port 0 to let the OS choose a free port (see :attr:`port`).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.devices.printer.sim_connection import GS_R_MODES, REPLIES, SimConnection
from kiosk.printing.escpos_parse import EscposParser
from kiosk.printing.layout import Slip

log = logging.getLogger(__name__)

STATES = tuple(REPLIES)
_PRINTS = {"ok", "near_end", "silent", "garbled"}


class PrinterSimulator:
    """A simulated network printer. ``on_slip(slip, png_path_or_None)`` is called for each printed slip."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, state: str = "ok", width_mm: int = 80,
                 out_dir: str | Path | None = None, record_path: str | Path | None = None,
                 fonts: tuple[str, ...] | None = None,
                 on_slip: Callable[[Slip, Path | None], None] | None = None,
                 font: str = "gb18030", qr_sizes: tuple[int, int] = (1, 16),
                 paper_left: int | None = None, ignores: tuple[int, ...] = (), gs_r: str = "answers",
                 print_bytes_per_s: float | None = None):
        self._check(state)
        if gs_r not in GS_R_MODES:
            raise ValueError(f"printer simulator gs_r '{gs_r}' is not one of {', '.join(GS_R_MODES)}")
        EscposParser(font=font)  # an unknown font raises ValueError here, not in a connection's thread
        self.font, self.qr_sizes = font, qr_sizes
        self.host, self._port, self.state, self.width_mm = host, port, state, width_mm
        self.out_dir = Path(out_dir) if out_dir else None
        self.record_path = Path(record_path) if record_path else None
        self.fonts, self.on_slip = fonts, on_slip
        self.received = bytearray()
        self.slips: list[Slip] = []
        self.previews: list[Path] = []
        self.lost: list[Slip] = []
        self.status_queries: list[int] = []
        self.paper_left, self.ignores = paper_left, frozenset(ignores)
        self.gs_r, self.print_bytes_per_s = gs_r, print_bytes_per_s
        self.connections = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()

    @staticmethod
    def _check(state: str) -> None:
        if state not in REPLIES:
            raise ValueError(f"printer simulator state '{state}' is not one of {', '.join(STATES)}")

    # ---- life cycle ---------------------------------------------------------------------------------------
    def start(self) -> PrinterSimulator:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, self._port))
        server.listen(8)
        server.settimeout(0.2)
        self._server, self._port = server, server.getsockname()[1]
        self._stop.clear()
        self._spawn(self._accept_loop, "printer-sim-accept")
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()
            self._server = None
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        for thread in self._threads:
            thread.join(timeout=3)
        self._threads = [t for t in self._threads if t.is_alive()]

    def __enter__(self) -> PrinterSimulator:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def uri(self) -> str:
        return f"tcp://{self.host}:{self._port}"

    def set_state(self, state: str, *, paper_left: int | None = None, ignores: tuple[int, ...] = ()) -> None:
        """Switches the state (one of STATES) for the next status queries and slips; ``paper_left``: bytes of
        print data until the roll ends (None: it does not); ``ignores``: queries left unanswered."""
        self._check(state)
        with self._lock:
            self.state, self.paper_left, self.ignores = state, paper_left, frozenset(ignores)

    def wait_for_slips(self, count: int, timeout: float = 5.0) -> bool:
        """Waits until ``count`` slips were printed (or lost); True if they were."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.slips) + len(self.lost) >= count, timeout)

    def wait_for_bytes(self, count: int, timeout: float = 5.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: len(self.received) >= count, timeout)

    # ---- serving --------------------------------------------------------------------------------------------
    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            server = self._server
            if server is None:
                return
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(0.2)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.add(conn)
                self.connections += 1
            self._spawn(self._serve, "printer-sim-conn", conn)

    def _serve(self, conn: socket.socket) -> None:
        try:
            SimConnection(self, conn).serve()
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    def _use_paper(self, printed: int) -> None:
        with self._lock:
            if self.paper_left is None:
                return
            self.paper_left -= max(0, printed)
            if self.paper_left <= 0:
                self.paper_left = 0
                self.state = "out" if REPLIES[self.state] is not None else "off"

    def _record(self, data: bytes) -> None:
        with self._changed:
            self.received += data
            self._changed.notify_all()
        if self.record_path:
            with self.record_path.open("ab") as fh:
                fh.write(data)

    def _printed(self, slip: Slip) -> None:
        with self._lock:
            prints = self.state in _PRINTS
        path = None
        if prints and self.out_dir is not None:
            try:
                path = self._save(slip)
            except Exception:  # a preview that fails must not stop the printer
                log.exception("printer simulator: could not render the preview")
        with self._changed:
            (self.slips if prints else self.lost).append(slip)
            if path:
                self.previews.append(path)
            self._changed.notify_all()
        if prints and self.on_slip:
            self.on_slip(slip, path)

    def _save(self, slip: Slip) -> Path:
        from kiosk.printing.preview import render_preview

        assert self.out_dir is not None
        with self._lock:
            number = len(self.slips) + len(self.lost) + 1
        return render_preview(slip, self.fonts).save(self.out_dir / f"slip-{number:04d}.png")
