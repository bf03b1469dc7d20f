"""After-hours callback requests (issue 12 item 12) on the server, SQLite and PostgreSQL: listed and
claimed before every other priority, the phone number stored encrypted, masked in lists and shown in full
only to the helper holding the request."""

from __future__ import annotations

from sqlalchemy import select

from kiosk.queue.models import requests
from kiosk.queue.schemas import RequestIn
from tests.queue.conftest import auth


def test_after_hours_requests_come_first(ctx, world, clock):
    k1, li = world.kiosk(), world.user("li")
    ids = {}
    for name, prio in (("normal", "normal"), ("green", "green"), ("callback", "after_hours")):
        ids[name] = ctx.queue.create(k1, RequestIn(**world.request_body(priority=prio)))["id"]
        clock.advance(1)
    order = [r["id"] for r in ctx.queue.list(li, states=["waiting"])["items"]]
    assert order == [ids["callback"], ids["green"], ids["normal"]]
    assert ctx.queue.claim_next(li)["id"] == ids["callback"]


def test_the_callback_number_is_masked_in_lists_and_full_only_for_the_claimer(client, world):
    body = world.request_body(kind="call", priority="after_hours", resident={"phone": "13812345678"})
    client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]))
    li = auth(world.token("li"))
    listed = client.get("/api/v1/requests", headers=li).json()["items"][0]
    assert listed["priority"] == "after_hours" and listed["resident_masked"] == "138****5678"
    assert "13812345678" not in str(listed)
    rid = body["id"]
    client.post(f"/api/v1/requests/{rid}/claim", headers=li)
    full = client.get(f"/api/v1/requests/{rid}/identity", headers=li).json()
    assert full["phone"] == "13812345678"
    with world.ctx.db.read() as conn:
        stored = conn.execute(select(requests.c.resident_enc)).scalar()
    assert b"13812345678" not in stored


def test_a_bad_phone_is_refused(client, world):
    body = world.request_body(priority="after_hours", resident={"phone": "138<script>"})
    r = client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]))
    assert r.status_code == 422
