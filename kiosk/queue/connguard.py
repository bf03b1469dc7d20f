"""Deadlines and caps on connections: slow or idle clients cannot hold the server's sockets.

uvicorn has no timeout for reading a request's head or body and counts half-open connections against
``limit_concurrency`` (so a slowloris would make it answer 503 to everybody). :class:`GuardedHttpTools` is
uvicorn's httptools protocol with these rules added (``uvicorn.Config(http=GuardedHttpTools)``):

- A connection must deliver a complete request head within ``header_timeout_s`` of connecting, and each
  further request on a kept-alive connection within ``header_timeout_s`` of its first byte; otherwise it
  gets ``408`` and is closed. An idle kept-alive connection is closed by uvicorn after ``timeout_keep_alive``.
- A request's body must arrive in full within ``body_timeout_s`` after its head; otherwise the connection
  is closed (the route sees the client as gone).
- An answer that stops moving because the client reads nothing (the socket's buffers full, uvicorn's
  writing paused) for ``answer_timeout_s`` (``--answer-timeout``, 30 s like the body's) is cut off (the connection aborted: closing would wait for the
  client to read). Before, pipelined requests for ``/openapi.json`` that were never read held their
  connections for ever, and 40 of them filled a server capped at 40: everyone else was refused.
- The server serves no WebSocket: an ``Upgrade`` header is ignored and the request answered as plain HTTP,
  silently. uvicorn used to hand such a connection to its WebSocket protocol, which never came back to
  :meth:`connection_lost` here: each upgrade request (answered 403) kept its address's count up for ever,
  and 100 of them locked the address — an IPv6 client's whole /64, a hall's LAN — out until a restart.
- A request's head (request line and headers) may be at most :data:`MAX_HEAD_BYTES`; a longer one gets
  ``431`` and the connection is closed (the parser would otherwise buffer a 50 MB header line in memory).
- At most ``max_connections`` connections are open, and at most ``max_per_address`` from one client
  address (an IPv6 client's whole /64, which one host can fill with addresses; trusted proxies excepted:
  every client behind them shares their address); a connection beyond either is closed at once, before a
  byte is read. When the server is full, a newcomer first takes the place of a connection that is doing
  nothing: one kept alive and idle after its answer, else one that has not sent a byte for a second or
  whose client has not read its answer for a second. A
  crowd of idle connections (2,000 from 20 addresses used to shut every new client out for 75 s)
  therefore never keeps a real client out.

Limits come from :func:`configure` (the ``serve`` process) or, in worker processes, from the environment
that ``serve`` exported (:data:`ENV`).
"""

from __future__ import annotations

import ipaddress
import os
from collections import Counter
from dataclasses import dataclass, field

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ENV = {"header_timeout_s": "KIOSK_QUEUE_HEADER_TIMEOUT", "body_timeout_s": "KIOSK_QUEUE_BODY_TIMEOUT",
       "max_connections": "KIOSK_QUEUE_MAX_CONNECTIONS", "max_per_address": "KIOSK_QUEUE_MAX_PER_ADDRESS",
       "trusted": "KIOSK_QUEUE_TRUSTED_PROXIES", "answer_timeout_s": "KIOSK_QUEUE_ANSWER_TIMEOUT"}
MAX_HEAD_BYTES = 32 * 1024  # nginx's default buffers for a head; the console's cookies are < 1 KiB
_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


@dataclass
class ConnLimits:
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections: int = 2000
    max_per_address: int = 100
    trusted: frozenset[str] = field(default_factory=frozenset)
    answer_timeout_s: float = 30.0  # an answer its client stops reading is cut off after this long

    def exported(self) -> dict[str, str]:
        values = {k: str(getattr(self, k)) for k in ENV if k != "trusted"} | {"trusted": ",".join(sorted(self.trusted))}
        return {ENV[k]: v for k, v in values.items()}

    @classmethod
    def from_env(cls) -> ConnLimits:
        d = cls()
        get = os.environ.get
        return cls(float(get(ENV["header_timeout_s"], d.header_timeout_s)),
                   float(get(ENV["body_timeout_s"], d.body_timeout_s)),
                   int(get(ENV["max_connections"], d.max_connections)),
                   int(get(ENV["max_per_address"], d.max_per_address)),
                   frozenset(a for a in get(ENV["trusted"], "").split(",") if a),
                   float(get(ENV["answer_timeout_s"], d.answer_timeout_s)))


_limits: ConnLimits | None = None
_per_address: Counter[str] = Counter()


def configure(limits: ConnLimits) -> None:
    global _limits
    _limits = limits


def limits() -> ConnLimits:
    global _limits
    if _limits is None:
        _limits = ConnLimits.from_env()
    return _limits


def address_key(address: str) -> str:
    """The per-address count's key: the address itself, or an IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return address


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with the deadlines and caps of the module docstring."""

    _deadline = None
    _address: str | None = None
    _in_head = False
    _head_bytes = 0
    _since = 0.0
    _stalled_at: float | None = None  # when the client stopped reading the answer (writing paused)
    _stall_deadline = None
    _running = None  # the request cycle being answered (uvicorn's ``cycle`` is the newest one parsed)

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._since = self.loop.time()
        lim = limits()
        raw = self.client[0] if self.client else None
        address = address_key(raw) if raw is not None else None
        crowded = address is not None and raw not in lim.trusted and _per_address[address] >= lim.max_per_address
        if crowded or (len(self.connections) > lim.max_connections and not self._evict_one()):
            transport.abort()  # refused before reading a byte
            return
        if address is not None:
            self._address = address
            _per_address[address] += 1
        self._start_head()

    def _evict_one(self) -> bool:
        """Closes one connection doing nothing (idle kept-alive, else silent for a second); False if none."""
        now, silent = self.loop.time(), None
        for p in self.connections:
            if p is self or not isinstance(p, GuardedHttpTools) or p.transport is None or p.transport.is_closing():
                continue
            if p.timeout_keep_alive_task is not None:  # answered, waiting for a next request that may never come
                p.transport.close()
                return True
            if silent is None and p._in_head and p._head_bytes == 0 and p.cycle is None and now - p._since > 1.0:
                silent = p
            if silent is None and p._stalled_at is not None and now - p._stalled_at > 1.0:
                silent = p
        if silent is not None:
            silent._cut_off() if silent._stalled_at is not None else silent.transport.close()
            return True
        return False

    def _should_upgrade_to_ws(self) -> bool:
        return False  # no WebSocket routes: the upgraded connection escaped the caps (module docstring)

    def _unsupported_upgrade_warning(self) -> None:
        pass  # answered as plain HTTP: no two log lines per request for anyone to send

    def _start_asgi_task(self, cycle, app) -> None:
        self._running = cycle
        super()._start_asgi_task(cycle, app)

    def _cut_off(self) -> None:
        """Aborts a connection whose client stopped reading (close() would wait for it)."""
        self._mark_gone()
        self.transport.abort()

    def _mark_gone(self) -> None:
        """Every unfinished answer of the connection learns that its client is gone. uvicorn marks only the
        newest pipelined request's, and the one being written then raised on the closed socket: a
        traceback in the log for each client that pipelined requests and hung up (a way to flood the log)."""
        pending = [c for c, _ in getattr(self, "pipeline", ())]
        for cycle in (self._running, self.cycle, *pending):
            if cycle is not None and not cycle.response_complete:
                cycle.disconnected = True
                cycle.message_event.set()

    def pause_writing(self) -> None:
        super().pause_writing()
        self._stalled_at = self.loop.time()
        if self._stall_deadline is None:
            self._stall_deadline = self.loop.call_later(limits().answer_timeout_s, self._stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._stalled_at = None
        if self._stall_deadline is not None:
            self._stall_deadline.cancel()
            self._stall_deadline = None

    def _stalled(self) -> None:
        """The client read nothing of the answer for ``answer_timeout_s``: aborted (close() would wait for it)."""
        self._stall_deadline = None
        if self.transport is not None and not self.transport.is_closing():
            self._cut_off()

    def connection_lost(self, exc) -> None:
        self._cancel()
        self._mark_gone()
        if self._stall_deadline is not None:
            self._stall_deadline.cancel()
            self._stall_deadline = None
        if self._address is not None:
            _per_address[self._address] -= 1
            if _per_address[self._address] <= 0:
                del _per_address[self._address]
            self._address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_head and not self.transport.is_closing():  # all of ``data`` was (part of) a head
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._cancel()
                if self.cycle is None or self.cycle.response_complete:
                    self.transport.write(_TOO_LARGE)
                self.transport.close()

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _start_head(self) -> None:
        self._cancel()
        self._in_head, self._head_bytes = True, 0
        self._deadline = self.loop.call_later(limits().header_timeout_s, self._expired)

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._in_head and (self.cycle is None or self.cycle.response_complete):
            self.transport.write(_TIMEOUT)
        self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:  # the first byte of a further request on a kept-alive connection
            self._start_head()

    def on_headers_complete(self) -> None:
        self._cancel()
        self._in_head = False
        self._deadline = self.loop.call_later(limits().body_timeout_s, self._expired)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._cancel()
        super().on_message_complete()
