"""The kiosk's side of the control-character rule: the server now refuses NUL, ESC and bidi overrides with
a 422, which would make a kiosk's note or rating dead in its outbox. ``HelpQueueClient`` drops them before
the message is stored, so a resident's text with a stray control character still arrives."""

from __future__ import annotations

import pytest

from tests.queue.test_notes_outbox import history, kiosk_for
from tests.queue.test_outbox_forwarder import until


@pytest.fixture
def db_url(sqlite_url):
    return sqlite_url


def test_a_note_with_control_characters_still_arrives(live, world, tmp_path):
    kiosk = kiosk_for(tmp_path, live.url, world)
    try:
        rid = kiosk.call_helper("assist", "materials", ticket_no="A017", visit_id="v1", note="急\x00事",
                                matter_name="养老\u202e保险")
        nid = kiosk.add_note(rid, "打印机\x00缺纸\u202e，请带上号码\x1b")
        kiosk.start()
        assert until(lambda: kiosk.pending_count() == 0, 15)
        assert kiosk.outbox.counts()["dead"] == 0
        notes = [e["note"] for e in history(live.url, world, rid) if e["type"] == "request.note"]
        assert [n["id"] for n in notes] == [nid] and notes[0]["text"] == "打印机缺纸，请带上号码"
        assert kiosk.outbox.get(rid).state == "sent"
    finally:
        kiosk.stop()
