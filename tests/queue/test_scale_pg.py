"""Several server processes on PostgreSQL: every event reaches every console exactly once and in order,
whichever process holds the console's stream and whichever process took the write (LISTEN/NOTIFY)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from tests.queue.conftest import FakeClock, _pg_admin, auth
from tests.queue.sse import SseReader
from tests.queue.test_events_pg import _search_path, _serve

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]
CALLS = 60


@pytest.fixture
def clock():
    """The real clock: the server processes run on it, and the sessions minted here must be valid there."""
    return FakeClock(datetime.now(UTC))


def _stored(db_url: str, sites: set[str]) -> list[tuple[int, str]]:
    with _pg_admin() as conn:
        conn.execute(f'SET search_path TO "{_search_path(db_url)}"')
        rows = conn.execute("SELECT id, type, site_code, escalated_to FROM events ORDER BY id").fetchall()
    return [(r[0], r[1]) for r in rows if r[2] in sites or r[3] in sites]


def _traffic(world, urls: list[str]) -> None:
    """Kiosks of two sites create through one process, helpers claim through another, in parallel."""
    sessions = {helper: world.token(helper) for helper in ("li", "zhao")}  # a helper's one session, as a console

    def call(i: int) -> None:
        kiosk, helper = ("k1", "li") if i % 3 else ("k2", "zhao")
        body = world.request_body(kiosk, created_at=datetime.now(UTC).isoformat())
        with httpx.Client(timeout=30) as http:
            r = http.post(f"{urls[i % len(urls)]}/api/v1/requests", json=body, headers=auth(world.kiosk_tokens[kiosk]))
            assert r.status_code == 201, r.text
            r = http.post(f"{urls[(i + 1) % len(urls)]}/api/v1/requests/{body['id']}/claim",
                          headers=auth(sessions[helper]))
            assert r.status_code == 200, r.text

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(call, range(CALLS)))


def _collect(reader: SseReader, expected: int) -> list[tuple[int, str]]:
    got = []
    while len(got) < expected:
        e = reader.next(timeout=30)
        got.append((int(e["id"]), e["event"]))
    time.sleep(0.5)
    assert reader.events.empty(), "an event arrived twice or was not expected"
    return got


def test_two_processes_deliver_every_event_to_every_console_once_in_order(db_url, world, tmp_path, ctx):
    servers = [_serve(db_url, tmp_path) for _ in range(2)]
    urls = [base for _, base in servers]
    consoles: dict = {}
    try:
        t1, t2 = world.token("wang"), world.token("zhao")
        consoles = {  # (process, caller): the sites it sees
            "A wang": (SseReader(f"{urls[0]}/api/v1/events/stream", t1, max_s=120), {"T1"}),
            "B wang": (SseReader(f"{urls[1]}/api/v1/events/stream", t1, max_s=120), {"T1"}),
            "B zhao": (SseReader(f"{urls[1]}/api/v1/events/stream", t2, max_s=120), {"T2"}),
            "A sup": (SseReader(f"{urls[0]}/api/v1/events/stream", world.token("sup"), max_s=120),
                      {"D", "T1", "T2"}),
        }
        for reader, _ in consoles.values():
            reader.__enter__()
        time.sleep(0.5)  # the subscriptions are live once the hello went out
        _traffic(world, urls)
        for name, (reader, sites) in consoles.items():
            expected = _stored(db_url, sites)
            assert len(expected) >= 2 * CALLS // 3
            assert _collect(reader, len(expected)) == expected, name  # all, once, in id order
        _one_answers_for_both(tmp_path, urls[0], [proc.pid for proc, _ in servers])
    finally:
        for reader, _ in consoles.values():
            reader.close()
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=10)


def _one_answers_for_both(state_dir, url: str, pids: list[int]) -> None:
    """/metrics and ops/live of one process cover both (they share the state directory): 2 streams each."""
    from kiosk.queue.ops.inspect import key_material
    from kiosk.queue.ops.live import PATH, ops_token

    operator = auth(ops_token(key_material(state_dir)[0]))
    deadline, live = time.monotonic() + 30, {}
    while time.monotonic() < deadline and len(live.get("processes", [])) < 2:  # each writes once a second
        time.sleep(0.2)
        live = httpx.get(url + PATH, headers=operator, timeout=10).json()
    assert live["consoles"] == 4 and sorted(p["pid"] for p in live["processes"]) == sorted(pids)
    text = httpx.get(f"{url}/metrics", headers=operator, timeout=10).text
    for pid in pids:
        assert f'kq_event_streams{{process="{pid}"}} 2' in text
    assert text.count("# TYPE kq_event_streams gauge") == 1


@pytest.mark.slow
def test_serve_workers_2_on_postgres(db_url, world, tmp_path, ctx):
    env = {**os.environ, "KIVY_NO_ARGS": "1"}
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "queue", "serve", "--db", db_url, "--state-dir",
                             str(tmp_path), "--port", str(port), "--workers", "2"], stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + 60
        while len(pids) < 2 and time.monotonic() < deadline:
            try:  # a new connection each time: the kernel hands them to either worker
                pids.add(httpx.get(f"{url}/healthz", headers={"Connection": "close"}, timeout=5).json()["pid"])
            except httpx.HTTPError:
                time.sleep(0.2)
        assert pids, "the workers did not start"
        readers = [SseReader(f"{url}/api/v1/events/stream", world.token("wang"), max_s=120) for _ in range(6)]
        for r in readers:
            r.__enter__()
        time.sleep(0.5)
        _traffic(world, [url])
        expected = _stored(db_url, {"T1"})
        for r in readers:
            assert _collect(r, len(expected)) == expected
            r.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
