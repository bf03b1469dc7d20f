"""PostgreSQL events without a lock (kiosk/queue/pg_append.py, migrations 0014-0015): the server-side
function chains exactly as Python does and wakes the listeners; ids come from the transaction's id and
are delivered only below the horizon, so an event committed late is never skipped."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from kiosk.queue import chain, pg_append, store
from kiosk.queue.models import events
from kiosk.queue.txn import PUSHED_TYPES
from tests.queue.conftest import _pg_admin, auth
from tests.queue.sse import SseReader
from tests.queue.test_events_pg import _search_path

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]


def _note(site: str, text: str) -> dict:
    return dict(type="request.note", actor="kiosk:k1", at=datetime.now(UTC), site_code=site, escalated_to=None,
                request_id=None, data={"note": {"text": text}})


def test_events_appended_in_postgresql_chain_like_python_and_then_wake_the_listeners(client, world, ctx, db_url,
                                                                                clock):
    listener = _pg_admin()
    listener.execute(f'SET search_path TO "{_search_path(db_url)}"')
    listener.execute(f"LISTEN {ctx.queue.publisher.channel}")
    kiosk = auth(world.kiosk_tokens["k1"])
    ids = []
    for note in ("轮椅通道，请到一楼", 'quote " and back\\slash'):
        body = world.request_body(note=note)
        assert client.post("/api/v1/requests", json=body, headers=kiosk).status_code == 201
        ids.append(body["id"])
        clock.advance(1)
    assert client.post(f"/api/v1/requests/{ids[0]}/claim", headers=auth(world.token("li"))).status_code == 200
    with ctx.db.write() as conn:  # two sites in one transaction
        pg_append.append_and_commit(conn, two := [_note("T2", "长" * 3000), _note("T1", "x")], "",
                                    pg_append.payload(two))

    with ctx.db.read() as conn:
        rows = [dict(r) for r in conn.execute(select(events).order_by(events.c.id)).mappings()]
    assert [r["type"] for r in rows] == ["request.created"] * 2 + ["request.claimed"] + ["request.note"] * 2
    assert [r["id"] for r in rows[-2:]] == [e["id"] for e in two] and rows[-1]["id"] == rows[-2]["id"] + 1
    for site in ("T1", "T2"):  # one linear chain per site, hashed as Python hashes
        prev = chain.GENESIS
        for seq, row in enumerate((r for r in rows if r["site_code"] == site), start=1):
            assert (row["chain_seq"], row["prev_hash"]) == (seq, prev)
            assert row["hash"] == chain.entry_hash(prev, "events", row, seq)
            prev = row["hash"]
    woken: list[int] = []
    for n in listener.notifies(timeout=10):  # after the commits, coalesced: ids rising to the newest
        woken.append(int(n.payload))
        if woken[-1] == rows[2]["id"]:
            break
    listener.close()
    assert woken == sorted(woken) and woken[-1] == rows[2]["id"] and set(woken) <= {r["id"] for r in rows[:3]}


def test_the_message_commits_and_leaves_no_transaction_open(ctx, world):
    event = _note("T1", "hi")
    with ctx.db.write() as conn:
        stored = pg_append.append_and_commit(conn, [event], "", pg_append.payload([event]))
        raw = conn.connection.dbapi_connection
    assert raw.info.transaction_status == 0  # idle: committed, nothing left open
    with ctx.db.read() as conn:  # another connection of the pool sees it
        assert conn.execute(select(events.c.hash).where(events.c.id == event["id"])).scalar() == stored[0]["hash"]


def test_a_nul_character_takes_the_python_path(ctx):
    assert pg_append.payload([_note("T1", "a\x00b")]) is None  # jsonb refuses \u0000: store.add_events instead


def test_an_event_committed_late_is_held_back_then_delivered_in_id_order(live, world, ctx):
    """An older transaction still running holds back the events after it (readers and the live stream),
    then both arrive in id order: no console cursor ever passes an event that commits later."""
    with SseReader(f"{live.url}/api/v1/events/stream", world.token("sup")) as sup:
        with ctx.db.write() as slow:  # begins first: its event's id is the smaller one
            store.add_events(slow, [early := _note("T2", "early")])
            body = world.request_body("k1")
            assert httpx.post(f"{live.url}/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]),
                              timeout=10).status_code == 201
            with ctx.db.read() as conn:
                assert store.events_after(conn, 0, {"T1", "T2"}, PUSHED_TYPES) == []  # neither is final yet
                assert store.last_event_id(conn) < early["id"]
            with pytest.raises(Exception):  # noqa: B017 - queue.Empty: the stream waits too
                sup.next(timeout=1)
        got = [sup.next(timeout=10), sup.next(timeout=10)]
    assert [int(e["id"]) for e in got] == sorted(int(e["id"]) for e in got)
    assert int(got[0]["id"]) == early["id"] and got[1]["data"]["request"]["id"] == body["id"]
