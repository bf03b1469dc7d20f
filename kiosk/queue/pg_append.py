"""PostgreSQL: a transaction's pushed events stored, chained, announced and committed in one message.

Contract
- :func:`append_and_commit` is the last thing a PostgreSQL write transaction with pushed request events
  does (:mod:`kiosk.queue.txn`). It sends one simple-protocol message of three statements:
  ``SELECT … FROM kq_append_events(lock, channel, events)`` (migration 0012), ``COMMIT`` and
  ``SELECT pg_current_xact_id()``. The function takes the event-order advisory lock
  (:data:`kiosk.queue.chain.PG_LEDGER_LOCK`, the one every ledger writer takes), and per event reads its
  site's chain head, hashes (PostgreSQL's ``sha256`` over exactly the bytes of
  :func:`kiosk.queue.chain.entry_hash`: the content is sent split around the chain number), inserts it,
  moves the head and ``pg_notify``\\ s the consoles' payload with the new id spliced in. The ``COMMIT``
  (``synchronous_commit`` off: no wait for the disk) releases the lock: it is held only while PostgreSQL
  works, never across a round trip to this process (whose thread may wait for the GIL or the CPU).
  The third statement, a transaction of its own with an id, commits synchronously: it returns once
  the WAL up to it, this transaction's commit included, is on disk (the 2xx still means stored).
- Event ids therefore still become visible in id order across processes (ids are drawn under the
  lock and committed before it is released), and each site's chain stays linear.
- Afterwards the connection is outside any transaction; :meth:`kiosk.queue.db.Database.write` sees
  :data:`COMMITTED` in the connection's info and neither commits nor flushes again.
- Events whose JSON holds a NUL character (``\\u0000``, which ``jsonb`` refuses) take the Python path
  (:func:`kiosk.queue.store.add_events` and the NOTIFY of :class:`kiosk.queue.events.PgPublisher`).
"""

from __future__ import annotations

import orjson
import psycopg
from sqlalchemy import Connection

from kiosk.queue.chain import PG_LEDGER_LOCK, data_json, entry_time
from kiosk.queue.db import COMMITTED
from kiosk.queue.events import MAX_NOTIFY, to_json_bytes

_SQL = ("SELECT o_id, o_seq, o_prev, o_hash FROM kq_append_events(%s, %s, %s::jsonb); COMMIT; "
        "SELECT pg_current_xact_id()")
_ID0 = b'{"id":0'


def notify_parts(event: dict) -> list[str]:
    """The NOTIFY payload of :class:`kiosk.queue.events.PgListener` (``{id, type, sites, json}``, or
    ``{id, type, sites, ref}`` when too large) as the parts to join with the event's id."""
    raw = to_json_bytes({**event, "id": 0})
    assert raw.startswith(_ID0)
    tail = raw[len(_ID0):].decode()  # ``,"type":…}``: the event's JSON after its id
    sites = [s for s in (event["site_code"], event.get("escalated_to")) if s]
    head = f',"type":{orjson.dumps(event["type"]).decode()},"sites":{orjson.dumps(sites).decode()}'
    parts = ['{"id":', head + ',"json":"{\\"id\\":', orjson.dumps(tail).decode()[1:-1] + '"}']
    if sum(len(p.encode()) for p in parts) + 40 > MAX_NOTIFY:  # (the id twice, at most 20 digits each)
        parts = ['{"id":', head + ',"ref":true}']
    return parts


def entry(event: dict, notify: bool) -> dict:
    """One element of the function's ``p_events``: the columns, and the chain content around its number."""
    at = entry_time(event["at"])
    data = data_json("events", event["data"], None)
    rest = ["events", event.get("request_id"), event["type"], event["actor"], at, event.get("escalated_to")]
    out = {"site": event["site_code"], "request_id": event.get("request_id"),
           "escalated_to": event.get("escalated_to"), "type": event["type"], "actor": event["actor"], "at": at,
           "data": data.decode(), "pre": orjson.dumps([event["site_code"]])[:-1].decode() + ",",
           "post": "," + orjson.dumps(rest)[1:].decode() + "\n" + data.decode()}
    if notify:
        out["notify"] = notify_parts(event)
    return out


def payload(events: list[dict], notify: bool) -> bytes | None:
    """The function's ``p_events`` (JSON), or None when the events must take the Python path."""
    body = orjson.dumps([entry(e, notify) for e in events])
    return None if b"\\u0000" in body else body


def append_and_commit(conn: Connection, events: list[dict], channel: str, body: bytes) -> list[dict]:
    """Sends the message (see the module's contract); sets each event's ``id``; returns the stored chain
    columns (``id``, ``chain_seq``, ``prev_hash``, ``hash``) of each."""
    raw = conn.connection.dbapi_connection
    cur = psycopg.ClientCursor(raw)
    try:
        cur.execute(_SQL, (PG_LEDGER_LOCK, channel, body.decode()))
        rows = cur.fetchall()
    finally:
        cur.close()
    conn.info[COMMITTED] = True
    stored = []
    for event, (event_id, seq, prev, digest) in zip(events, rows, strict=True):
        event["id"] = int(event_id)
        stored.append({"id": int(event_id), "chain_seq": seq, "prev_hash": prev, "hash": digest})
    return stored
