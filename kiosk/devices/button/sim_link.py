"""The cable of the button simulators: a one-client TCP listener on 127.0.0.1 that can be unplugged.

Shared by :class:`~kiosk.devices.button.simulator.ButtonSimulator` (press bytes over ``socket://``) and
:class:`~kiosk.devices.button.contact_simulator.ContactSimulator` (a contact behind RFC 2217). Like a
serial line, one driver is connected at a time: a new connection replaces the old one. Every wait is
bounded (accept polls every 50 ms so a stop or an unplug is seen quickly).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Self

ACCEPT_POLL_S = 0.05


class Pluggable:
    """The lifecycle both simulators share: ``start()`` plugs the cable in (``replug()``), ``close()``
    stops every thread and unplugs; a context manager does both. Subclasses give ``replug``/``unplug``."""

    _stop: threading.Event

    def replug(self) -> None:
        raise NotImplementedError

    def unplug(self) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        self.replug()
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self.unplug()


def listen_local(port: int = 0) -> socket.socket:
    """A listener on ``127.0.0.1:port`` (0: any free port; the same port again on replug)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(2)
    server.settimeout(ACCEPT_POLL_S)
    return server


def hang_up(*socks: socket.socket | None) -> None:
    """Shuts down and closes each socket (None and already closed ones are fine): the peer sees EOF."""
    for sock in socks:
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def accept_clients(server: socket.socket, stop: threading.Event,
                   adopt: Callable[[socket.socket, socket.socket], socket.socket | None | bool]) -> None:
    """Accepts drivers until ``stop`` is set or ``server`` is closed (unplugged).

    ``adopt(server, conn)`` makes ``conn`` the connected client and returns the one it replaces (None if there
    was none), or False when ``server`` is no longer the simulator's listener (then ``conn`` is closed
    and the loop ends). The replaced client is hung up.
    """
    while not stop.is_set():
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        except OSError:
            return  # unplugged: the listener was closed
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        old = adopt(server, conn)
        if old is False:
            conn.close()
            return
        if isinstance(old, socket.socket):
            hang_up(old)


def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    """Polls ``check()`` every 10 ms for up to ``timeout`` s; True as soon as it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return False
