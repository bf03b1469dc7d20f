"""``HelpQueueClient.add_note`` through the durable outbox against the real server: ordered after its
request, kept while the network is down, sent once when it is back, dead by the same rules."""

from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

from kiosk.queue.forwarder import Backoff
from kiosk.queue.outbox import Outbox
from tests.queue.conftest import LiveServer, auth
from tests.queue.test_outbox_forwarder import k1_client, until


@pytest.fixture
def db_url(sqlite_url):  # the outbox's contract with the server does not depend on the backend
    return sqlite_url


def kiosk_for(tmp_path, url, world):
    client = k1_client(tmp_path, url, world, poll_interval_s=0.1)
    client.forwarder.backoff = Backoff(initial=0.05, maximum=0.2)
    return client


def history(url: str, world, rid: str) -> list[dict]:
    r = httpx.get(f"{url}/api/v1/requests/{rid}/events", headers=auth(world.token("li")), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_notes_wait_offline_and_follow_their_request_once_back(ctx, world, tmp_path):
    from kiosk.queue.api import create_app

    server = LiveServer(create_app(ctx.settings, ctx))  # the port is taken but nobody answers yet
    kiosk = kiosk_for(tmp_path, server.url, world)
    try:
        rid = kiosk.call_helper("assist", "materials", ticket_no="A017", visit_id="v1")
        nid = kiosk.add_note(rid, "打印机缺纸，请带上号码 11010519491231002X")
        kiosk.cancel(rid)
        kiosk.start()
        assert until(lambda: kiosk.last_error is not None)
        assert not kiosk.online and kiosk.pending_count() == 3
        assert [i.kind for i in kiosk.outbox.items()] == ["request", "note", "cancel"]
        assert "11010519491231002X" not in str(kiosk.outbox.get(nid).body)  # masked before it is stored
        with server:  # the network is back
            assert until(lambda: kiosk.pending_count() == 0, 10)
            assert kiosk.outbox.counts()["dead"] == 0
            got = history(server.url, world, rid)
            assert [e["type"] for e in got] == ["request.created", "request.note", "request.cancelled"]
            assert got[1]["note"]["id"] == nid and got[1]["actor"] == "kiosk:k1"
            assert got[1]["note"]["text"].startswith("打印机缺纸，请带上号码 110")
            # as if the kiosk died before marking the note sent: it goes again, and stays one note
            kiosk.outbox._db.execute("UPDATE items SET state='pending' WHERE id=?", (nid,))
            kiosk.forwarder.wake()
            assert until(lambda: kiosk.pending_count() == 0, 10)
            time.sleep(0.1)
            assert [e["type"] for e in history(server.url, world, rid)].count("request.note") == 1
    finally:
        kiosk.stop()


def test_a_note_on_a_refused_request_is_dead_too(live, world, tmp_path):
    kiosk = kiosk_for(tmp_path, live.url, world)
    try:
        rid = kiosk.call_helper("call", "start", ticket_no="X" * 40)  # the server refuses it (422)
        nid = kiosk.add_note(rid, "居民已补拍材料")
        kiosk.start()
        assert until(lambda: kiosk.outbox.counts()["dead"] == 2)
        assert "HTTP 404" in kiosk.outbox.get(nid).last_error  # the server's own words are kept
    finally:
        kiosk.stop()


def test_bad_notes_are_refused_before_anything_is_stored(live, world, tmp_path):
    kiosk = kiosk_for(tmp_path, live.url, world)
    try:
        rid = kiosk.call_helper("call", "start")
        for request_id, text in ((rid, ""), (rid, "   "), (rid, "长" * 501), ("nope", "x"),
                                 ("7d9f1c1e-0f7e-4b7e-9a59-0b6f3c3f2b11", "x")):
            with pytest.raises(ValueError):
                kiosk.add_note(request_id, text)
        assert [i.kind for i in kiosk.outbox.items()] == ["request"]
    finally:
        kiosk.stop()


OLD_SCHEMA = """
CREATE TABLE items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('request', 'heartbeat', 'cancel')),
    method TEXT NOT NULL, path TEXT NOT NULL, body BLOB NOT NULL, created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    last_error TEXT, sent_at REAL, visit_id TEXT, ref_id TEXT, closed INTEGER NOT NULL DEFAULT 0,
    server_status TEXT
);
CREATE INDEX items_state_seq ON items (state, seq);
"""


def test_an_outbox_from_before_notes_is_upgraded_keeping_its_items(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path)
    box._db.executescript("DROP TABLE items;" + OLD_SCHEMA)  # as an older kiosk left it
    first = box.enqueue("request", "POST", "/api/v1/requests", {"id": "r1"})
    box.enqueue("heartbeat", "POST", "/api/v1/heartbeats", {"id": "h1"})
    box._db.execute("DELETE FROM items WHERE kind='heartbeat'")  # the highest seq is gone
    with pytest.raises(sqlite3.IntegrityError):
        box.enqueue("note", "POST", "/api/v1/requests/r1/notes", {"id": "n0"})
    box.close()
    box = Outbox(path)
    try:
        note = box.enqueue("note", "POST", "/api/v1/requests/r1/notes", {"id": "n1"}, ref_id=first)
        items = box.items()
        assert [(i.id, i.kind) for i in items] == [(first, "request"), (note, "note")]
        assert items[1].seq == 3  # seq never reused: order stays the order of enqueueing
        assert items[0].body == {"id": "r1"}
        indexes = {r[0] for r in box._db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"items_state_seq", "items_visit", "items_sent_at"} <= indexes
    finally:
        box.close()


def test_an_outbox_from_before_notices_is_upgraded_too(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path)
    with_notes = OLD_SCHEMA.replace("'cancel')", "'cancel', 'note')")
    box._db.executescript("DROP TABLE items;" + with_notes)  # as a kiosk from before notices left it
    first = box.enqueue("request", "POST", "/api/v1/requests", {"id": "r1"})
    with pytest.raises(sqlite3.IntegrityError):
        box.enqueue("notice", "POST", "/api/v1/notices", {"id": "x0"})
    box.close()
    box = Outbox(path)
    try:
        notice = box.enqueue("notice", "POST", "/api/v1/notices", {"id": "x1", "missing": 2})
        assert [(i.id, i.kind) for i in box.items()] == [(first, "request"), (notice, "notice")]
    finally:
        box.close()


def test_a_printed_notice_reaches_the_figures_through_the_outbox(live, world, tmp_path):
    kiosk = kiosk_for(tmp_path, live.url, world)
    try:
        item = kiosk.report_notice("pension-enrol", "城乡居民基本养老保险参保登记", 3)
        kiosk.start()
        assert until(lambda: kiosk.outbox.get(item).state == "sent")
        r = httpx.get(f"{live.url}/api/v1/figures", headers=auth(world.token("mgr")), timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["sites"][0]["notices"] == {"printed": 1, "missing_items": 3}
    finally:
        kiosk.stop()
