"""The queue server's contract, run unchanged against SQLite and PostgreSQL (``db_url`` is parametrised)."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from kiosk.queue.errors import Conflict, Forbidden, NotFound
from kiosk.queue.models import events, requests, users
from kiosk.queue.schemas import RequestIn
from tests.queue.conftest import auth


def count(ctx, table, *where) -> int:
    with ctx.db.read() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()


def test_create_then_replay_returns_the_same_request(client, world):
    body = world.request_body(priority="elderly", resident={"name": "张三", "id_number": "11010519491231002X"})
    first = client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]))
    assert first.status_code == 201, first.text
    assert first.json() | {} == {"id": body["id"], "state": "waiting", "position": 1, "expected_wait_s": 60,
                                 "helper_display": None, "created": True}
    again = client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]))
    assert again.status_code == 200 and again.json()["created"] is False and again.json()["id"] == body["id"]
    other = client.post("/api/v1/requests", json=body | {"note": "changed"}, headers=auth(world.kiosk_tokens["k1"]))
    assert other.status_code == 409 and other.json()["code"] == "id_reused"
    assert count(world.ctx, requests) == 1
    assert count(world.ctx, events, events.c.type == "request.created") == 1


def test_concurrent_replays_store_one_request(ctx, world):
    body = RequestIn(**world.request_body())
    kiosk = world.kiosk()
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: ctx.queue.create(kiosk, body), range(32)))
    assert sum(r["created"] for r in results) == 1
    assert {r["id"] for r in results} == {body.id}
    assert count(ctx, requests) == 1 and count(ctx, events) == 1


def test_kiosk_auth_and_body_errors(client, world):
    body = world.request_body()
    assert client.post("/api/v1/requests", json=body).status_code == 401
    bad = client.post("/api/v1/requests", json=body, headers=auth("kqk_nonsense"))
    assert bad.status_code == 401 and bad.json()["code"] == "bad_token"
    other = client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k2"]))
    assert other.status_code == 403 and "k2" in other.json()["detail"]
    invalid = client.post("/api/v1/requests", json=body | {"kind": "chat", "id": "x"},
                          headers=auth(world.kiosk_tokens["k1"]))
    assert invalid.status_code == 422
    assert {tuple(e["loc"]) for e in invalid.json()["detail"]} == {("body", "kind"), ("body", "id")}
    staff = client.post("/api/v1/requests", json=body, headers=auth(world.token("li")))
    assert staff.status_code == 403 and staff.json()["code"] == "kiosk_only"


def test_id_of_another_kiosk_is_refused(ctx, world):
    body = world.request_body()
    ctx.queue.create(world.kiosk("k1"), RequestIn(**body))
    with pytest.raises(Conflict) as err:
        ctx.queue.create(world.kiosk("k2"), RequestIn(**body | {"kiosk_id": "k2", "site_code": "T2"}))
    assert err.value.code == "id_taken"


def test_full_path_with_events_actor_and_time(client, world, clock):
    body = world.request_body()
    k = auth(world.kiosk_tokens["k1"])
    li = auth(world.token("li"))
    client.post("/api/v1/requests", json=body, headers=k)
    rid = body["id"]
    clock.advance(20)
    claimed = client.post(f"/api/v1/requests/{rid}/claim", headers=li).json()
    assert claimed["state"] == "claimed" and claimed["claimed_by"]["display_name"] == "李四"
    assert claimed["wait_s"] == 20
    assert client.get(f"/api/v1/requests/{rid}", headers=k).json()["helper_display"] == "帮办员 李*"
    bad = client.post(f"/api/v1/requests/{rid}/resolve", json={"outcome": "answered"}, headers=li)
    assert bad.status_code == 409 and bad.json()["state"] == "claimed" and bad.json()["code"] == "wrong_state"
    assert client.post(f"/api/v1/requests/{rid}/arrive", headers=li).json()["state"] == "arrived"
    done = client.post(f"/api/v1/requests/{rid}/resolve", json={"outcome": "led_to_window"}, headers=li).json()
    assert done["state"] == "resolved" and done["outcome"] == "led_to_window" and done["closed_at"]
    again = client.post(f"/api/v1/requests/{rid.upper()}/claim", headers=li)  # any UUID spelling
    assert again.status_code == 409 and again.json()["state"] == "resolved"
    assert client.get("/api/v1/requests/not-a-uuid", headers=li).status_code == 404
    history = client.get(f"/api/v1/requests/{rid}/events", headers=li).json()
    assert [(e["type"], e["actor"]) for e in history] == [
        ("request.created", "kiosk:k1"), ("request.claimed", "user:li"),
        ("request.arrived", "user:li"), ("request.resolved", "user:li")]
    assert all(e["at"] for e in history)


def test_release_convert_and_cancel(ctx, world):
    k1, li, wang, mgr = world.kiosk(), world.user("li"), world.user("wang"), world.user("mgr")
    rid = ctx.queue.create(k1, RequestIn(**world.request_body()))["id"]
    ctx.queue.claim(li, rid)
    with pytest.raises(Forbidden):
        ctx.queue.act(wang, rid, "release")  # not theirs
    assert ctx.queue.act(mgr, rid, "release")["state"] == "waiting"  # a manager may
    ctx.queue.claim(wang, rid)
    ctx.queue.act(wang, rid, "arrive")
    converted = ctx.queue.act(wang, rid, "convert", case_id="DB-20261128-0000ABCD")  # the case service's id
    assert converted["state"] == "converted" and converted["case_id"] == "DB-20261128-0000ABCD"
    rid2 = ctx.queue.create(k1, RequestIn(**world.request_body()))["id"]
    gone = ctx.queue.kiosk_cancel(k1, rid2, "resident_left")
    assert gone["state"] == "cancelled"
    assert ctx.queue.kiosk_cancel(k1, rid2, "resident_left")["state"] == "cancelled"  # idempotent
    assert ctx.queue.kiosk_cancel(k1, rid, "resident_left")["state"] == "converted"  # closed: no-op
    assert count(ctx, events, events.c.type == "request.cancelled") == 1
    rid3 = ctx.queue.create(k1, RequestIn(**world.request_body()))["id"]
    cancelled = ctx.queue.act(li, rid3, "cancel", reason="duplicate", note=None)
    assert cancelled["cancel_reason"] == "duplicate"


def test_priority_then_oldest_first(ctx, world, clock):
    k1, li = world.kiosk(), world.user("li")
    ids = {}
    for name, prio in (("old_normal", "normal"), ("elderly", "elderly"), ("newer_normal", "normal"),
                       ("green", "green"), ("disabled", "disabled")):
        ids[name] = ctx.queue.create(k1, RequestIn(**world.request_body(priority=prio)))["id"]
        clock.advance(1)
    order = [r["id"] for r in ctx.queue.list(li, states=["waiting"])["items"]]
    assert order == [ids[n] for n in ("green", "elderly", "disabled", "old_normal", "newer_normal")]
    assert ctx.queue.kiosk_get(k1, ids["old_normal"])["position"] == 4
    assert ctx.queue.claim_next(li)["id"] == ids["green"]
    assert ctx.queue.claim_next(li)["id"] == ids["elderly"]


def test_racing_claims_exactly_one_wins(ctx, world):
    rid = ctx.queue.create(world.kiosk(), RequestIn(**world.request_body()))["id"]
    helpers = [world.user("li"), world.user("wang"), world.user("mgr")] * 6

    def attempt(p):
        try:
            return ctx.queue.claim(p, rid)
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(len(helpers)) as pool:
        results = list(pool.map(attempt, helpers))
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == len(helpers) - 1
    winner = wins[0]["claimed_by"]["display_name"]
    assert {str(e) for e in losses} == {f"已被 {winner} 认领"}
    assert count(ctx, events, events.c.type == "request.claimed") == 1


def test_claim_next_race_never_doubles(ctx, world):
    k1 = world.kiosk()
    made = {ctx.queue.create(k1, RequestIn(**world.request_body()))["id"] for _ in range(40)}
    helpers = [world.user(n) for n in ("li", "wang", "mgr")] * 4

    def drain(p):
        got = []
        while True:
            try:
                got.append(ctx.queue.claim_next(p)["id"])
            except NotFound:
                return got

    with ThreadPoolExecutor(len(helpers)) as pool:
        claimed = [rid for got in pool.map(drain, helpers) for rid in got]
    assert sorted(claimed) == sorted(made)
    assert count(ctx, events, events.c.type == "request.claimed") == 40


def test_site_isolation_and_roles(client, world):
    k1, k2 = auth(world.kiosk_tokens["k1"]), auth(world.kiosk_tokens["k2"])
    r1, r2 = world.request_body("k1"), world.request_body("k2")
    client.post("/api/v1/requests", json=r1, headers=k1)
    client.post("/api/v1/requests", json=r2, headers=k2)
    zhao, sup, li = auth(world.token("zhao")), auth(world.token("sup")), auth(world.token("li"))
    assert [r["id"] for r in client.get("/api/v1/requests", headers=zhao).json()["items"]] == [r2["id"]]
    assert client.get(f"/api/v1/requests/{r1['id']}", headers=zhao).status_code == 404
    assert client.post(f"/api/v1/requests/{r1['id']}/claim", headers=zhao).status_code == 404
    assert client.get(f"/api/v1/requests/{r2['id']}", headers=k1).status_code == 404  # other kiosk's
    assert {r["id"] for r in client.get("/api/v1/requests", headers=sup).json()["items"]} == {r1["id"], r2["id"]}
    me = client.get("/api/v1/me", headers=sup).json()
    assert me["role"] == "supervisor" and me["visible_sites"] == ["D", "T1", "T2"]
    assert client.get("/api/v1/kiosks", headers=li).status_code == 403  # helpers: no health view
    assert client.get("/api/v1/staff", headers=li).status_code == 403
    assert {k["kiosk_id"] for k in client.get("/api/v1/kiosks", headers=sup).json()} == {"k1", "k2", "kd"}
    assert client.post("/api/v1/requests/claim-next", json={"site_code": "T2"}, headers=li).status_code == 403


def test_identity_only_for_the_claimer_and_audited(client, world):
    body = world.request_body(resident={"name": "欧阳娜娜", "id_number": "11010519491231002X"})
    client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]))
    li, wang = auth(world.token("li")), auth(world.token("wang"))
    listed = client.get("/api/v1/requests", headers=wang).json()["items"][0]
    assert listed["resident_masked"] == "欧阳** 110105********002X" and "娜娜" not in str(listed)
    rid = body["id"]
    assert client.get(f"/api/v1/requests/{rid}/identity", headers=li).status_code == 403  # not claimed yet
    client.post(f"/api/v1/requests/{rid}/claim", headers=li)
    assert client.get(f"/api/v1/requests/{rid}/identity", headers=wang).status_code == 403
    full = client.get(f"/api/v1/requests/{rid}/identity", headers=li)
    assert full.json() == {"name": "欧阳娜娜", "id_number": "11010519491231002X", "phone": None}
    audit = client.get(f"/api/v1/requests/{rid}/events", headers=li).json()
    assert ("request.identity_viewed", "user:li") in [(e["type"], e["actor"]) for e in audit]
    with world.ctx.db.read() as conn:
        stored = conn.execute(select(requests.c.resident_enc)).scalar()
    assert b"11010519491231002X" not in stored and "娜娜".encode() not in stored


def test_repeated_failures_are_slowed_down_never_locked(client, world, clock):
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"username": "li", "password": "wrong-password"})
        assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"
    held = client.post("/api/v1/auth/login", json={"username": "li", "password": "correct-horse-1"})
    assert held.status_code == 429 and held.json()["code"] == "login_throttled" and held.headers["Retry-After"] == "1"
    assert client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"}).status_code == 401
    with world.ctx.db.read() as conn:  # nothing is locked in the database
        assert conn.execute(select(users.c.locked_until).where(users.c.username == "li")).scalar() is None
    world.ctx.throttle.clock = lambda: time.monotonic() + 2  # the wait is over
    ok = client.post("/api/v1/auth/login", json={"username": "li", "password": "correct-horse-1"})
    assert ok.status_code == 200 and ok.cookies.get("kq_session") == ok.json()["token"]


def test_cookie_session_and_logout(client, world):
    r = client.post("/api/v1/auth/login", json={"username": "li", "password": "correct-horse-1"})
    token = r.json()["token"]
    assert client.get("/api/v1/me").json()["username"] == "li"  # the cookie alone
    assert client.post("/api/v1/auth/logout").json()["code"] == "csrf"  # a cookie alone does not do
    assert client.post("/api/v1/auth/logout", headers={"Origin": "http://testserver"}).status_code == 200
    client.cookies.clear()
    gone = client.get("/api/v1/me", headers=auth(token))
    assert gone.status_code == 401 and gone.json()["code"] == "session_expired"


def test_escalation_levels_and_next_level_visibility(ctx, world, clock):
    k1 = world.kiosk()
    rid = ctx.queue.create(k1, RequestIn(**world.request_body()))["id"]
    dh = world.user("dh")  # a helper of the district hall D (T1's parent)
    clock.advance(179)
    assert ctx.queue.escalate() == 0
    clock.advance(2)
    assert ctx.queue.escalate() == 1 and ctx.queue.escalate() == 0
    assert ctx.queue.get(world.user("li"), rid)["escalation_level"] == 1
    with pytest.raises(NotFound):
        ctx.queue.get(dh, rid)
    clock.advance(420)
    assert ctx.queue.escalate() == 1
    view = ctx.queue.get(dh, rid)
    assert view["escalation_level"] == 2 and view["escalated_to"] == "D"
    assert ctx.queue.claim(dh, rid)["state"] == "claimed"
    with ctx.db.read() as conn:
        levels = [e["level"] for e in conn.execute(select(events.c.data).where(
            events.c.type == "request.escalated").order_by(events.c.id)).scalars()]
    assert levels == [1, 2]
    top = ctx.queue.create(world.kiosk("kd"), RequestIn(**world.request_body("kd")))["id"]
    clock.advance(3600)
    ctx.queue.escalate()
    assert ctx.queue.get(dh, top)["escalation_level"] == 2 and ctx.queue.get(dh, top)["escalated_to"] is None
    assert ctx.queue.escalate() == 0  # nothing above the district: no repeats


def test_heartbeats_and_kiosk_health(client, world, clock):
    k1 = auth(world.kiosk_tokens["k1"])
    hb = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": clock().isoformat(), "outbox_pending": 2,
          "devices": [{"device": "printer", "state": "connected", "detail": {"paper": "near_end"}},
                      {"device": "idcard", "state": "error", "reason": "no answer"}]}
    assert client.post("/api/v1/heartbeats", json=hb, headers=k1).json() == {
        "ok": True, "config": {"version": "0.0", "settings": {}}}  # no central settings (test_remote_config)
    assert client.post("/api/v1/heartbeats", json=hb, headers=k1).status_code == 200  # replay
    assert client.post("/api/v1/heartbeats", json=hb | {"kiosk_id": "k2"}, headers=k1).status_code == 403
    mgr = auth(world.token("mgr"))
    health = {k["kiosk_id"]: k for k in client.get("/api/v1/kiosks", headers=mgr).json()}
    assert set(health) == {"k1"}  # the manager's site only
    assert health["k1"]["problems"] == ["paper_near_end", "reader_not_answering"]
    assert health["k1"]["problem_devices"] == ["printer", "idcard"]  # the console says each device once by it
    assert health["k1"]["quiet"] is False and health["k1"]["outbox_pending"] == 2
    assert len(client.get("/api/v1/kiosks/k1/heartbeats", headers=mgr).json()) == 1
    clock.advance(91)
    assert client.get("/api/v1/kiosks", headers=mgr).json()[0]["problems"][0] == "quiet"
    clock.advance(7 * 86400)
    assert world.ctx.health.purge()["heartbeats"] == 1  # history is bounded; the latest state stays
    mgr = auth(world.token("mgr"))  # (the old session expired meanwhile)
    assert client.get("/api/v1/kiosks/k1/heartbeats", headers=mgr).json() == []
    assert client.get("/api/v1/kiosks", headers=mgr).json()[0]["outbox_pending"] == 2


def test_heartbeat_history_keeps_changes_and_a_beat_every_few_seconds(client, world, clock):
    """Unchanged beats are kept every max(5 s, interval / 2), a change of state at most once a second; every
    beat updates the kiosk's state, except one older than the state shown (a late replay from the outbox)."""
    k1, mgr = auth(world.kiosk_tokens["k1"]), auth(world.token("mgr"))

    def beat(paper: str, at=None) -> None:
        body = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": (at or clock()).isoformat(),
                "outbox_pending": 0, "interval_s": 30,
                "devices": [{"device": "printer", "state": "connected", "detail": {"paper": paper}}]}
        assert client.post("/api/v1/heartbeats", json=body, headers=k1).status_code == 200

    def kept() -> list[str]:
        rows = client.get("/api/v1/kiosks/k1/heartbeats", headers=mgr).json()
        return [r["devices"][0]["detail"]["paper"] for r in rows]

    first = clock()
    beat("ok")
    for _ in range(10):  # ten unchanged beats within 10 s: one more row at 15 s (interval 30 s / 2)
        clock.advance(1)
        beat("ok")
    assert len(kept()) == 1
    clock.advance(5)
    beat("ok")
    assert len(kept()) == 2
    clock.advance(1.5)
    beat("near_end")  # a change is kept at once
    assert sorted(kept()) == ["near_end", "ok", "ok"]
    assert client.get("/api/v1/kiosks", headers=mgr).json()[0]["problems"] == ["paper_near_end"]
    beat("ok", at=first)  # a late beat from before: neither kept nor shown
    assert client.get("/api/v1/kiosks", headers=mgr).json()[0]["problems"] == ["paper_near_end"]
    assert len(kept()) == 3


def test_staff_on_duty(client, world):
    li = auth(world.token("li"))
    rid = world.request_body()["id"]
    client.post("/api/v1/requests", json=world.request_body(id=rid), headers=auth(world.kiosk_tokens["k1"]))
    client.post(f"/api/v1/requests/{rid}/claim", headers=li)
    client.put("/api/v1/me/duty", json={"on_duty": False}, headers=auth(world.token("wang")))
    people = {p["username"]: p for p in client.get("/api/v1/staff", headers=auth(world.token("mgr"))).json()}
    assert people["li"]["on_duty"] and people["li"]["active_requests"] == [rid]
    assert people["wang"]["on_duty"] is False and "zhao" not in people


def test_identity_purged_after_close(ctx, world, clock):
    k1, li = world.kiosk(), world.user("li")
    body = RequestIn(**world.request_body(resident={"name": "张三", "id_number": "11010519491231002X"}))
    rid = ctx.queue.create(k1, body)["id"]
    ctx.queue.claim(li, rid)
    ctx.queue.act(li, rid, "arrive")
    ctx.queue.act(li, rid, "resolve", outcome="answered")
    assert ctx.health.purge()["identities"] == 0
    clock.advance(3601)
    assert ctx.health.purge()["identities"] == 1
    assert ctx.queue.get(li, rid)["has_identity"] is False
