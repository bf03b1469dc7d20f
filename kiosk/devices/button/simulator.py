"""A serial call-button simulator the real :class:`SerialButton` driver connects to.

It sends a press byte on command, like the hardware, over either transport:

- ``socket``: a TCP server on 127.0.0.1 (port 0 = let the OS choose); the driver uses
  ``socket://127.0.0.1:PORT``. One driver at a time, like a serial line; a new connection replaces the old.
- ``pty``: a pseudo-terminal pair; the driver opens a stable symlink to the slave (the link is re-pointed
  on replug, as ``/dev/serial/by-id/`` names survive a replug while tty numbers change).

Misbehaviour on command: ``bounce()`` (several bytes within a few ms, as a cheap contact does), ``hold()``
(auto-repeat bytes while held), ``unplug()`` / ``replug()``. Every method is thread-safe and bounded.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
import tty
from pathlib import Path
from typing import Self

from kiosk.devices.button.sim_link import Pluggable, accept_clients, hang_up, listen_local, wait_until

DEFAULT_BYTE = 0x50  # 'P'


class ButtonSimulator(Pluggable):
    """Start with ``start()`` (or as a context manager); ``url`` is what the driver's config names."""

    def __init__(self, mode: str = "socket", *, port: int = 0, link: str | Path | None = None,
                 press_byte: int = DEFAULT_BYTE):
        if mode not in ("socket", "pty"):
            raise ValueError(f"mode '{mode}' is not socket or pty")
        self.mode, self.press_byte = mode, bytes([press_byte])
        self.sent = 0      # bytes delivered
        self.dropped = 0   # presses with nobody connected
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._port = port
        self._server: socket.socket | None = None
        self._client: socket.socket | None = None
        self._accepter: threading.Thread | None = None
        self._tmpdir: tempfile.TemporaryDirectory | None = None
        self._link = Path(link) if link else None
        self._master: int | None = None
        self._slave: int | None = None
        self.plugged = False

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> Self:
        if self.mode == "pty" and self._link is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="button-sim-")
            self._link = Path(self._tmpdir.name) / "ttyBUTTON"
        return super().start()

    def close(self) -> None:
        super().close()
        if self._link is not None and self.mode == "pty":
            with contextlib.suppress(FileNotFoundError):
                self._link.unlink()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()

    @property
    def url(self) -> str:
        """``socket://127.0.0.1:PORT`` or the pty link path, for the driver's ``port``."""
        if self.mode == "socket":
            return f"socket://127.0.0.1:{self._port}"
        return str(self._link)

    @property
    def pty_name(self) -> str | None:
        """The current ``/dev/pts/N`` behind the link (pty mode)."""
        return os.ttyname(self._slave) if self._slave is not None else None

    @property
    def connected(self) -> bool:
        """Socket mode: a driver is connected. Pty mode: the pty exists."""
        with self._lock:
            if self.mode == "pty":
                return self._master is not None
            if self._client is None:
                return False
            try:  # a driver that went away shows as EOF
                if self._client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    self._client.close()
                    self._client = None
            except BlockingIOError:
                pass
            except OSError:
                self._client.close()
                self._client = None
            return self._client is not None

    def wait_connected(self, timeout: float = 5.0) -> bool:
        return wait_until(lambda: self.connected, timeout)

    # -- the button ----------------------------------------------------------------------------------
    def press(self, count: int = 1, gap_s: float = 0.0) -> int:
        """Sends ``count`` press bytes ``gap_s`` apart. Returns how many were delivered."""
        delivered = 0
        for i in range(count):
            if i and gap_s:
                time.sleep(gap_s)
            delivered += self._send(self.press_byte)
        return delivered

    def send_raw(self, data: bytes) -> int:
        """Sends arbitrary bytes (e.g. noise that is not the press byte)."""
        return self._send(data)

    def bounce(self, edges: int = 5, spacing_ms: float = 2.0) -> int:
        """A bouncing press: ``edges`` bytes within a few ms."""
        return self.press(edges, spacing_ms / 1000)

    def hold(self, seconds: float, repeat_ms: float = 100.0) -> int:
        """A held press on a button that auto-repeats: a byte every ``repeat_ms`` for ``seconds``."""
        count = max(1, int(seconds * 1000 / repeat_ms))
        return self.press(count, repeat_ms / 1000)

    def unplug(self) -> None:
        """The cable is pulled: the connection drops and nothing answers until ``replug()``."""
        with self._lock:
            self.plugged = False
            hang_up(self._client, self._server)
            self._client = self._server = None
            for fd in (self._master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._master = self._slave = None
        if self._accepter is not None and self._accepter is not threading.current_thread():
            self._accepter.join(1.0)
            self._accepter = None

    def replug(self) -> None:
        """The cable is back: listen again on the same port, or a new pty behind the same link."""
        with self._lock:
            if self.plugged:
                return
            if self.mode == "socket":
                server = listen_local(self._port)
                self._port = server.getsockname()[1]
                self._server = server
                self._accepter = threading.Thread(target=accept_clients, args=(server, self._stop, self._adopt),
                                                  name="button-sim-accept", daemon=True)
                self._accepter.start()
            else:
                master, slave = os.openpty()
                tty.setraw(slave)
                self._master, self._slave = master, slave
                assert self._link is not None
                tmp = self._link.with_name(self._link.name + ".new")
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                tmp.symlink_to(os.ttyname(slave))
                tmp.replace(self._link)
            self.plugged = True

    # -- internals -----------------------------------------------------------------------------------
    def _adopt(self, server: socket.socket, conn: socket.socket) -> socket.socket | None | bool:
        with self._lock:
            if self._server is not server:  # accepted just as the cable was pulled
                return False
            old, self._client = self._client, conn
            return old

    def _send(self, data: bytes) -> int:
        with self._lock:
            try:
                if self.mode == "socket" and self._client is not None:
                    self._client.sendall(data)
                elif self.mode == "pty" and self._master is not None:
                    os.write(self._master, data)
                else:
                    self.dropped += 1
                    return 0
            except OSError:
                if self._client is not None:
                    self._client.close()
                self._client = None
                self.dropped += 1
                return 0
            self.sent += len(data)
            return 1
