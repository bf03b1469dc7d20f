"""PostgreSQL live events: ids final in id order below the horizon across two server processes, and a dropped LISTEN
connection that comes back and replays the gap to consoles that stayed connected."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from tests.queue.conftest import FakeClock, _pg_admin, auth
from tests.queue.sse import SseReader

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]


@pytest.fixture
def clock():
    """Now, not a fixed day: the server processes these tests start run on the real clock, and the
    sessions minted here must be valid there (they last 12 h)."""
    return FakeClock(datetime.now(UTC))


def _serve(db_url: str, state_dir) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "KIVY_NO_ARGS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "queue", "serve", "--db", db_url, "--state-dir",
                             str(state_dir), "--port", "0"], stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 30
    line = ""
    while "listening on" not in line:
        line = proc.stderr.readline()
        if (not line and proc.poll() is not None) or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("server did not start")
    return proc, line.strip().rsplit(" ", 1)[-1]


def _search_path(db_url: str) -> str:
    return db_url.split("search_path%3D", 1)[1]


def test_a_cursor_never_skips_an_event_committed_late_by_another_process(db_url, world, tmp_path, ctx):
    servers = [_serve(db_url, tmp_path) for _ in range(2)]
    schema = _search_path(db_url)
    seen: list[int] = []
    stop = threading.Event()

    def poll() -> None:  # what a console does on each reconnect: everything after the last id it has
        with _pg_admin() as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            cursor = 0
            while not stop.is_set():
                for (event_id,) in conn.execute("SELECT id FROM events WHERE id > %s AND id < kq_event_horizon() "
                                                "ORDER BY id", (cursor,)):  # final ids only (store.below_horizon)
                    seen.append(event_id)
                    cursor = event_id
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    li, wang = world.token("li"), world.token("wang")
    try:
        def call(i: int) -> None:
            base = servers[i % 2][1]
            body = world.request_body("k1", created_at=datetime.now(UTC).isoformat())  # real clock: no escalation
            with httpx.Client(timeout=20) as http:
                assert http.post(f"{base}/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"])
                                 ).status_code == 201
                other = servers[(i + 1) % 2][1]
                r = http.post(f"{other}/api/v1/requests/{body['id']}/claim", headers=auth(li if i % 3 else wang))
                assert r.status_code == 200, r.text

        with ThreadPoolExecutor(12) as pool:
            list(pool.map(call, range(150)))
    finally:
        deadline = time.monotonic() + 30  # the horizon passes them once every older transaction ended
        while len(seen) < 300 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)
        stop.set()
        poller.join(timeout=10)
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=10)
    with _pg_admin() as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        stored = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id")]
    assert len(stored) == 300
    assert seen == stored  # every id once, in order: no commit ever landed behind the cursor


def test_a_dropped_listen_connection_reconnects_and_replays_the_gap(live, world, ctx):
    listener = ctx.listener
    stream = f"{live.url}/api/v1/events/stream"
    kiosk = auth(world.kiosk_tokens["k1"])
    with SseReader(stream, world.token("li")) as li:
        before = world.request_body("k1")
        assert httpx.post(f"{live.url}/api/v1/requests", json=before, headers=kiosk, timeout=10).status_code == 201
        assert li.next(timeout=5)["data"]["request"]["id"] == before["id"]
        dropped = listener.backend_pid
        with _pg_admin() as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (dropped,)).fetchone()[0]
        gap = [world.request_body("k1") for _ in range(3)]  # sent while nobody LISTENs in this process
        for body in gap:
            assert httpx.post(f"{live.url}/api/v1/requests", json=body, headers=kiosk, timeout=10).status_code == 201
        got = [li.next(timeout=10) for _ in gap]
        assert [e["data"]["request"]["id"] for e in got] == [b["id"] for b in gap]
        assert listener.reconnects >= 1 and listener.backend_pid != dropped
        after = world.request_body("k1")  # live again, and nothing delivered twice
        assert httpx.post(f"{live.url}/api/v1/requests", json=after, headers=kiosk, timeout=10).status_code == 201
        assert li.next(timeout=5)["data"]["request"]["id"] == after["id"]
        with pytest.raises(Exception):  # noqa: B017 - queue.Empty: no duplicate of the replayed events
            li.next(timeout=0.5)
