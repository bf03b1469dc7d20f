"""The garbage collector in a serving process: pauses measured for ``/metrics``, and tuned once started."""

from __future__ import annotations

import dataclasses
import gc
import itertools

import pytest

from kiosk.queue.gcwatch import THRESHOLDS, GcWatch
from kiosk.queue.metrics_share import text as render
from kiosk.queue.ops.inspect import key_material
from kiosk.queue.ops.live import ops_token
from tests.queue.conftest import auth
from tests.queue.test_metrics import samples

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def quiet_gc():
    """No automatic collection during the test (only the ones it asks for); Python's state restored."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.unfreeze()  # a kiosk UI test before this one in the same worker leaves its built UI frozen (harness.py)
    gc.disable()
    yield
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()


def test_each_collection_is_counted_with_its_pause_and_cpu_by_generation(quiet_gc):
    wall, cpu = itertools.count(0.0, 0.03), itertools.count(0.0, 0.01)  # each read 30 ms / 10 ms later
    watch = GcWatch(clock=lambda: next(wall), cpu_clock=lambda: next(cpu))
    watch.start()
    try:
        gc.collect(1)
        gc.collect(2)
        gc.collect(2)
    finally:
        watch.stop()
    gc.collect(0)  # stopped: not counted
    assert watch.collections == [0, 1, 2]
    assert watch.paused == pytest.approx([0, 0.03, 0.06]) and watch.cpu == pytest.approx([0, 0.01, 0.02])
    assert watch.longest == pytest.approx(0.03) and watch not in gc.callbacks
    m = samples(render(watch.families()))
    assert m['kq_gc_collections_total{generation="2"}'] == 2
    assert m['kq_gc_pause_seconds_bucket{le="0.025"}'] == 0 and m['kq_gc_pause_seconds_bucket{le="0.05"}'] == 3
    assert m['kq_gc_paused_seconds_total{generation="2"}'] == pytest.approx(0.06)


@SQLITE
def test_the_server_freezes_what_lives_at_start_and_raises_gen0s_threshold_then_undoes_it(ctx, quiet_gc):
    from fastapi.testclient import TestClient

    from kiosk.queue.api import create_app

    settings = dataclasses.replace(ctx.settings, extra={**ctx.settings.extra, "gc": "tuned"})
    ctx.settings = settings
    before = gc.get_threshold()
    assert before != THRESHOLDS and gc.get_freeze_count() == 0
    with TestClient(create_app(settings, ctx)) as client:
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # modules, the app, its routes: out of the collector's sight
        gc.collect(0)
        text = client.get("/metrics", headers=auth(ops_token(key_material(settings.state_dir)[0]))).text
        m = samples(text)
        assert m['kq_gc_collections_total{generation="0"}'] >= 1
        assert m["kq_gc_frozen_objects"] > 10_000 and "# TYPE kq_gc_pause_seconds histogram" in text
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


@SQLITE
def test_without_the_setting_the_collector_is_left_as_python_has_it(client, quiet_gc):
    assert gc.get_threshold() != THRESHOLDS and gc.get_freeze_count() == 0


def test_serve_tunes_the_collector_unless_told_not_to(monkeypatch):
    from kiosk.queue.server_cli import _settings

    values = {"db": "sqlite://", "state": "/tmp/x", "tick": "1", "secure": "0", "sync": "NORMAL"}
    monkeypatch.delenv("KIOSK_QUEUE_GC", raising=False)
    assert _settings(values).extra["gc"] == "tuned"
    monkeypatch.setenv("KIOSK_QUEUE_GC", "default")
    assert _settings(values).extra["gc"] == "default"
