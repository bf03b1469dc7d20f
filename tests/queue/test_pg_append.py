"""PostgreSQL's one-message event append (kiosk/queue/pg_append.py, migration 0012): the server-side
function chains exactly as Python does, announces exactly what consoles are sent, and commits."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import select

from kiosk.queue import chain, pg_append
from kiosk.queue.events import PgListener, to_json
from kiosk.queue.models import events
from tests.queue.conftest import _pg_admin, auth
from tests.queue.test_events_pg import _search_path

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]


def _listen(db_url: str, channel: str):
    conn = _pg_admin()
    conn.execute(f'SET search_path TO "{_search_path(db_url)}"')
    conn.execute(f"LISTEN {channel}")
    return conn


def test_events_appended_in_postgresql_chain_like_python_and_notify_what_consoles_get(client, world, ctx,
                                                                                      db_url, clock):
    channel = ctx.queue.publisher.channel
    listener = _listen(db_url, channel)
    kiosk = auth(world.kiosk_tokens["k1"])
    ids = []
    for note in ("轮椅通道，请到一楼", 'quote " and back\\slash'):
        body = world.request_body(note=note)
        assert client.post("/api/v1/requests", json=body, headers=kiosk).status_code == 201
        ids.append(body["id"])
        clock.advance(1)
    assert client.post(f"/api/v1/requests/{ids[0]}/claim", headers=auth(world.token("li"))).status_code == 200
    big = dict(type="request.note", actor="kiosk:k1", at=clock(), site_code="T1", escalated_to="D",
               request_id=ids[1], data={"note": {"text": "长" * 3000}})  # too large to NOTIFY: a reference
    with ctx.db.write() as conn:
        pg_append.append_and_commit(conn, [big], channel, pg_append.payload([big], notify=True))

    with ctx.db.read() as conn:
        rows = [dict(r) for r in conn.execute(select(events).order_by(events.c.id)).mappings()]
    assert [r["type"] for r in rows] == ["request.created"] * 2 + ["request.claimed", "request.note"]
    prev = chain.GENESIS
    for seq, row in enumerate(rows, start=1):  # one linear chain of site T1, hashed as Python hashes
        assert (row["chain_seq"], row["prev_hash"]) == (seq, prev)
        assert row["hash"] == chain.entry_hash(prev, "events", row, seq)
        prev = row["hash"]

    sink = []
    decoder = PgListener("", channel, bus=None, load_json=lambda i: to_json(next(r for r in rows if r["id"] == i)))
    for n in listener.notifies(timeout=5, stop_after=len(rows)):
        sink.append(decoder._decode(n.payload))
    listener.close()
    assert [live.id for live in sink] == [r["id"] for r in rows]
    for live, row in zip(sink, rows, strict=True):
        assert orjson.loads(live.json) == orjson.loads(to_json(row)) and live.type == row["type"]
    assert [live.sites for live in sink] == [("T1",)] * 3 + [("T1", "D")]


def test_the_message_commits_and_leaves_no_transaction_open(ctx, world, clock):
    event = dict(type="request.note", actor="kiosk:k1", at=datetime.now(UTC), site_code="T1", escalated_to=None,
                 request_id=None, data={"note": {"text": "hi"}})
    with ctx.db.write() as conn:
        stored = pg_append.append_and_commit(conn, [event], "", pg_append.payload([event], notify=False))
        raw = conn.connection.dbapi_connection
    assert raw.info.transaction_status == 0  # idle: committed, nothing left open
    with ctx.db.read() as conn:  # another connection of the pool sees it
        assert conn.execute(select(events.c.hash).where(events.c.id == event["id"])).scalar() == stored[0]["hash"]


def test_a_nul_character_takes_the_python_path(ctx):
    event = dict(type="request.note", actor="kiosk:k1", at=datetime.now(UTC), site_code="T1", escalated_to=None,
                 request_id=None, data={"note": {"text": "a\x00b"}})
    assert pg_append.payload([event], notify=True) is None  # jsonb refuses \u0000: store.add_events instead
