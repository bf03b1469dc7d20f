"""The systemd notification protocol (``sd_notify``): datagrams of ``KEY=VALUE`` lines to the unix socket
named by ``$NOTIFY_SOCKET``.

:meth:`Notifier.from_environment` reads ``NOTIFY_SOCKET``, ``WATCHDOG_USEC`` and ``WATCHDOG_PID`` and
removes them from the environment, so child processes (the search index's helper, a printer tool) never
talk to systemd in the kiosk's name. Without ``NOTIFY_SOCKET`` every call does nothing, so the same code
runs under systemd, in a terminal and in tests.

The watchdog is ours when ``WATCHDOG_PID`` is unset or names this process or its parent: under ``cage``
the service's main process is the compositor and the kiosk is its child (the unit sets
``NotifyAccess=all`` so systemd takes the child's messages).

Written here rather than taken from PyPI: ``sdnotify`` (0.3.2, 2017) has no watchdog handling, and
``systemd-python`` needs libsystemd's headers and a compiler on the kiosk. The protocol is a few lines.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import MutableMapping

log = logging.getLogger(__name__)
_ENV = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")


def _clean(value: str) -> str:
    """A value fit for one ``KEY=VALUE`` line: no newlines, at most 400 characters."""
    return " ".join(str(value).split())[:400]


class Notifier:
    """Sends notifications to one socket address (``None``: a notifier that does nothing)."""

    def __init__(self, address: str | None, watchdog_usec: int | None = None):
        self.address = address
        self.watchdog_usec = watchdog_usec if address else None
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._warned = False

    @classmethod
    def from_environment(cls, environ: MutableMapping[str, str] | None = None, *, unset: bool = True) -> Notifier:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET") or None
        usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
        if unset:
            for name in _ENV:
                env.pop(name, None)
        if address and not (address.startswith("/") or address.startswith("@")):
            log.warning("NOTIFY_SOCKET=%r is neither a path nor an abstract socket; not notifying systemd", address)
            address = None
        watchdog = int(usec) if usec.isdigit() and int(usec) > 0 else None
        if watchdog and pid and pid not in (str(os.getpid()), str(os.getppid())):
            watchdog = None  # the watchdog belongs to another process of the service
        return cls(address, watchdog)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def watchdog_interval_s(self) -> float | None:
        """How often to send ``WATCHDOG=1``: half the timeout systemd set, or None when it set none."""
        return self.watchdog_usec / 2e6 if self.watchdog_usec else None

    def send(self, *lines: str, **fields: object) -> bool:
        """Sends ``lines`` (``"READY=1"``) and ``fields`` (``STATUS="…"``) in one datagram. Returns False
        when nothing was sent (not under systemd, or the socket refused); never raises."""
        if not self.address:
            return False
        text = "\n".join([*lines, *(f"{key}={_clean(value)}" for key, value in fields.items())])
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.sendto(text.encode("utf-8"), target)
                return True
            except OSError as err:
                if not self._warned:
                    log.warning("cannot notify systemd at %s: %s", self.address, err)
                    self._warned = True
                return False

    def ready(self, status: str | None = None) -> bool:
        return self.send("READY=1", **({"STATUS": status} if status else {}))

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.send(STATUS=text)

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
