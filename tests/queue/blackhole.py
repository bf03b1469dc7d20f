"""A TCP proxy whose link can go silent, as a hall's Wi-Fi does: while ``cut`` nothing moves either way, no FIN
and no RST — bytes already sent wait in the proxy (like segments TCP keeps retransmitting) and are
delivered when the link returns, even if the browser gave up on them meanwhile."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class BlackholeProxy:
    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.open = threading.Event()
        self.open.set()
        self.closed = False
        self.delivered_late = 0  # chunks held during a cut and sent after it

    def __enter__(self) -> BlackholeProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.closed = True
        self.open.set()
        self.listener.close()

    def cut(self) -> None:
        self.open.clear()

    def restore(self) -> None:
        self.open.set()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while not self.closed:
                self.open.wait()
                data = src.recv(65536)
                if not data:
                    dst.shutdown(socket.SHUT_WR)  # pass the half-close on; the other way keeps going
                    return
                held = not self.open.is_set()
                while not self.open.is_set() and not self.closed:  # the link is down: hold it
                    time.sleep(0.05)
                if held:
                    self.delivered_late += 1
                dst.sendall(data)
        except OSError:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()
