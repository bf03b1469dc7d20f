"""PostgreSQL: a transaction's pushed events stored, chained, announced and committed in one message.

Contract
- :func:`append_and_commit` is the last thing a PostgreSQL write transaction with pushed request events
  does (:mod:`kiosk.queue.txn`). It sends one simple-protocol message of two statements:
  ``SELECT … FROM kq_append_events(channel, events)`` (migration 0015) and ``COMMIT``. The function locks the events' sites' chain heads (site order), and
  per event hashes (PostgreSQL's ``sha256`` over exactly the bytes of :func:`kiosk.queue.chain.entry_hash`:
  the content is sent split around the chain number), inserts it (its id from the transaction's id:
  ``kq_event_id()``), moves the head; then one ``pg_notify`` with the newest id wakes the listeners
  (:class:`kiosk.queue.events.PgListener`). The ``COMMIT`` (``synchronous_commit`` off: no wait for the
  disk) releases the heads: they stay locked only while PostgreSQL works, never across a round trip to
  this process (whose thread may wait for the GIL or the CPU). The WAL flush that makes it durable is
  :meth:`kiosk.queue.db.Database.write`'s group flush, once the connection is back (the 2xx still means
  stored).
- Afterwards the connection is outside any transaction; :meth:`kiosk.queue.db.Database.write` sees
  :data:`COMMITTED` in the connection's info and does not commit again.
- Events whose JSON holds a NUL character (``\\u0000``, which ``jsonb`` refuses) take the Python path
  (:func:`kiosk.queue.store.add_events` and the NOTIFY of :class:`kiosk.queue.events.PgPublisher`).
"""

from __future__ import annotations

import orjson
import psycopg
from sqlalchemy import Connection

from kiosk.queue.chain import data_json, entry_time
from kiosk.queue.db import COMMITTED

_SQL = "SELECT o_id, o_seq, o_prev, o_hash FROM kq_append_events(%s, %s::jsonb); COMMIT"


def entry(event: dict) -> dict:
    """One element of the function's ``p_events``: the columns, and the chain content around its number."""
    at = entry_time(event["at"])
    data = data_json("events", event["data"], None)
    rest = ["events", event.get("request_id"), event["type"], event["actor"], at, event.get("escalated_to")]
    out = {"site": event["site_code"], "request_id": event.get("request_id"),
           "escalated_to": event.get("escalated_to"), "type": event["type"], "actor": event["actor"], "at": at,
           "data": data.decode(), "pre": orjson.dumps([event["site_code"]])[:-1].decode() + ",",
           "post": "," + orjson.dumps(rest)[1:].decode() + "\n" + data.decode()}
    return out


def payload(events: list[dict]) -> bytes | None:
    """The function's ``p_events`` (JSON), or None when the events must take the Python path."""
    body = orjson.dumps([entry(e) for e in events])
    return None if b"\\u0000" in body else body


def append_and_commit(conn: Connection, events: list[dict], channel: str, body: bytes) -> list[dict]:
    """Sends the message (see the module's contract); sets each event's ``id``; returns the stored chain
    columns (``id``, ``chain_seq``, ``prev_hash``, ``hash``) of each."""
    raw = conn.connection.dbapi_connection
    cur = psycopg.ClientCursor(raw)
    try:
        cur.execute(_SQL, (channel, body.decode()))
        rows = cur.fetchall()
    finally:
        cur.close()
    conn.info[COMMITTED] = True
    stored = []
    for event, (event_id, seq, prev, digest) in zip(events, rows, strict=True):
        event["id"] = int(event_id)
        stored.append({"id": int(event_id), "chain_seq": seq, "prev_hash": prev, "hash": digest})
    return stored
