"""A real server (uvicorn) with a console that stops reading: it gets ``resync`` when it reads again, the
server holds a bounded amount for it, and a console that keeps reading gets every event in order."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest

from kiosk.queue.events import to_live
from tests.queue.sse import SseReader

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def big_event(i: int) -> dict:
    return {"id": i, "type": "request.created", "at": datetime(2026, 11, 28, tzinfo=UTC), "actor": "kiosk:k1",
            "site_code": "T1", "escalated_to": None, "data": {"request": {"id": f"r{i}", "note": "x" * 50_000}}}


def open_stalled(url: str, token: str) -> socket.socket:
    """An SSE request on a socket with a tiny receive buffer that is then not read."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.sendall(f"GET /api/v1/events/stream HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    return sock


def read_until(sock: socket.socket, needle: bytes, timeout: float) -> bytes:
    sock.settimeout(1.0)
    data, end = b"", time.monotonic() + timeout
    while needle not in data and time.monotonic() < end:
        try:
            chunk = sock.recv(1 << 20)
        except TimeoutError:
            continue
        if not chunk:
            break
        data = data[-200:] + chunk  # keep only the tail: the needle is near the end
    return data


def test_a_stalled_console_gets_resync_while_a_reading_one_gets_everything(live, world, ctx):
    ctx.bus.max_lag = 20
    ctx.bus.overload_delay_s = ctx.bus.max_delay_s  # 10 MB of pushes may overload a loaded machine: no shedding here
    stream = f"{live.url}/api/v1/events/stream"
    stalled = open_stalled(live.url, world.token("wang"))
    try:
        with SseReader(stream, world.token("li"), max_s=120) as reader:
            deadline = time.monotonic() + 10
            while ctx.bus.subscribers < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert ctx.bus.subscribers == 2
            held, got = 0, []
            for first in range(1, 201, 10):  # 10 MB in all: far more than the stalled socket's buffers take
                ctx.bus.publish([to_live(big_event(i)) for i in range(first, first + 10)])
                got += [reader.next(timeout=30)["id"] for _ in range(10)]  # the reading console keeps up
                held = max(held, ctx.bus.backlog)
            assert got == [str(i) for i in range(1, 201)]  # in order, none missing, not held up
            assert held <= 2 * ctx.bus.max_lag  # frames kept for the stalled console are bounded
            tail = read_until(stalled, b"event: resync", timeout=60)  # it reads again: told to reload
            assert b"event: resync" in tail
            assert ctx.bus.resyncs >= 1 and ctx.bus.subscribers == 2  # still connected, live from here
    finally:
        stalled.close()


def test_under_a_write_budget_events_are_coalesced_not_delayed_without_bound(live, world, ctx):
    """A busy process spaces its writes to each console (here a budget of 10 writes a second: one console
    gets one write per 100 ms): 100 events in a second arrive in order, in far fewer writes, none late by
    more than the spacing plus a loaded machine's margin."""
    ctx.metrics.write_budget = 10
    ctx.bus.overload_delay_s = ctx.bus.max_delay_s  # about spacing, not shedding (a loaded machine may lag)
    with SseReader(f"{live.url}/api/v1/events/stream", world.token("li"), max_s=60) as reader:
        deadline = time.monotonic() + 10
        while ctx.bus.subscribers < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the monitor has seen the console: writes spaced by 100 ms
        writes0, sent = ctx.bus.writes, {}
        for i in range(1, 101):
            sent[str(i)] = time.monotonic()
            ctx.bus.publish([to_live({**big_event(i), "data": {"request": {"id": f"r{i}"}}})])
            time.sleep(0.01)
        got = [reader.next(timeout=30) for _ in range(100)]
    assert [e["id"] for e in got] == [str(i) for i in range(1, 101)]
    writes = ctx.bus.writes - writes0
    assert writes <= 40, writes  # ~10-20 writes carried 100 events (not 100 writes)
    late = max(e["t"] - sent[e["id"]] for e in got)
    assert late < 2.0, late  # bounded by the spacing (0.1 s) and the machine, not by the number of events
