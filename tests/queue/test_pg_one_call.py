"""A create and a claim as one message to PostgreSQL (kiosk/queue/pg_write.py, migration 0016): the
server-side functions store what the general path stores, byte for byte (the hash chain verifies), and
answer the same answers and errors. Errors are checked on both engines (SQLite keeps the general path)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from kiosk.queue import chain, store
from kiosk.queue.errors import Conflict, Forbidden, NotFound
from kiosk.queue.models import events, users
from kiosk.queue.schemas import RequestIn
from kiosk.queue.verify import verify

pg = pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=12).filter(lambda s: "\x00" not in s),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6).filter(lambda s: "\x00" not in s), inner, max_size=4),
    max_leaves=12,
)


@pg
def test_kq_canon_writes_what_orjson_writes_with_sorted_keys(ctx):
    samples = []

    @settings(max_examples=150, deadline=None, database=None)
    @given(_json)
    def collect(value):
        samples.append(value)

    collect()
    samples += [{"b": 1, "a": [], "é": {}, "Z": "\u2028\x1f\t\n\"\\/"}, "长" * 10, {"": None}]
    with ctx.db.read() as conn:
        for value in samples:
            got = conn.execute(text("SELECT kq_canon(CAST(:v AS jsonb))"), {"v": orjson.dumps(value).decode()}).scalar()
            assert got == orjson.dumps(value, option=chain._JSON).decode(), value


@pg
def test_kq_iso_writes_what_the_staff_view_writes(ctx):
    with ctx.db.read() as conn:
        for t in (datetime(2026, 12, 6, 11, 2, 3, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=UTC),
                  datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)):
            got = conn.execute(text("SELECT kq_iso(CAST(:t AS timestamp))"), {"t": chain.entry_time(t)}).scalar()
            assert got == t.isoformat().replace("+00:00", "Z")


def _resident_body(world, **over):
    return RequestIn.model_validate(world.request_body(
        note="身份证 421302199001011234，电话 13812345678", rating_token="t" * 32,
        materials=[{"id": "hukou", "name": "户口簿", "state": "paper"}],
        resident={"name": "张三丰", "id_number": "42130219900101123X", "phone": "13812345678"}, **over))


@pg
def test_claim_stores_the_view_python_would_store_and_the_chain_verifies(ctx, world, clock):
    kiosk, li = world.kiosk("k1"), world.user("li")
    created = ctx.queue.create(kiosk, body := _resident_body(world))
    assert created["created"] and created["position"] == 1
    clock.advance(0.5)
    plain = ctx.queue.create(kiosk, RequestIn.model_validate(world.request_body()))
    assert plain["position"] == 2
    clock.advance(7.25)
    view = ctx.queue.claim(li, body.id.upper())  # any spelling of the id
    assert view["state"] == "claimed" and view["claimed_by"] == {"id": li.user_id, "display_name": "李四"}
    assert view["wait_s"] == 7 and "421302199001011234" not in (view["note"] or "")
    clock.advance(1)
    ctx.queue.claim(li, plain["id"])
    with ctx.db.read() as conn:
        row = dict(store.get_request(conn, body.id))
        stored = conn.execute(select(events.c.data, text("CAST(data AS text)")).where(
            events.c.request_id == body.id, events.c.type == "request.claimed")).one()
        assert verify(conn).ok
    assert stored[0] == {"request": view} == {"request": store.staff_view(row, row["claimed_at"])}
    assert stored[1] == chain.data_json("events", {"request": view}, None).decode()  # byte for byte


@pg
def test_an_escalated_request_claimed_above_is_stored_byte_for_byte(ctx, world, clock):
    from kiosk.queue.models import requests

    plain = ctx.queue.create(world.kiosk("k2"), RequestIn.model_validate(world.request_body("k2", note=None)))
    with ctx.db.write() as conn:  # sent up to the district (as escalate_due does)
        conn.execute(update(requests).where(requests.c.id == plain["id"]).values(escalated_to="D",
                                                                                  escalation_level=2))
    clock.advance(3600.000001)
    view = ctx.queue.claim(world.user("dh"), plain["id"])
    assert (view["escalated_to"], view["note"], view["materials"], view["wait_s"]) == ("D", None, None, 3600)
    with ctx.db.read() as conn:
        stored = conn.execute(select(text("CAST(data AS text)")).where(
            events.c.request_id == plain["id"], events.c.type == "request.claimed")).scalar()
        assert verify(conn).ok
    assert stored == chain.data_json("events", {"request": view}, None).decode()


def test_replays_answer_the_stored_request_without_a_second_event(ctx, world):
    """Both engines; a resident with a phone number too (its replay was once refused as id_reused)."""
    kiosk = world.kiosk("k1")
    body = _resident_body(world)
    first = ctx.queue.create(kiosk, body)
    again = ctx.queue.create(kiosk, body)
    assert again == {**first, "created": False}
    with pytest.raises(Conflict) as err:
        ctx.queue.create(kiosk, body.model_copy(update={"note": "另一件事"}))
    assert err.value.code == "id_reused"
    with pytest.raises(Conflict) as err:
        ctx.queue.create(world.kiosk("k2"), body.model_copy(update={"kiosk_id": "k2", "site_code": "T2"}))
    assert err.value.code == "id_taken"
    with ctx.db.read() as conn:
        assert conn.execute(select(events.c.type).where(events.c.request_id == body.id)).scalars().all() == [
            "request.created"]


def test_claim_errors_are_the_general_paths(ctx, world, clock):
    """Both engines: off duty, unknown, not visible, taken, closed, a kiosk claiming."""
    kiosk, li, wang, zhao = world.kiosk("k1"), world.user("li"), world.user("wang"), world.user("zhao")
    rid = ctx.queue.create(kiosk, RequestIn.model_validate(world.request_body()))["id"]

    def refused(user, request_id, kind):
        with pytest.raises(kind) as err:
            ctx.queue.claim(user, request_id)
        return err.value

    assert refused(zhao, rid, NotFound).code == "request"
    assert refused(li, "not-a-uuid", NotFound).code == "request"
    assert refused(kiosk, rid, Forbidden).code == "staff_only"
    with ctx.db.write() as conn:
        conn.execute(update(users).where(users.c.id == wang.user_id).values(on_duty=False))
    assert refused(wang, rid, Conflict).code == "off_duty"
    assert refused(wang, "not-a-uuid", Conflict).code == "off_duty"  # on duty is checked first
    ctx.queue.claim(li, rid)
    with ctx.db.write() as conn:
        conn.execute(update(users).where(users.c.id == wang.user_id).values(on_duty=True))
    taken = refused(wang, rid, Conflict)
    assert (taken.code, taken.extra.get("helper")) == ("taken", "李四")
    ctx.queue.act(li, rid, "cancel", reason="left")
    assert refused(wang, rid, Conflict).code == "wrong_state"
