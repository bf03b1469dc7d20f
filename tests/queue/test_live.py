"""Live events over a real uvicorn server: delivery by site, escalation pushes, catch-up by Last-Event-ID."""

from __future__ import annotations

import queue
import time

import httpx
import pytest

from tests.queue.conftest import auth
from tests.queue.sse import SseReader


def post_request(live, world, kiosk="k1", **over) -> dict:
    body = world.request_body(kiosk, **over)
    r = httpx.post(f"{live.url}/api/v1/requests", json=body, headers=auth(world.kiosk_tokens[kiosk]), timeout=10)
    assert r.status_code == 201, r.text
    return body


def test_new_request_reaches_the_sites_consoles_only(live, world):
    stream = f"{live.url}/api/v1/events/stream"
    with SseReader(stream, world.token("li")) as li, SseReader(stream, world.token("zhao")) as zhao, \
            SseReader(stream, world.token("sup")) as sup:
        t0 = time.monotonic()
        body = post_request(live, world, "k1", ticket_no="A001")
        event = li.next(timeout=5)
        assert event["event"] == "request.created" and event["data"]["request"]["id"] == body["id"]
        assert event["data"]["request"]["kiosk_location"] == "一楼大厅东侧"
        assert event["t"] - t0 < 1.0  # a fraction of a second, even on a loaded machine
        assert sup.next(timeout=5)["data"]["request"]["id"] == body["id"]  # district-wide
        other = post_request(live, world, "k2")
        assert zhao.next(timeout=5)["data"]["request"]["id"] == other["id"]  # T1's never reached T2
        with pytest.raises(queue.Empty):
            li.next(timeout=0.3)


def test_reconnecting_console_catches_up_with_last_event_id(live, world):
    stream = f"{live.url}/api/v1/events/stream"
    li_token, wang_token = world.token("li"), world.token("wang")
    with SseReader(stream, li_token) as li:
        first = post_request(live, world)
        seen = li.next()
    assert seen["data"]["request"]["id"] == first["id"]
    last_id = int(seen["id"])
    # while li is away: wang claims it, and two more residents call (one at another site)
    r = httpx.post(f"{live.url}/api/v1/requests/{first['id']}/claim", headers=auth(wang_token), timeout=10)
    assert r.status_code == 200
    second = post_request(live, world)
    post_request(live, world, "k2")
    with SseReader(stream, li_token, last_event_id=last_id) as back:
        missed = [back.next(), back.next()]
        assert [(e["event"], e["data"]["request"]["id"]) for e in missed] == [
            ("request.claimed", first["id"]), ("request.created", second["id"])]
        assert [int(e["id"]) for e in missed] == sorted(int(e["id"]) for e in missed)
        assert missed[0]["data"]["request"]["claimed_by"]["display_name"] == "王五"
        third = post_request(live, world)  # and live again after the backlog
        assert back.next()["data"]["request"]["id"] == third["id"]


def test_escalation_is_pushed_to_the_site_and_then_the_next_level(live, world, clock):
    stream = f"{live.url}/api/v1/events/stream"
    with SseReader(stream, world.token("li")) as li, SseReader(stream, world.token("mgr")) as mgr, \
            SseReader(stream, world.token("dh")) as district:
        body = post_request(live, world)
        assert li.next()["event"] == "request.created"
        assert mgr.next()["event"] == "request.created"
        clock.advance(181)  # the background task (tick 0.05 s in tests) notices
        for console in (li, mgr):
            event = console.next(timeout=5)
            assert event["event"] == "request.escalated" and event["data"]["level"] == 1
        with pytest.raises(queue.Empty):
            district.next(timeout=0.3)
        clock.advance(420)
        up = district.next(timeout=5)
        assert up["event"] == "request.escalated" and up["data"]["level"] == 2
        assert up["data"]["request"]["id"] == body["id"] and up["data"]["escalated_to"] == "D"
        assert li.next(timeout=5)["data"]["level"] == 2


def test_stream_needs_a_staff_session(live, world):
    r = httpx.get(f"{live.url}/api/v1/events/stream", timeout=5)
    assert r.status_code == 401
    r = httpx.get(f"{live.url}/api/v1/events/stream", headers=auth(world.kiosk_tokens["k1"]), timeout=5)
    assert r.status_code == 403
