"""Puts a :class:`~kiosk.devices.idcard.simulator.SamModule` on the wire: a TCP port or a pty pair.

A reader reaches it as ``socket://127.0.0.1:PORT`` or as the pty's slave path (``/dev/pts/N``), through
the same pyserial code that opens a real port. With ``wire_timing`` every frame takes as long as it would
on an 8N1 line at the configured baud (10 bits a byte), both ways: the request's time before the module
answers, and the reply paced so its last byte lands at ``len * 10 / baud`` (9600 baud with the ``slow``
fault). The module's own ``latency`` per command comes before the reply. One client at a time, like a serial port; ``stop()`` is an unplug.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable

from kiosk.devices.idcard.protocol import FrameLengthError, FrameParser, SamProtocolError, build_response
from kiosk.devices.idcard.simulator import SLOW_BAUD, SamModule

log = logging.getLogger(__name__)
_CHUNK = 64  # bytes per paced write: ~5.6 ms at 115200


class SimulatorServer:
    """Serves one SamModule. ``start_tcp()`` / ``start_pty()`` return the URL to open; ``stop()`` unplugs."""

    def __init__(self, module: SamModule | None = None, baud: int = 115200, wire_timing: bool = True):
        self.module = module or SamModule()
        self.baud = baud
        self.wire_timing = wire_timing
        self.url = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._master: int | None = None
        self._slave: int | None = None
        self._wake_r, self._wake_w = -1, -1  # a pipe that wakes the serving thread's select() on stop()

    # --- lifecycle --------------------------------------------------------------------------------
    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listens on ``host:port`` (0: any free port) and returns ``socket://host:port``."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(4)
        self._listener = listener
        self.url = f"socket://{host}:{listener.getsockname()[1]}"
        self._run(self._serve_tcp)
        return self.url

    def start_pty(self) -> str:
        """Opens a pty pair and returns the slave's path for the reader to open."""
        master, slave = os.openpty()
        tty.setraw(slave)
        self._master, self._slave = master, slave
        self.url = os.ttyname(slave)
        self._run(self._serve_pty)
        return self.url

    def _run(self, target: Callable[[], None]) -> None:
        self._stop.clear()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=target, name=f"idcard-sim {self.url}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Closes everything (the reader sees an unplugged port) and waits for the thread. Idempotent."""
        self._stop.set()
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._wake_r = self._wake_w = -1
        for sock in (self._conn, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        self._conn = self._listener = None
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    def __enter__(self) -> SimulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def effective_baud(self) -> int:
        return SLOW_BAUD if "slow" in self.module.faults else self.baud

    # --- serving ----------------------------------------------------------------------------------
    def _serve_tcp(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            ready, _, _ = select.select([self._listener, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conn = conn
            try:
                self._converse(functools.partial(conn.recv, 4096), conn.sendall, conn.fileno())
            except OSError:
                pass  # the client went away
            finally:
                with contextlib.suppress(OSError):
                    conn.close()
                self._conn = None

    def _serve_pty(self) -> None:
        master = self._master
        assert master is not None

        def send(data: bytes) -> None:
            view = memoryview(data)
            while view:
                view = view[os.write(master, view):]

        with contextlib.suppress(OSError):
            self._converse(lambda: os.read(master, 4096), send, master)

    def _converse(self, recv: Callable[[], bytes], send: Callable[[bytes], None], fd: int) -> None:
        parser = FrameParser()
        while not self._stop.is_set():
            ready, _, _ = select.select([fd, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            arrived = time.monotonic()
            data = recv()
            if not data:
                return  # the client closed
            parser.feed(data)
            while True:
                try:
                    frame = parser.next_frame()
                except FrameLengthError:
                    reply = self.module.reply_to_bad_frame(0x11)
                    frame = None
                except SamProtocolError:
                    reply = self.module.reply_to_bad_frame(0x10)
                    frame = None
                else:
                    if frame is None:
                        break
                    try:
                        reply = self.module.reply(frame)
                    except Exception:  # a simulator bug must not look like an unplugged reader
                        log.exception("idcard simulator failed on %s", frame.command.hex())
                        reply = build_response(0x24)  # "unknown error", as a module would say
                ready_at = arrived + (self.module.processing_time(frame) if frame is not None else 0.0)
                if self.wire_timing:
                    # the request travelled the line before the module could answer
                    size = 7 + len(frame.body) + 1 if frame is not None else 10
                    ready_at += size * 10 / self.effective_baud
                _sleep_until(ready_at)
                if reply:
                    self._send_paced(send, reply)

    def _send_paced(self, send: Callable[[bytes], None], data: bytes) -> None:
        if not self.wire_timing:
            send(data)
            return
        byte_time = 10 / self.effective_baud
        start = time.monotonic()
        for offset in range(0, len(data), _CHUNK):
            chunk = data[offset:offset + _CHUNK]
            _sleep_until(start + (offset + len(chunk)) * byte_time)
            if self._stop.is_set():
                return
            send(chunk)


def _sleep_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        time.sleep(delay)
