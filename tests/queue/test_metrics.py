"""``/metrics`` (Prometheus text, operator only) and ``/healthz`` (overload state), and how the loop lag
turns into overload and coalesced pushes."""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import httpx
import pytest

from kiosk.queue.fanout import EventBus
from kiosk.queue.metrics import Metrics
from kiosk.queue.metrics_share import text as render
from kiosk.queue.ops.inspect import key_material
from kiosk.queue.ops.live import ops_token
from tests.queue.conftest import auth
from tests.queue.sse import SseReader

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def samples(text: str) -> dict[str, float]:
    """By name and labels, this process's ``process="<pid>"`` label left out."""
    own = f'process="{os.getpid()}"'
    return {line.rsplit(" ", 1)[0].replace("{" + own + "}", "").replace(own + ",", ""): float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line and not line.startswith("#")}


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


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_metrics_count_the_group_commits_flushes_on_postgres(live, world, ctx):
    operator = auth(ops_token(key_material(ctx.settings.state_dir)[0]))
    for _ in range(3):
        r = httpx.post(f"{live.url}/api/v1/requests", json=world.request_body("k1"),
                       headers=auth(world.kiosk_tokens["k1"]), timeout=10)
        assert r.status_code == 201
    m = samples(httpx.get(f"{live.url}/metrics", headers=operator, timeout=10).text)
    loop, threads = (m[f'kq_db_flush_waits_total{{path="{p}"}}'] for p in ("loop", "threads"))
    assert loop >= 2 and threads >= 1  # (the first create, its site not cached yet, went through a thread)
    assert 1 <= m['kq_db_flushes_total{path="loop"}'] <= loop


@SQLITE
def test_healthz_shows_a_blocked_event_loop_as_overloaded(live, ctx):
    first = httpx.get(f"{live.url}/healthz", timeout=10).json()
    assert first["ok"] is True and set(first) == {"ok", "status", "overloaded", "loop_lag_ms", "cpu", "calls_waiting", "pid"}
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
    assert "kiosk queue serve once" in capsys.readouterr().err  # what to do, not only what is missing


def test_overload_sheds_stale_pushes_and_healthz_says_degraded_until_it_is_over():
    now = [100.0]
    m, bus = Metrics(overload_s=0.1, clock=lambda: now[0]), EventBus()
    m.sample(0.0, bus)
    assert m.health()["status"] == "ok" and not bus.overloaded
    m.sample(0.6, bus)  # the loop lags 600 ms: degraded at once, but one spike does not shed yet
    assert not bus.overloaded and m.health()["status"] == "degraded" and m.health()["overloaded"]
    now[0] += 1.0
    m.sample(0.3, bus)  # still lagging a second later: the bus sheds what waited more than a second
    assert bus.overloaded and m.health()["status"] == "degraded"
    for _ in range(40):  # four seconds of quiet samples
        m.sample(0.0, bus)
    assert not bus.overloaded and m.health()["status"] == "ok"
    bus.shed_frames += 7  # a console fell behind (a stalled browser): its frames were dropped for a resync
    m.sample(0.0, bus)
    assert m.health()["status"] == "degraded" and not m.health()["overloaded"]
    now[0] += 61  # a minute with no more shed pushes
    m.sample(0.0, bus)
    assert m.health()["status"] == "ok"
    m.sample(0.0, bus, calls=(16, 200))  # the loop keeps up, but requests queue for the service threads
    assert m.health()["status"] == "degraded" and not m.health()["overloaded"]
    m.sample(0.0, bus, calls=(3, 0))
    assert m.health()["status"] == "ok"
    text = render(m.families(SimpleNamespace(bus=bus, queue=None, db=None, listener=None)))
    assert "kq_push_shed_frames_total 7" in text and "kq_degraded 0" in text
    assert 'kq_push_delay_seconds_bucket{le="+Inf"} 0' in text and "kq_event_to_bus_seconds_count 0" in text


def test_every_process_on_the_machine_answers_for_all_of_them(tmp_path):
    from kiosk.queue.metrics_share import Share, live_counts, merged

    now = [5000.0]
    folder = tmp_path / "metrics"
    a, b, gone = (Share(folder, pid, clock=lambda: now[0]) for pid in (101, 102, 103))
    fams = [("kq_push_frames_total", "counter", "Event frames written", [("", {}, 7)]),
            ("kq_request_seconds", "histogram", "First byte", [("_count", {"kind": "create"}, 2)])]
    gone.write(fams, {"consoles": 50})
    now[0] += 11  # that process stopped writing more than FRESH_S ago: killed, not counted
    b.write(fams, {"consoles": 30})
    body = render(merged(fams, a.pid, a.others()))
    assert body.count("# TYPE kq_push_frames_total counter") == 1  # one family, both processes' samples
    assert 'kq_push_frames_total{process="101"} 7' in body and 'kq_push_frames_total{process="102"} 7' in body
    assert 'kq_request_seconds_count{process="102",kind="create"} 2' in body and 'process="103"' not in body
    assert live_counts({"consoles": 20}, a.pid, a.others()) == {
        "consoles": 50, "processes": [{"pid": 101, "consoles": 20}, {"pid": 102, "consoles": 30}]}
    b.remove()
    assert a.others() == []


def test_a_state_directory_that_cannot_be_written_costs_one_warning_not_the_server(tmp_path, caplog):
    from kiosk.queue.metrics_share import Share

    (tmp_path / "metrics").write_text("a file where the folder should be")
    share = Share(tmp_path / "metrics", 201)
    for _ in range(3):
        share.write([("kq_x_total", "counter", "x", [("", {}, 1)])], {"consoles": 0})
    assert sum("could not share" in r.getMessage() for r in caplog.records) == 1
    assert share.others() == []


def test_writes_waiting_for_a_hot_path_connection_count_as_queueing():
    import asyncio

    from kiosk.queue.metrics import _service_calls
    from kiosk.queue.pg_pool import AsyncPool

    async def scenario():
        pool = AsyncPool("postgresql://127.0.0.1/unused", size=1)  # (no connection is opened here)
        slots = pool._bind()
        await slots.acquire()  # the one connection is busy
        waiters = [asyncio.ensure_future(slots.acquire()) for _ in range(3)]
        await asyncio.sleep(0)
        calls = _service_calls(pool)
        for w in waiters:
            w.cancel()
        return calls

    running, waiting = asyncio.run(scenario())
    assert waiting == 3
