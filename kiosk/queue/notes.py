"""Kiosks' notes on their help requests, read back from the ``request.note`` events that store them.

Contract
- A note lives only as the ``data["note"]`` (``{id, text, created_at, actor}``) of a ``request.note`` event
  (written by :meth:`kiosk.queue.service.QueueService.add_note`); there is no table of its own.
- :func:`notes_of` answers every note of the given requests, oldest first, read out of their events
  alone (``data['note']``, not the request view each event carries); :func:`lock_request` makes
  concurrent replays of one note on PostgreSQL take turns (SQLite has one writer already).
- A request holds at most :data:`MAX_NOTES` notes and :data:`MAX_NOTE_CHARS` characters of them in all
  (:func:`room_for`): every list of requests carries every note, so 50 notes of 500 characters on each
  of 200 requests made each console's list 16 MB and ~2.5 s of the event loop.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from kiosk.queue.models import events, requests

MAX_NOTES = 50  # per request: a kiosk in a loop must not flood the consoles
MAX_NOTE_CHARS = 2000  # all the notes of one request: every console's list carries them (test_attack_note_weight)
_CHUNK = 500  # ids per IN (…) list


def notes_of(conn: Connection, request_ids: list[str]) -> dict[str, list[dict]]:
    """The kiosks' notes of these requests, oldest first, by request id (requests without notes absent)."""
    out: dict[str, list[dict]] = {}
    for i in range(0, len(request_ids), _CHUNK):
        stmt = (select(events.c.request_id, events.c.data["note"])
                .where(events.c.type == "request.note", events.c.request_id.in_(request_ids[i:i + _CHUNK]))
                .order_by(events.c.id))
        for request_id, note in conn.execute(stmt):
            out.setdefault(request_id, []).append(note)
    return out


def room_for(notes: list[dict], text: str) -> bool:
    """Whether a request holding ``notes`` takes one more of ``text`` (:data:`MAX_NOTES`, :data:`MAX_NOTE_CHARS`)."""
    return len(notes) < MAX_NOTES and sum(len(n["text"]) for n in notes) + len(text) <= MAX_NOTE_CHARS


def lock_request(conn: Connection, request_id: str) -> None:
    """PostgreSQL: holds the request's row until the transaction ends (``SELECT … FOR UPDATE``)."""
    conn.execute(select(requests.c.id).where(requests.c.id == request_id).with_for_update())
