"""Live events: their JSON and SSE frames, and how they reach every server process (PostgreSQL LISTEN/NOTIFY).

Contract
- Events are published only after their transaction committed. On SQLite (one server process) the
  service hands them straight to the process's bus (:mod:`kiosk.queue.fanout`). On PostgreSQL each event is sent with
  ``pg_notify`` inside its transaction (delivered by PostgreSQL only on commit) and every server process,
  including the sender, receives it in a :class:`PgListener` thread and feeds its own bus.
- Each event is serialised to JSON once (orjson) and framed as SSE bytes once; consoles get that same
  frame only when one of its sites (the request's site, or the site it was escalated to) is among
  theirs (:mod:`kiosk.queue.fanout`: a console that falls too far behind gets ``resync``).
- PostgreSQL ordering: event ids are assigned under a transaction-scoped advisory lock taken just before
  the events are inserted (see :func:`kiosk.queue.store.add_events`), so ids become visible in id order
  across processes and ``id > cursor`` never skips a late commit. When the LISTEN connection drops,
  :class:`PgListener` reconnects, LISTENs again, then replays from the table every event after the last id
  it delivered (and drops notifications it already replayed): live consoles miss nothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import orjson
from sqlalchemy import Connection, text

log = logging.getLogger(__name__)
CHANNEL = "kq_events"  # + "_<schema>": processes sharing a schema share a channel, others never mix
MAX_NOTIFY = 7900  # PostgreSQL's payload limit is 8000 bytes


@dataclass(frozen=True, slots=True)
class Live:
    id: int
    type: str
    sites: tuple[str, ...]
    json: str
    frame: bytes = b""  # the whole SSE message, encoded once for every console


def sse_frame(event_id: int, type_: str, body: str | bytes) -> bytes:
    """One SSE message (``id``, ``event``, ``data``; CRLF like sse-starlette). JSON has no raw newlines."""
    data = body.encode() if isinstance(body, str) else body
    return b"id: %d\r\nevent: %s\r\ndata: %s\r\n\r\n" % (event_id, type_.encode(), data)


def _default(o: object) -> str:
    if isinstance(o, datetime):
        return o.isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


_OPTS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def dumps(value) -> bytes:
    """Compact UTF-8 JSON; aware UTC datetimes as ``…Z`` (the API's format)."""
    return orjson.dumps(value, default=_default, option=_OPTS)


def to_json_bytes(event: dict) -> bytes:
    body = {k: event[k] for k in ("id", "type", "at", "actor", "site_code", "escalated_to")}
    body.update(event.get("data") or {})
    return dumps(body)


def to_json(event: dict) -> str:
    """The event as consoles get it: ``{id, type, at, actor, site_code, escalated_to, request, …}``."""
    return to_json_bytes(event).decode()


def to_live(event: dict) -> Live:
    sites = tuple(s for s in (event["site_code"], event.get("escalated_to")) if s)
    raw, event_id = to_json_bytes(event), int(event["id"])
    return Live(event_id, event["type"], sites, raw.decode(), sse_frame(event_id, event["type"], raw))


class Sink(Protocol):
    """Where live events go in this process (:class:`kiosk.queue.fanout.EventBus`)."""

    def publish(self, items: list[Live]) -> None: ...


class LocalPublisher:
    """SQLite (single process): deliver after commit straight to the bus."""

    def __init__(self, bus: Sink):
        self.bus = bus

    def in_tx(self, conn: Connection, events: list[dict]) -> None:
        pass

    def after_commit(self, events: list[dict]) -> None:
        self.bus.publish([to_live(e) for e in events])


def pg_channel(conn: Connection) -> str:
    schema = conn.execute(text("SELECT current_schema()")).scalar() or "public"
    return (CHANNEL + "_" + "".join(ch if ch.isalnum() else "_" for ch in schema))[:63].lower()


class PgPublisher:
    """PostgreSQL: NOTIFY inside the transaction; :class:`PgListener` threads deliver to every process."""

    def __init__(self, channel: str):
        self.channel = channel

    def in_tx(self, conn: Connection, events: list[dict]) -> None:
        for e in events:
            live = to_live(e)
            payload = orjson.dumps({"id": live.id, "type": live.type, "sites": live.sites, "json": live.json})
            if len(payload) > MAX_NOTIFY:
                payload = orjson.dumps({"id": live.id, "type": live.type, "sites": live.sites, "ref": True})
            conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": self.channel, "p": payload.decode()})

    def after_commit(self, events: list[dict]) -> None:
        pass


_REPLAY = ("SELECT id, type, at, actor, site_code, escalated_to, data FROM events WHERE id > %s "
           "ORDER BY id LIMIT %s")


class PgListener:
    """A thread holding one LISTEN connection; stops within ~0.5 s of stop().

    On (re)connect it LISTENs first and then reads the events table: the first time only to learn the
    newest id; after a drop it publishes every event after the last one it delivered (pages of
    ``replay_page``), then skips notifications of ids it already delivered. Ids are visible in id order
    (the store's advisory lock), so "after the last id" is exactly what the gap held.
    """

    def __init__(self, conninfo: str, channel: str, bus: Sink, load_json=None, replay_page: int = 500):
        self.conninfo, self.channel, self.bus, self.load_json = conninfo, channel, bus, load_json
        self.replay_page = replay_page
        self.last_id: int | None = None  # newest event id delivered to the bus
        self.reconnects = 0
        self.backend_pid: int | None = None  # the LISTEN connection's server process (for operators, tests)
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="queue-pg-listener", daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            log.warning("LISTEN connection not ready after %.0f s; live events may be late", timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _catch_up(self, conn) -> None:
        if self.last_id is None:
            self.last_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
            return
        replayed = 0
        while not self._stop.is_set():
            rows = conn.execute(_REPLAY, (self.last_id, self.replay_page)).fetchall()
            batch = [to_live({"id": r[0], "type": r[1], "at": r[2].replace(tzinfo=UTC), "actor": r[3],
                              "site_code": r[4], "escalated_to": r[5], "data": r[6]}) for r in rows]
            if batch:
                self.bus.publish(batch)
                self.last_id = batch[-1].id
                replayed += len(batch)
            if len(rows) < self.replay_page:
                break
        if replayed:
            log.warning("LISTEN connection restored; replayed %d events missed in the gap", replayed)

    def _run(self) -> None:
        import psycopg

        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, application_name="kiosk-queue-listener") as conn:
                    conn.execute(f"LISTEN {self.channel}")
                    self.backend_pid = conn.info.backend_pid
                    self._catch_up(conn)
                    self._ready.set()
                    delay = 0.5
                    while not self._stop.is_set():
                        # as soon as a packet of notifications came (stop_after=1 still yields the whole packet)
                        batch = [self._decode(n.payload) for n in conn.notifies(timeout=0.5, stop_after=1)]
                        batch = [b for b in batch if b is not None and b.id > (self.last_id or 0)]
                        if batch:
                            self.bus.publish(batch)
                            self.last_id = max(self.last_id or 0, batch[-1].id)
            except Exception as exc:  # connection lost: reconnect, then replay the gap from the table
                self.reconnects += 1
                log.warning("LISTEN connection failed (%s); reconnecting in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 30)

    def _decode(self, payload: str) -> Live | None:
        try:
            d = orjson.loads(payload)
            body = d.get("json")
            if body is None and self.load_json is not None:
                body = self.load_json(int(d["id"]))
            if not body:
                return None
            return Live(int(d["id"]), d["type"], tuple(d["sites"]), body, sse_frame(int(d["id"]), d["type"], body))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring a malformed notification (%s)", exc)
            return None

