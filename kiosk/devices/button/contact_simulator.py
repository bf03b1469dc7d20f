"""A dry-contact call button behind a real RFC 2217 server, for :class:`ContactButton` over the network.

RFC 2217 (telnet COM-port control) carries the modem lines, which ``socket://`` cannot: the driver
opens ``rfc2217://127.0.0.1:PORT``, drives DTR high through it, and polls CTS, exactly as on a local
UART. Behind the server sits the button's wiring: DTR → contact → CTS, so CTS reads high only while the
contact is closed *and* the driver powers DTR. pyserial's own :class:`serial.rfc2217.PortManager` speaks
the protocol and pushes every line change to the driver (checked every 5 ms).

``press(hold_s)`` closes the contact for a moment, ``hold(s)`` keeps it closed, ``bounce()`` chatters it
for a few ms first, ``unplug()`` / ``replug()`` drop and restore the server. All bounded and thread-safe.
"""

from __future__ import annotations

import socket
import threading
import time

from serial import rfc2217

from kiosk.devices.button.sim_link import Pluggable, accept_clients, hang_up, listen_local, wait_until

CHECK_S = 0.005


class ContactWiring:
    """The hardware the RFC 2217 server controls: the port's lines and the contact between DTR and CTS."""

    def __init__(self) -> None:
        self.contact = False
        self.dtr = self.rts = self.break_condition = False
        self.baudrate, self.bytesize, self.parity, self.stopbits = 9600, 8, "N", 1
        self.xonxoff = self.rtscts = False

    @property
    def cts(self) -> bool:
        return self.contact and self.dtr

    dsr = ri = cd = False

    def reset_input_buffer(self) -> None:
        """Nothing is buffered: a contact sends no data."""

    def reset_output_buffer(self) -> None:
        """Nothing is buffered: a contact sends no data."""


class _Connection:
    def __init__(self, sock: socket.socket):
        self.sock, self._lock = sock, threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            self.sock.sendall(data)


class ContactSimulator(Pluggable):
    """``url`` is ``rfc2217://127.0.0.1:PORT``; one driver at a time, a new one replaces the old."""

    def __init__(self, port: int = 0):
        self.wiring = ContactWiring()
        self._port = port
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: socket.socket | None = None
        self._client: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self.plugged = False
        self.connections = 0

    @property
    def url(self) -> str:
        return f"rfc2217://127.0.0.1:{self._port}"

    @property
    def powered(self) -> bool:
        """True while a connected driver drives DTR high (the contact can be read)."""
        with self._lock:
            return self._client is not None and self.wiring.dtr

    def wait_powered(self, timeout: float = 5.0) -> bool:
        return wait_until(lambda: self.powered, timeout)

    # -- the button ----------------------------------------------------------------------------------
    def set_contact(self, closed: bool) -> None:
        self.wiring.contact = closed

    def press(self, hold_s: float = 0.15) -> None:
        """Closes the contact for ``hold_s`` seconds (blocks that long)."""
        self.hold(hold_s)

    def hold(self, seconds: float) -> None:
        self.wiring.contact = True
        time.sleep(seconds)
        self.wiring.contact = False

    def bounce(self, chatter: int = 5, spacing_ms: float = 2.0, hold_s: float = 0.15) -> None:
        """A cheap contact: ``chatter`` open/close flips ``spacing_ms`` apart, then a clean hold."""
        for i in range(chatter * 2):
            self.wiring.contact = i % 2 == 0
            time.sleep(spacing_ms / 1000)
        self.hold(hold_s)

    # -- cable ---------------------------------------------------------------------------------------
    def unplug(self) -> None:
        with self._lock:
            self.plugged = False
            hang_up(self._client, self._server)
            self._client = self._server = None
            threads, self._threads = self._threads, []
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(1.0)

    def replug(self) -> None:
        with self._lock:
            if self.plugged:
                return
            server = listen_local(self._port)
            self._port = server.getsockname()[1]
            self._server, self.plugged = server, True
            self._spawn(accept_clients, server, self._stop, self._adopt)

    def _spawn(self, target, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name="contact-sim", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _adopt(self, server: socket.socket, conn: socket.socket) -> socket.socket | None | bool:
        with self._lock:
            if self._server is not server:  # accepted just as the cable was pulled
                return False
            old, self._client = self._client, conn
            self.connections += 1
            self._spawn(self._serve, conn)
            return old

    def _serve(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(CHECK_S)
        self.wiring.dtr = self.wiring.rts = False
        try:
            manager = rfc2217.PortManager(self.wiring, _Connection(conn))
            while not self._stop.is_set():
                try:
                    data = conn.recv(1024)
                    if not data:
                        break
                    for _ in manager.filter(data):
                        pass  # bytes for the "port": a contact has nowhere to send them
                except TimeoutError:
                    pass
                manager.check_modem_lines()
        except OSError:
            pass  # the driver or unplug() closed the connection
        finally:
            with self._lock:
                if self._client is conn:
                    self._client = None
                    self.wiring.dtr = False
            conn.close()
