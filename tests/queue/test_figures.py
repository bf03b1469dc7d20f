"""Supervision figures on SQLite and PostgreSQL: response and completion p50/p90 per site and per helper,
counts, and 代办 cases on time, late and overdue; only managers and supervisors may read them."""

from __future__ import annotations

import pytest

from kiosk.queue.figures import percentile
from tests.queue.case_helpers import Api
from tests.queue.conftest import auth


@pytest.fixture
def api(client, world):
    return Api(client, world)


def test_percentile_is_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([30.0], 90) == 30.0
    assert percentile([30.0, 90.0], 50) == 30.0 and percentile([30.0, 90.0], 90) == 90.0
    assert percentile(list(map(float, range(1, 11))), 90) == 9.0


def _request(client, world, kiosk="k1", **over) -> str:
    r = client.post("/api/v1/requests", json=world.request_body(kiosk, **over), headers=auth(world.kiosk_tokens[kiosk]))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_response_completion_and_cases_per_site_and_helper(api, client, world, clock):
    a = _request(client, world)
    b = _request(client, world)
    c = _request(client, world, "k2")
    _request(client, world)  # still waiting: counted, not measured
    clock.advance(30)
    api.post("li", f"/requests/{a}/claim")
    api.post("li", f"/requests/{a}/arrive")
    clock.advance(60)
    api.post("wang", f"/requests/{b}/claim")
    api.post("zhao", f"/requests/{c}/claim")
    clock.advance(120)
    api.post("li", f"/requests/{a}/resolve", json={"outcome": "led_to_window"})  # 180 s after the claim
    api.post("wang", f"/requests/{b}/cancel", json={"reason": "resident_left"})
    on_time = api.case(time_limit_days=1)["id"]
    api.post("li", f"/cases/{on_time}/start", json={"department": "社保窗口"})
    api.post("li", f"/cases/{on_time}/complete")
    api.case(time_limit_days=1)  # will run late
    clock.advance(4 * 86400)  # Wed 2 Dec: the second case is past Mon 30 Nov
    api.tokens.clear()
    assert api.get("li", "/figures").status_code == 403
    figs = api.get("mgr", "/figures").json()
    assert [s["site_code"] for s in figs["sites"]] == ["T1"]  # the manager's site only
    t1 = figs["sites"][0]
    assert (t1["requests"], t1["claimed"], t1["resolved"], t1["cancelled"]) == (3, 2, 1, 1)
    assert t1["response"] == {"n": 2, "p50_s": 30.0, "p90_s": 90.0}
    assert t1["completion"] == {"n": 1, "p50_s": 180.0, "p90_s": 180.0}
    assert t1["cases"] == {"total": 2, "on_time": 1, "late": 0, "overdue": 1, "due_soon": 0, "open": 2,
                           "closed": 0}  # completed, not yet handed back: still open
    assert t1["notices"] == {"printed": 0, "missing_items": 0}  # none reported (see test_notices.py)
    helpers = {h["username"]: h for h in figs["helpers"]}
    assert helpers["li"]["response"]["p50_s"] == 30.0 and helpers["li"]["cases"]["overdue"] == 1
    assert helpers["wang"]["response"]["p50_s"] == 90.0 and helpers["wang"]["cancelled"] == 1
    assert "zhao" not in helpers
    district = api.get("sup", "/figures").json()
    assert [s["site_code"] for s in district["sites"]] == ["T1", "T2"]
    assert district["total"]["requests"] == 4 and district["total"]["response"]["n"] == 3
    assert district["total"]["cases"]["overdue"] == 1
    # a range before anything happened is empty, not an error
    quiet = api.get("sup", "/figures", params={"since": "2026-01-01", "until": "2026-01-31"}).json()
    assert quiet["sites"] == [] and quiet["total"]["response"]["p50_s"] is None
