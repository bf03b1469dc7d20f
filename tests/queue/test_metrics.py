"""``/metrics`` (Prometheus text, operator only) and ``/healthz`` (overload state), and how the loop lag
turns into overload and coalesced pushes."""

from __future__ import annotations

import time

import httpx
import pytest

from kiosk.queue.fanout import EventBus
from kiosk.queue.metrics import Metrics
from kiosk.queue.ops.inspect import key_material
from kiosk.queue.ops.live import ops_token
from tests.queue.conftest import auth
from tests.queue.sse import SseReader

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def samples(text: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line and not line.startswith("#")}


@SQLITE
def test_metrics_are_for_the_operator_only_and_count_requests_streams_and_pushes(live, world, ctx):
    url = live.url
    assert httpx.get(f"{url}/metrics", timeout=10).status_code == 404  # nobody else learns it exists
    assert httpx.get(f"{url}/metrics", headers=auth("kqo_" + "0" * 64), timeout=10).status_code == 404
    assert httpx.get(f"{url}/metrics", headers=auth(world.token("mgr")), timeout=10).status_code == 404
    operator = auth(ops_token(key_material(ctx.settings.state_dir)[0]))
    with SseReader(f"{url}/api/v1/events/stream", world.token("li")) as li:
        for _ in range(3):
            r = httpx.post(f"{url}/api/v1/requests", json=world.request_body("k1"),
                           headers=auth(world.kiosk_tokens["k1"]), timeout=10)
            assert r.status_code == 201
        for _ in range(3):
            li.next(timeout=10)
        r = httpx.get(f"{url}/metrics", headers=operator, timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
    m = samples(r.text)
    assert m['kq_requests_total{kind="create",status="201"}'] == 3
    assert m['kq_request_seconds_count{kind="create"}'] == 3
    assert m['kq_request_seconds_bucket{kind="create",le="+Inf"}'] == 3
    assert m["kq_event_streams"] == 1 and m["kq_event_audiences"] == 1
    assert m["kq_events_published_total"] >= 3 and m["kq_push_frames_total"] >= 3
    assert m["kq_push_resyncs_total"] == 0 and m["kq_overloaded"] in (0, 1)
    assert "# TYPE kq_request_seconds histogram" in r.text
    assert "张" not in r.text and "A017" not in r.text  # figures only, nothing of a request


@SQLITE
def test_healthz_shows_a_blocked_event_loop_as_overloaded(live, ctx):
    first = httpx.get(f"{live.url}/healthz", timeout=10).json()
    assert first["ok"] is True and set(first) == {"ok", "overloaded", "loop_lag_ms", "cpu", "pid"}
    loop = ctx.bus._loop

    def spin() -> None:  # the loop's own work takes 0.6 s: every waiting handler and console write with it
        end = time.monotonic() + 0.6
        while time.monotonic() < end:
            pass

    seen = []
    for _ in range(8):
        loop.call_soon_threadsafe(spin)
        seen.append(httpx.get(f"{live.url}/healthz", timeout=10).json())
        if seen[-1]["overloaded"]:
            break
    assert any(h["overloaded"] and h["loop_lag_ms"] >= 100 for h in seen), seen


def test_lag_sets_overload_and_coalescing_and_both_decay_when_quiet():
    m, bus = Metrics(overload_s=0.1), EventBus()
    m.sample(0.001, bus, cpu=0.05)
    assert not m.overloaded and bus.coalesce_s == 0
    m.sample(0.06, bus, cpu=1.0)  # late, but not by the threshold
    assert not m.overloaded and bus.coalesce_s == 0
    m.sample(0.6, bus, cpu=1.0)
    assert m.overloaded and m.overload_episodes == 1 and bus.coalesce_s == 0.25
    m.sample(0.02, bus, cpu=1.0)  # the recent lag decays: 0.48 s, half of it 0.24
    assert 0.2 < bus.coalesce_s < 0.25 and m.overload_episodes == 1
    for _ in range(40):  # four seconds of quiet samples
        m.sample(0.0, bus, cpu=0.05)
    assert not m.overloaded and bus.coalesce_s == 0 and m.overloaded_since is None
    assert m.lag_max == 0.6 and m.cpu_recent < 0.1


def test_writes_to_consoles_are_spaced_to_stay_within_the_budget():
    m, bus = Metrics(write_budget=10_000), EventBus()
    subs = [bus.subscribe(frozenset({f"S{i % 10}"})) for i in range(1000)]
    m.sample(0.0, bus, cpu=0.5)
    assert bus.coalesce_s == 0.1  # 1,000 consoles writing every 100 ms: 10,000 writes a second at most
    for sub in subs[100:]:
        bus.unsubscribe(sub)
    m.sample(0.0, bus, cpu=0.5)
    assert bus.coalesce_s == 0.01


@SQLITE
def test_metrics_token_command_prints_the_token_metrics_accepts(live, ctx, capsys):
    from kiosk.cli import main

    assert main(["queue", "metrics-token", "--state-dir", str(ctx.settings.state_dir)]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("kqo_")
    assert httpx.get(f"{live.url}/metrics", headers=auth(token), timeout=10).status_code == 200
    assert main(["queue", "metrics-token", "--state-dir", str(ctx.settings.state_dir / "nowhere")]) == 2
