"""The ASGI fast path for create and claim answers exactly as the FastAPI routes it stands in front of."""

from __future__ import annotations

from functools import partial

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.queue.conftest import auth


@pytest.fixture
def both(client):
    """(fast, routed): the app as served, and the same app entered below the fast path."""
    routed = TestClient(partial(FastAPI.__call__, client.app))
    return client, routed


def same(fast, routed, method: str, path: str, **kw) -> dict:
    a, b = fast.request(method, path, **kw), routed.request(method, path, **kw)
    assert (a.status_code, a.json(), a.headers.get("www-authenticate")) == (
        b.status_code, b.json(), b.headers.get("www-authenticate")), path
    assert a.headers["content-type"] == b.headers["content-type"] == "application/json"
    return a.json()


def test_create_errors_match_the_route(both, world):
    fast, routed = both
    body, k1 = world.request_body(), auth(world.kiosk_tokens["k1"])
    same(fast, routed, "POST", "/api/v1/requests", json=body)  # no token
    same(fast, routed, "POST", "/api/v1/requests", json=body, headers=auth("kqk_nonsense"))
    same(fast, routed, "POST", "/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k2"]))
    same(fast, routed, "POST", "/api/v1/requests", json=body, headers=auth(world.token("li")))
    same(fast, routed, "POST", "/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k2"]) | {
        "Accept-Language": "en-GB"})
    bad = same(fast, routed, "POST", "/api/v1/requests", json=body | {"kind": "chat", "priority": 7}, headers=k1)
    assert {tuple(e["loc"]) for e in bad["detail"]} == {("body", "kind"), ("body", "priority")}
    same(fast, routed, "POST", "/api/v1/requests", content=b"{not json", headers=k1 | {
        "Content-Type": "application/json"})
    same(fast, routed, "POST", "/api/v1/requests", content=b"", headers=k1)


def test_create_and_replay_match_the_route(both, world):
    fast, routed = both
    k1 = auth(world.kiosk_tokens["k1"])
    first, second = world.request_body(), world.request_body()
    a = fast.post("/api/v1/requests", json=first, headers=k1)
    b = routed.post("/api/v1/requests", json=second, headers=k1)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json() | {"id": None, "position": None, "expected_wait_s": None} == \
        b.json() | {"id": None, "position": None, "expected_wait_s": None}
    assert a.json()["position"] == 1 and b.json()["position"] in (1, 2)  # same created_at: id decides
    replay = same(fast, routed, "POST", "/api/v1/requests", json=first, headers=k1)
    assert replay["created"] is False and replay["id"] == first["id"]
    spelled = same(fast, routed, "POST", "/api/v1/requests", json=first | {"id": first["id"].upper()}, headers=k1)
    assert spelled["id"] == first["id"]


def test_claim_matches_the_route(both, world):
    fast, routed = both
    k1 = auth(world.kiosk_tokens["k1"])
    ids = [fast.post("/api/v1/requests", json=world.request_body(), headers=k1).json()["id"] for _ in range(2)]
    li, wang = auth(world.token("li")), auth(world.token("wang"))
    won_fast = fast.post(f"/api/v1/requests/{ids[0]}/claim", headers=li)
    won_routed = routed.post(f"/api/v1/requests/{ids[1]}/claim", headers=li)
    assert won_fast.status_code == won_routed.status_code == 200
    assert set(won_fast.json()) == set(won_routed.json())
    assert won_fast.json()["claimed_by"] == won_routed.json()["claimed_by"] == {
        "id": world.user_ids["li"], "display_name": "李四"}
    taken = same(fast, routed, "POST", f"/api/v1/requests/{ids[0]}/claim", headers=wang | {"Accept-Language": "en"})
    assert taken["code"] == "taken" and taken["helper"] == "李四"
    same(fast, routed, "POST", f"/api/v1/requests/{ids[0]}/claim", headers=k1)  # kiosks may not claim
    same(fast, routed, "POST", "/api/v1/requests/no-such-request/claim", headers=li)
    same(fast, routed, "POST", f"/api/v1/requests/{ids[0]}/claim")  # no token
    same(fast, routed, "POST", f"/api/v1/requests/{'x' * 65}/claim", headers=li)  # too long: route's 422
    zhao = auth(world.token("zhao"))
    same(fast, routed, "POST", f"/api/v1/requests/{ids[0]}/claim", headers=zhao)  # another site: 404


def test_claim_with_the_session_cookie(both, world):
    fast, _ = both
    rid = fast.post("/api/v1/requests", json=world.request_body(), headers=auth(world.kiosk_tokens["k1"])).json()["id"]
    fast.cookies.set("kq_session", world.token("wang"))
    assert fast.post(f"/api/v1/requests/{rid}/claim").json()["code"] == "csrf"  # the console's page only
    r = fast.post(f"/api/v1/requests/{rid}/claim", headers={"Origin": "http://testserver"})
    assert r.status_code == 200 and r.json()["claimed_by"]["display_name"] == "王五"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_group_commit_keeps_the_good_calls_of_a_batch_and_fails_the_bad_one_alone(ctx, world):
    import asyncio

    from kiosk.queue.errors import Conflict
    from kiosk.queue.schemas import RequestIn

    group = ctx.queue.group
    kiosk, li = world.kiosk("k1"), world.user("li")
    first, second = RequestIn(**world.request_body()), RequestIn(**world.request_body())

    async def scenario():
        ctx.bus.bind(asyncio.get_running_loop())
        sub = ctx.bus.subscribe(frozenset({"T1"}))
        created = await group.run(ctx.queue.create, kiosk, first)
        batch = [group.run(ctx.queue.act, li, first.id, "claim"),
                 group.run(ctx.queue.act, li, first.id, "claim"),  # taken by then: fails alone
                 group.run(ctx.queue.create, kiosk, second)]
        results = await asyncio.gather(*batch, return_exceptions=True)
        await asyncio.sleep(0.05)
        return created, results, [item.type for item in sub.audience.log]

    before = group.batches
    created, (claimed, again, other), published = asyncio.run(scenario())
    assert created["created"] and claimed["state"] == "claimed" and other["created"]
    assert isinstance(again, Conflict) and again.code == "taken"
    assert group.batches == before + 2  # the three calls queued together shared one transaction
    assert published == ["request.created", "request.claimed", "request.created"]
    with ctx.db.read() as conn:
        from sqlalchemy import func, select

        from kiosk.queue.models import events, requests
        assert conn.execute(select(func.count()).select_from(requests)).scalar() == 2
        assert conn.execute(select(func.count()).select_from(events)).scalar() == 3
