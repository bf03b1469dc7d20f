"""Attack (load review): kiosks' notes made every console's list as heavy as a hostile kiosk liked.

A kiosk may add notes to its own requests, 50 of up to 500 characters each, in any state, and every
list of requests (``GET /requests``: each console's load and each ``resync``) carries every note of every
request. A stolen kiosk token filling 200 open requests that way (10,000 notes: ~45 minutes of its write
budget) made the default list 16 MB and ~2.5 s of the event loop (1,000 requests: 82 MB, 12.7 s of CPU,
~250 MB of memory, measured); every console reloading it at once stopped the server. Now the notes of
one request hold at most ``MAX_NOTE_CHARS`` characters (a real kiosk's notes are a line or two: 打印机缺纸，
请带上号码), and the list reads only the notes out of their events, not each event's request view."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from kiosk.queue import notes as notes_mod
from kiosk.queue.errors import QueueError
from kiosk.queue.schemas import NoteIn, RequestIn
from tests.queue.conftest import auth


def _note(text: str) -> NoteIn:
    return NoteIn(id=str(uuid.uuid4()), text=text, created_at=datetime.now(UTC))


def test_a_kiosks_notes_cannot_make_a_console_list_heavy(ctx, world, client):
    k1 = world.kiosk("k1")  # (its service calls: the kiosk's write budget is another attack's)
    ids = [ctx.queue.create(k1, RequestIn(**world.request_body()))["id"] for _ in range(10)]
    long_text = "请" * 500
    for rid in ids:
        for _ in range(notes_mod.MAX_NOTES + 1):  # as many full-length notes as the server takes
            try:
                ctx.queue.add_note(k1, rid, _note(long_text))
            except QueueError as exc:
                assert exc.status == 409 and exc.code == "too_many_notes"
                break
    listed = client.get("/api/v1/requests", headers=auth(world.token("li")))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 10
    for item in items:
        assert sum(len(n["text"]) for n in item["notes"]) <= notes_mod.MAX_NOTE_CHARS <= 2000
        assert item["notes"] and item["notes"][0]["text"] == long_text  # what was taken is all there
    assert len(listed.content) < 10 * (notes_mod.MAX_NOTE_CHARS * 3 + 6000)  # (UTF-8, and the view and JSON)
    # a kiosk's ordinary notes still all arrive: many short ones up to the count
    rid = ctx.queue.create(k1, RequestIn(**world.request_body()))["id"]
    for i in range(notes_mod.MAX_NOTES):
        assert ctx.queue.add_note(k1, rid, _note(f"打印机缺纸，请带上号码 A{i:03d}"))["created"]
    one = client.get(f"/api/v1/requests/{rid}", headers=auth(world.token("li"))).json()
    assert len(one["notes"]) == notes_mod.MAX_NOTES
