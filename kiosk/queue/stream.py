"""``GET /api/v1/events/stream``: the server-sent events response, written straight to ASGI.

Contract
- The route (kiosk/queue/api_staff.py) authenticates and subscribes; :class:`EventStream` then writes:
  a ``hello`` event on a fresh start, or the events after the given id read from the table (``resync``
  instead when more than 1,000 are missing, or when more than ``store.CATCH_UP_SCAN`` events of any site
  came since: the table is not walked to the end for a quiet site's console), then live frames from the bus as they come, several per
  write when several are waiting (:mod:`kiosk.queue.fanout`). A comment line (``: ping``) goes out
  after ``ping_s`` of silence, so proxies and browsers keep the connection (``ping_frame``: an event the
  page's script can see instead — the console's watchdog, ``?beat=1``).
- The session is checked again every ``recheck_s`` (:mod:`kiosk.queue.keeper`, for all streams in one
  query): the stream ends once it was logged out, reset or disabled. The stream ends when the client
  goes away; its subscription is dropped at once.
- A console that cannot keep up gets ``resync`` (see fanout); it is never waited for.
- On uvicorn's httptools protocol a live write goes straight to the transport as one chunk
  (:func:`direct_writer`), through ``send`` only while the transport is paused or the client gone.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable

from starlette.responses import Response

from kiosk.queue.events import sse_frame, to_json_bytes
from kiosk.queue.fanout import EventBus, Subscriber, resync_frame
from kiosk.queue.hotpath import RAW_SEND
from kiosk.queue.keeper import StreamKeeper

HELLO = b'event: hello\r\ndata: {"type":"hello"}\r\n\r\n'
PING = b": ping\r\n\r\n"
BACKLOG = 1000
SEND_BUFFER = 64 * 1024
HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store"),
           (b"x-accel-buffering", b"no"), (b"connection", b"keep-alive")]


def small_buffers(send) -> None:
    """Keeps what a slow console has in flight small (kernel and transport buffers: ~64 KiB each, not
    megabytes), so its writes block early and it gets ``resync`` instead of seconds-old events."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)  # uvicorn's protocol cycle
    if transport is None:
        return
    try:
        transport.set_write_buffer_limits(high=SEND_BUFFER)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    except (OSError, AttributeError, ValueError):
        pass


def direct_writer(send) -> Callable[[bytes], bool] | None:
    """uvicorn's chunked body write without its ``send`` (a message dict, its checks and a coroutine per
    write: about half a console write's CPU, profiled under bench_queue_scale): ``write(data)`` frames
    one chunk onto the transport and returns True, or False when ``send`` must do it (the transport is
    paused for a slow console — ``send`` waits for it to drain — or the client is gone). None unless
    ``send`` is uvicorn's httptools cycle with a chunked response started."""
    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

    cycle = getattr(send, "__self__", None)
    try:  # uvicorn's internals, not its API: any other shape (another release) keeps the plain ``send``
        if not isinstance(cycle, RequestResponseCycle) or cycle.chunked_encoding is not True \
                or not cycle.response_started:
            return None
        transport, flow = cycle.transport, cycle.flow
        flow.write_paused, cycle.disconnected, cycle.response_complete  # noqa: B018 (all must exist)
    except AttributeError:
        return None

    def write(data: bytes) -> bool:
        if flow.write_paused or cycle.disconnected or cycle.response_complete:
            return False
        transport.write(b"%x\r\n%s\r\n" % (len(data), data))
        return True

    return write


class EventStream(Response):
    """An ASGI response: the live events of one console."""

    def __init__(self, bus: EventBus, sub: Subscriber, *, start: int | None,
                 backlog: Callable[[int, int], Awaitable[tuple[list[dict], int | None]]], keeper: StreamKeeper, token_hash: str,
                 ping_s: float | None = None, ping_frame: Callable[[], bytes] | None = None):
        self.bus, self.sub, self.start = bus, sub, start
        self.backlog, self.keeper, self.token_hash = backlog, keeper, token_hash
        self.ping_s = keeper.ping_s if ping_s is None else ping_s
        self.ping_frame = ping_frame  # the console's visible keep-alive (``event: ping``), else a comment
        self.status_code = 200
        self.background = None
        self.raw_headers = list(HEADERS)

    async def _first(self) -> bytes:
        if self.start is None:
            return HELLO
        events, behind = await self.backlog(self.start, BACKLOG + 1)
        if behind is not None or len(events) > BACKLOG:  # the console reloads instead; live from here on
            self.sub.after = behind if behind is not None else events[-1]["id"]
            return resync_frame(self.sub.after)
        if events:
            self.sub.after = events[-1]["id"]
        return b"".join(sse_frame(e["id"], e["type"], to_json_bytes(e)) for e in events) or PING

    async def __call__(self, scope, receive, send) -> None:
        sub, keeper = self.sub, self.keeper

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            sub.close()

        watcher = asyncio.create_task(watch())
        keeper.add(self.token_hash, sub)  # session re-checks and keep-alive wake-ups, for all streams at once
        pump = None
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": await self._first(), "more_body": True})
            # The live part runs in its own task on the server's own send: waking it resumes one short
            # coroutine, not the whole middleware and routing stack above (which only touches the head).
            raw = scope.get(RAW_SEND, send)
            small_buffers(raw)
            pump = asyncio.create_task(self._pump(raw))
            await pump
        except OSError:  # the client went away mid-write
            pass
        finally:
            if pump is not None:
                pump.cancel()
            watcher.cancel()
            keeper.remove(self.token_hash, sub)
            self.bus.unsubscribe(sub)

    async def _pump(self, send) -> None:
        sub, bus, ping_s = self.sub, self.bus, self.ping_s - 0.05  # (a wake-up may come a hair early)
        write = direct_writer(send)
        last_write = time.monotonic()
        while not sub.closed:
            await sub.wake.wait()
            sub.wake.clear()
            if sub.closed:
                break
            wait = bus.coalesce_s - (time.monotonic() - last_write)
            if wait > 0:  # several events per write: the pushes' cost stays within budget
                await asyncio.sleep(wait)
            data = bus.take(sub)
            now = time.monotonic()
            if not data and now - last_write >= ping_s:
                data = self.ping_frame() if self.ping_frame else PING
            if data:
                if write is None or not write(data):
                    await send({"type": "http.response.body", "body": data, "more_body": True})
                last_write = now
        await send({"type": "http.response.body", "body": b"", "more_body": False})
