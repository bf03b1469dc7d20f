"""``GET /api/v1/events/stream``: the server-sent events response, written straight to ASGI.

Contract
- The route (kiosk/queue/api_staff.py) authenticates and subscribes; :class:`EventStream` then writes:
  a ``hello`` event on a fresh start, or the events after the given id read from the table (``resync``
  instead when more than 1,000 are missing), then live frames from the bus as they come, several per
  write when several are waiting (:mod:`kiosk.queue.fanout`). A comment line (``: ping``) goes out
  after ``ping_s`` of silence, so proxies and browsers keep the connection (``ping_frame``: an event the
  page's script can see instead — the console's watchdog, ``?beat=1``).
- The session is checked again every ``recheck_s``: the stream ends once it was logged out, reset or
  disabled. The stream ends when the client goes away; its subscription is dropped at once.
- A console that cannot keep up gets ``resync`` (see fanout); it is never waited for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from starlette.responses import Response

from kiosk.queue.events import sse_frame, to_json_bytes
from kiosk.queue.fanout import EventBus, Subscriber

HELLO = b'event: hello\r\ndata: {"type":"hello"}\r\n\r\n'
PING = b": ping\r\n\r\n"
BACKLOG = 1000
HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store"),
           (b"x-accel-buffering", b"no"), (b"connection", b"keep-alive")]


class EventStream(Response):
    """An ASGI response: the live events of one console."""

    def __init__(self, bus: EventBus, sub: Subscriber, *, start: int | None,
                 backlog: Callable[[int, int], Awaitable[list[dict]]], still_valid: Callable[[], Awaitable[bool]],
                 ping_s: float = 15.0, recheck_s: float = 5.0, ping_frame: Callable[[], bytes] | None = None):
        self.bus, self.sub, self.start = bus, sub, start
        self.backlog, self.still_valid = backlog, still_valid
        self.ping_s, self.recheck_s = ping_s, recheck_s
        self.ping_frame = ping_frame  # the console's visible keep-alive (``event: ping``), else a comment
        self.status_code = 200
        self.background = None
        self.raw_headers = list(HEADERS)

    async def _first(self) -> bytes:
        if self.start is None:
            return HELLO
        events = await self.backlog(self.start, BACKLOG + 1)
        if len(events) > BACKLOG:
            self.sub.after = events[-1]["id"]  # the console reloads instead; live from here on
            return sse_frame(events[-1]["id"], "resync", b'{"type":"resync","id":%d}' % events[-1]["id"])
        if events:
            self.sub.after = events[-1]["id"]
        return b"".join(sse_frame(e["id"], e["type"], to_json_bytes(e)) for e in events) or PING

    async def __call__(self, scope, receive, send) -> None:
        sub, bus = self.sub, self.bus

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            sub.close()

        watcher = asyncio.create_task(watch())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": await self._first(), "more_body": True})
            checked = last_write = time.monotonic()
            tick = min(self.ping_s, self.recheck_s)
            while not sub.closed:
                try:
                    async with asyncio.timeout(tick):
                        await sub.wake.wait()
                except TimeoutError:
                    pass
                woken = sub.wake.is_set()
                sub.wake.clear()
                now = time.monotonic()
                if now - checked >= self.recheck_s:
                    if not await self.still_valid():
                        break
                    checked = now
                if sub.closed:
                    break
                if not woken:
                    if now - last_write >= self.ping_s - 0.05:  # (a timer may wake a hair early)
                        ping = self.ping_frame() if self.ping_frame else PING
                        await send({"type": "http.response.body", "body": ping, "more_body": True})
                        last_write = now
                    continue
                wait = bus.coalesce_s - (now - last_write)
                if wait > 0:  # busy server: several events per write, fewer wake-ups
                    await asyncio.sleep(wait)
                data = bus.take(sub)
                if data:
                    await send({"type": "http.response.body", "body": data, "more_body": True})
                    last_write = time.monotonic()
            if not sub.closed:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client went away mid-write
            pass
        finally:
            watcher.cancel()
            bus.unsubscribe(sub)
