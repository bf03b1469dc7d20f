"""A small server-sent-events reader for tests and benchmarks (httpx streaming, in a thread)."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time

import httpx


class SseReader:
    """Connects to ``url`` and puts each event (``{"id", "event", "data", "t"}``) on :attr:`events`.

    Stops when :meth:`close` is called or after ``max_s``; ``ready`` is set once the response headers
    arrived (the subscription is live on the server from then on)."""

    def __init__(self, url: str, token: str, last_event_id: int | None = None, max_s: float = 30.0):
        self.url, self.token, self.last_event_id, self.max_s = url, token, last_event_id, max_s
        self.events: queue.Queue[dict] = queue.Queue()
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._socket: socket.socket | None = None

    def __enter__(self) -> SseReader:
        self._thread.start()
        if not self.ready.wait(10):
            raise RuntimeError(f"no SSE response from {self.url}")
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        sock = self._socket
        if sock is not None:  # wakes the reader blocked in recv at once (else: at the server's next ping)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        deadline = time.monotonic() + self.max_s
        try:
            with httpx.stream("GET", self.url, headers=headers, timeout=httpx.Timeout(5.0, read=30)) as r:
                r.raise_for_status()
                stream = r.extensions.get("network_stream")
                self._socket = stream.get_extra_info("socket") if stream is not None else None
                self.ready.set()
                current: dict = {}
                for line in r.iter_lines():
                    if self._stop.is_set() or time.monotonic() > deadline:
                        return
                    if not line:
                        if "data" in current:
                            current["t"] = time.monotonic()
                            current["data"] = json.loads(current["data"])
                            self.events.put(current)
                        current = {}
                    elif not line.startswith(":"):
                        key, _, value = line.partition(":")
                        current[key] = value[1:] if value.startswith(" ") else value
        except (httpx.HTTPError, RuntimeError, OSError):
            self.ready.set()

    def next(self, timeout: float = 5.0, skip: tuple[str, ...] = ("hello",)) -> dict:
        """The next event (ignoring ``skip`` types); raises queue.Empty after ``timeout``."""
        end = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.01, end - time.monotonic()))
            if event.get("event") not in skip:
                return event
