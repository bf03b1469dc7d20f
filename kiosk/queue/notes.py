"""Kiosks' notes on their help requests, read back from the ``request.note`` events that store them.

Contract
- A note lives only as the ``data["note"]`` (``{id, text, created_at, actor}``) of a ``request.note`` event
  (written by :meth:`kiosk.queue.service.QueueService.add_note`); there is no table of its own.
- :func:`notes_of` answers every note of the given requests, oldest first; :func:`lock_request` makes
  concurrent replays of one note on PostgreSQL take turns (SQLite has one writer already).
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from kiosk.queue.models import events, requests

MAX_NOTES = 50  # per request: a kiosk in a loop must not flood the consoles
_CHUNK = 500  # ids per IN (…) list


def notes_of(conn: Connection, request_ids: list[str]) -> dict[str, list[dict]]:
    """The kiosks' notes of these requests, oldest first, by request id (requests without notes absent)."""
    out: dict[str, list[dict]] = {}
    for i in range(0, len(request_ids), _CHUNK):
        stmt = (select(events.c.request_id, events.c.data)
                .where(events.c.type == "request.note", events.c.request_id.in_(request_ids[i:i + _CHUNK]))
                .order_by(events.c.id))
        for request_id, data in conn.execute(stmt):
            out.setdefault(request_id, []).append(data["note"])
    return out


def lock_request(conn: Connection, request_id: str) -> None:
    """PostgreSQL: holds the request's row until the transaction ends (``SELECT … FOR UPDATE``)."""
    conn.execute(select(requests.c.id).where(requests.c.id == request_id).with_for_update())
