"""The outbox on its own: durability settings, order, coalescing, encryption at rest, purge, dead items."""

from __future__ import annotations

import sqlite3
import time

import pytest

from kiosk.queue.outbox import Outbox, OutboxError

RESIDENT = {"name": "张三", "id_number": "11010519491231002X"}


def _request(rid: str, resident: dict | None = None) -> dict:
    return {"id": rid, "kind": "assist", "step": "matter", "matter_name": "养老保险", "resident": resident}


@pytest.fixture
def box(tmp_path):
    b = Outbox(tmp_path / "outbox.sqlite3", retention_days=7)
    yield b
    b.close()


def test_durable_settings_and_private_files(box, tmp_path):
    assert box._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert box._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert (tmp_path / "outbox.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "outbox.sqlite3").stat().st_mode & 0o777 == 0o600


def test_items_leave_in_order_and_survive_reopening(box, tmp_path):
    ids = [box.enqueue("request", "POST", "/api/v1/requests", _request(f"r{i}"), item_id=f"r{i}") for i in range(3)]
    box.close()
    again = Outbox(tmp_path / "outbox.sqlite3")
    assert [i.id for i in again.items()] == ids
    assert again.next_due().id == "r0"
    again.mark_sent("r0")
    assert again.next_due().id == "r1"
    assert again.counts() == {"pending": 2, "sent": 1, "dead": 0}
    again.close()


def test_heartbeats_coalesce_to_the_latest_pending_one(box):
    box.enqueue("request", "POST", "/api/v1/requests", _request("r1"), item_id="r1")
    for n in range(5):
        box.enqueue("heartbeat", "POST", "/api/v1/heartbeats", {"id": f"h{n}", "n": n}, item_id=f"h{n}")
    pending = box.items()
    assert [i.id for i in pending] == ["r1", "h4"]
    assert pending[1].body["n"] == 4


def test_body_is_encrypted_at_rest_and_resident_dropped_once_delivered(box, tmp_path):
    box.enqueue_request(_request("r1", RESIDENT), "/api/v1/requests", visit_id="v1")
    raw = sqlite3.connect(tmp_path / "outbox.sqlite3").execute("SELECT body FROM items").fetchone()[0]
    assert "张三".encode() not in raw and b"11010519491231002X" not in raw and b"assist" not in raw
    assert box.get("r1").body["resident"] == RESIDENT  # readable with the key
    box.mark_sent("r1")
    assert box.get("r1").body["resident"] is None
    assert box.get("r1").body["matter_name"] == "养老保险"


def test_without_the_key_the_bodies_cannot_be_read(box, tmp_path):
    box.enqueue_request(_request("r1", RESIDENT), "/api/v1/requests", visit_id=None)
    box.close()
    (tmp_path / "outbox.key").unlink()
    with pytest.raises(OutboxError, match="key file .* missing"):
        Outbox(tmp_path / "outbox.sqlite3", create_key=False)


def test_a_visit_gets_one_request_until_it_is_closed(box):
    first, created = box.enqueue_request(_request("r1"), "/api/v1/requests", visit_id="v1")
    again, created_again = box.enqueue_request(_request("r2"), "/api/v1/requests", visit_id="v1")
    assert (first, created, again, created_again) == ("r1", True, "r1", False)
    other, _ = box.enqueue_request(_request("r3"), "/api/v1/requests", visit_id="v2")
    assert other == "r3"
    box.close_request("r1")
    assert box.enqueue_request(_request("r4"), "/api/v1/requests", visit_id="v1") == ("r4", True)


def test_purge_drops_sent_rows_after_retention_and_keeps_dead_ones(box):
    box.enqueue_request(_request("r1", RESIDENT), "/api/v1/requests", visit_id=None)
    box.enqueue_request(_request("r2", RESIDENT), "/api/v1/requests", visit_id=None)
    box.mark_sent("r1")
    box.mark_dead("r2", "HTTP 422: kind: bad")
    assert box.purge() == 0  # nothing is old yet
    later = time.time() + 8 * 86400
    assert box.purge(now=later) == 1
    assert box.counts() == {"pending": 0, "sent": 0, "dead": 1}
    dead = box.get("r2")
    assert dead.last_error == "HTTP 422: kind: bad" and dead.body["resident"] is None


def test_retry_dead_puts_items_back(box):
    box.enqueue("cancel", "POST", "/api/v1/requests/x/cancel", {"reason": "resident_left"}, item_id="c1")
    box.mark_dead("c1", "HTTP 404: no such request")
    assert box.next_due() is None
    assert box.retry_dead() == 1
    assert box.next_due().id == "c1"


def test_masked_view_holds_no_personal_data(box):
    box.enqueue_request(_request("r1", RESIDENT), "/api/v1/requests", visit_id=None)
    text = str(box.items()[0].masked())
    assert "张三" not in text and "11010519491231002X" not in text and "'has_resident': True" in text


def test_unknown_kind_is_refused(box):
    with pytest.raises(ValueError, match="not one of request, heartbeat, cancel"):
        box.enqueue("bogus", "POST", "/x", {})
