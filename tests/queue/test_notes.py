"""Kiosk notes on their own help requests (``POST /api/v1/requests/{id}/notes``), SQLite and PostgreSQL:
stored once as a pushed ``request.note`` event, masked, visible to staff, refused for others' requests."""

from __future__ import annotations

import queue
import uuid

import httpx
import pytest

from kiosk.queue.models import events
from tests.queue.conftest import auth
from tests.queue.sse import SseReader

ID_NUMBER = "11010519491231002X"


def note_body(text: str = "打印机缺纸，请带上号码", **over) -> dict:
    return {"id": str(uuid.uuid4()), "text": text, "created_at": "2026-11-28T06:00:05Z", **over}


def created(client, world, kiosk: str = "k1") -> str:
    body = world.request_body(kiosk)
    r = client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens[kiosk]))
    assert r.status_code == 201, r.text
    return body["id"]


def note_events(ctx, request_id: str) -> list[dict]:
    from sqlalchemy import select

    with ctx.db.read() as conn:
        rows = conn.execute(select(events).where(events.c.request_id == request_id,
                                                 events.c.type == "request.note").order_by(events.c.id))
        return [dict(r) for r in rows.mappings()]


def test_a_note_is_stored_once_masked_and_shown_to_staff(client, world):
    rid = created(client, world)
    k1 = auth(world.kiosk_tokens["k1"])
    body = note_body(f"居民已补拍材料，身份证 {ID_NUMBER}")
    r = client.post(f"/api/v1/requests/{rid}/notes", json=body, headers=k1)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["created"] is True and first["id"] == body["id"] and first["request_id"] == rid
    assert ID_NUMBER not in first["text"] and first["text"].startswith("居民已补拍材料，身份证 110")
    assert first["actor"] == "kiosk:k1"
    again = client.post(f"/api/v1/requests/{rid}/notes", json=body, headers=k1)  # replay: the same answer
    assert again.status_code == 200 and again.json() == {**first, "created": False}
    stored = note_events(world.ctx, rid)
    assert len(stored) == 1 and stored[0]["actor"] == "kiosk:k1" and ID_NUMBER not in str(stored[0]["data"])
    li = auth(world.token("li"))
    detail = client.get(f"/api/v1/requests/{rid}", headers=li).json()
    assert [n["text"] for n in detail["notes"]] == [first["text"]]
    listed = client.get("/api/v1/requests", headers=li).json()["items"]
    assert [n["id"] for n in listed[0]["notes"]] == [body["id"]]
    history = client.get(f"/api/v1/requests/{rid}/events", headers=li).json()
    assert [e["type"] for e in history] == ["request.created", "request.note"]
    assert history[1]["note"]["text"] == first["text"] and "request" not in history[1]


def test_notes_keep_their_order_and_any_state_accepts_them(client, world):
    rid = created(client, world)
    k1, li = auth(world.kiosk_tokens["k1"]), auth(world.token("li"))
    client.post(f"/api/v1/requests/{rid}/notes", json=note_body("第一条"), headers=k1)
    assert client.post(f"/api/v1/requests/{rid}/claim", headers=li).status_code == 200
    assert client.post(f"/api/v1/requests/{rid}/cancel", json={"reason": "resident_left"},
                       headers=k1).status_code == 200
    r = client.post(f"/api/v1/requests/{rid}/notes", json=note_body("第二条"), headers=k1)
    assert r.status_code == 201  # a late note after the resident left still lands in the history
    detail = client.get(f"/api/v1/requests/{rid}", headers=li).json()
    assert [n["text"] for n in detail["notes"]] == ["第一条", "第二条"]


def test_another_kiosks_request_does_not_exist_for_it(client, world):
    rid = created(client, world, "k1")
    r = client.post(f"/api/v1/requests/{rid}/notes", json=note_body(), headers=auth(world.kiosk_tokens["k2"]))
    assert r.status_code == 404 and r.json()["code"] == "request"
    r = client.post(f"/api/v1/requests/{uuid.uuid4()}/notes", json=note_body(),
                    headers=auth(world.kiosk_tokens["k1"]))
    assert r.status_code == 404
    r = client.post(f"/api/v1/requests/{rid}/notes", json=note_body(), headers=auth(world.token("li")))
    assert r.status_code == 403 and r.json()["code"] == "kiosk_only"
    assert client.post(f"/api/v1/requests/{rid}/notes", json=note_body()).status_code == 401
    assert note_events(world.ctx, rid) == []


@pytest.mark.parametrize("bad", [
    {"text": ""}, {"text": "   "}, {"text": "长" * 501}, {"id": "not-a-uuid"}, {"created_at": "yesterday"},
    {"created_at": None}, {"text": None},
])
def test_bad_bodies_are_422_and_store_nothing(client, world, bad):
    rid = created(client, world)
    r = client.post(f"/api/v1/requests/{rid}/notes", json={**note_body(), **bad},
                    headers=auth(world.kiosk_tokens["k1"]))
    assert r.status_code == 422, r.text
    assert note_events(world.ctx, rid) == []


def test_a_flood_of_notes_stops_at_the_limit(client, world):
    from kiosk.queue.notes import MAX_NOTES

    rid = created(client, world)
    k1 = auth(world.kiosk_tokens["k1"])
    for i in range(MAX_NOTES):
        assert client.post(f"/api/v1/requests/{rid}/notes", json=note_body(f"n{i}"), headers=k1).status_code == 201
    r = client.post(f"/api/v1/requests/{rid}/notes", json=note_body("one more"), headers=k1)
    assert r.status_code == 409 and str(MAX_NOTES) in r.json()["detail"]


def test_a_note_is_pushed_live_to_the_sites_consoles(live, world):
    k1 = auth(world.kiosk_tokens["k1"])
    body = world.request_body("k1")
    assert httpx.post(f"{live.url}/api/v1/requests", json=body, headers=k1, timeout=10).status_code == 201
    stream = f"{live.url}/api/v1/events/stream"
    with SseReader(stream, world.token("li")) as li, SseReader(stream, world.token("zhao")) as zhao:
        note = note_body()
        r = httpx.post(f"{live.url}/api/v1/requests/{body['id']}/notes", json=note, headers=k1, timeout=10)
        assert r.status_code == 201
        httpx.post(f"{live.url}/api/v1/requests/{body['id']}/notes", json=note, headers=k1, timeout=10)
        event = li.next(timeout=5)
        if event["event"] == "request.created":  # PostgreSQL: the NOTIFY of the creation may come late
            event = li.next(timeout=5)
        assert event["event"] == "request.note" and event["data"]["note"]["id"] == note["id"]
        assert event["data"]["request"]["id"] == body["id"]
        assert event["data"]["note"]["text"] == "打印机缺纸，请带上号码"
        other = world.request_body("k2")  # zhao (T2) never saw T1's note: his first event is his own site's
        assert httpx.post(f"{live.url}/api/v1/requests", json=other, headers=auth(world.kiosk_tokens["k2"]),
                          timeout=10).status_code == 201
        assert zhao.next(timeout=5)["data"]["request"]["id"] == other["id"]
        with pytest.raises(queue.Empty):  # nor a second push for the replay
            li.next(timeout=0.3)
        last = int(event["id"])
    with SseReader(stream, world.token("li"), last_event_id=last - 1) as back:  # catch-up has it too
        assert back.next(timeout=5)["event"] == "request.note"
    assert len(note_events(world.ctx, body["id"])) == 1  # the replay pushed nothing and stored nothing


def test_concurrent_replays_store_one_note(world):
    from concurrent.futures import ThreadPoolExecutor

    from kiosk.queue.schemas import NoteIn, RequestIn

    ctx, kiosk = world.ctx, world.kiosk("k1")
    rid = ctx.queue.create(kiosk, RequestIn(**world.request_body("k1")))["id"]
    note = NoteIn(**note_body("居民已补拍材料"))
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: ctx.queue.add_note(kiosk, rid, note), range(16)))
    assert sum(a["created"] for a in answers) == 1
    assert {a["id"] for a in answers} == {note.id} and len({a["created_at"] for a in answers}) == 1
    assert len(note_events(ctx, rid)) == 1
