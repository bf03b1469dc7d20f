"""代办 case changes and deadline flags pushed live to the consoles of the case's site (and caught up)."""

from __future__ import annotations

import queue

import httpx
import pytest

from kiosk.queue.case_schemas import CaseIn
from tests.queue.case_helpers import handover
from tests.queue.conftest import auth
from tests.queue.sse import SseReader


def test_case_changes_and_the_overdue_flag_reach_the_sites_consoles_only(live, ctx, world, clock):
    stream = f"{live.url}/api/v1/events/stream"
    li = auth(world.token("li"))
    with SseReader(stream, world.token("wang")) as wang, SseReader(stream, world.token("zhao")) as zhao, \
            SseReader(stream, world.token("sup")) as sup:
        r = httpx.post(f"{live.url}/api/v1/cases", json=handover(time_limit_days=1, site_code="T1"),
                       headers=li, timeout=10)
        assert r.status_code == 201, r.text
        case = r.json()
        got = wang.next(timeout=5)
        assert got["event"] == "case.registered" and got["data"]["case"]["id"] == case["id"]
        assert got["data"]["case"] == {"id": case["id"], "seq": 1, "site_code": "T1", "state": "registered",
                                           "agent_id": world.user_ids["li"], "matter_name": "个体工商户设立登记",
                                           "promised_date": case["promised_date"], "due": case["due"]}
        assert "张" not in str(got["data"])  # nothing personal goes out with a case event
        assert sup.next(timeout=5)["event"] == "case.registered"  # district-wide
        httpx.post(f"{live.url}/api/v1/cases/{case['id']}/start", json={"department": "市场监管局"}, headers=li,
                   timeout=10).raise_for_status()
        started = wang.next(timeout=5)
        assert (started["event"], started["data"]["case"]["state"]) == ("case.started", "in_progress")
        clock.advance(6 * 86400)  # past the promised date (one working day)
        assert ctx.cases.sweep() == 1
        overdue = wang.next(timeout=5)
        assert (overdue["event"], overdue["data"]["actor"]) == ("case.overdue", "system:deadline")
        assert overdue["data"]["case"]["due"] == "overdue"
        assert ctx.cases.sweep() == 0  # flagged once
        with pytest.raises(queue.Empty):
            zhao.next(timeout=0.3)  # T2 never hears of T1's cases
    # a console coming back catches up on the case events it missed, like request events
    with SseReader(stream, world.token("wang"), last_event_id=int(got["id"])) as again:
        assert [again.next(timeout=5)["event"] for _ in range(2)] == ["case.started", "case.overdue"]


def test_the_background_sweep_flags_and_pushes_without_anyone_asking(live, ctx, world, clock):
    ctx.background.sweep_s = 0.05
    ctx.cases.create(world.user("li"), CaseIn(**handover(time_limit_days=0, site_code="T1")))
    with SseReader(f"{live.url}/api/v1/events/stream", world.token("li")) as li:
        clock.advance(2 * 86400)
        assert li.next(timeout=5, skip=("hello", "case.registered", "case.due_soon"))["event"] == "case.overdue"
