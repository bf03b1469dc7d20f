"""Live events: the in-process fan-out to SSE subscribers, and PostgreSQL LISTEN/NOTIFY across processes.

Contract
- Events are published only after their transaction committed. On SQLite (one server process) the
  service hands them straight to the :class:`EventBus`. On PostgreSQL each event is sent with
  ``pg_notify`` inside its transaction (delivered by PostgreSQL only on commit) and every server process,
  including the sender, receives it in a :class:`PgListener` thread and feeds its own bus.
- Each event is serialised to JSON once; subscribers get it only when one of its sites (the request's
  site, or the site it was escalated to) is among theirs. A subscriber that falls too far behind is
  closed (its console reconnects with ``Last-Event-ID`` and catches up from the events table).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)
CHANNEL = "kq_events"  # + "_<schema>": processes sharing a schema share a channel, others never mix
_MAX_NOTIFY = 7900  # PostgreSQL's payload limit is 8000 bytes


@dataclass(frozen=True, slots=True)
class Live:
    id: int
    type: str
    sites: tuple[str, ...]
    json: str


def _default(o: object) -> str:
    if isinstance(o, datetime):
        return o.isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def to_json(event: dict) -> str:
    """The event as consoles get it: ``{id, type, at, actor, site_code, escalated_to, request, …}``."""
    body = {k: event[k] for k in ("id", "type", "at", "actor", "site_code", "escalated_to")}
    body.update(event.get("data") or {})
    return json.dumps(body, ensure_ascii=False, default=_default, separators=(",", ":"))


def to_live(event: dict) -> Live:
    sites = tuple(s for s in (event["site_code"], event.get("escalated_to")) if s)
    return Live(int(event["id"]), event["type"], sites, to_json(event))


CLOSE = Live(-1, "close", (), "")


class Subscriber:
    __slots__ = ("sites", "queue")

    def __init__(self, sites: frozenset[str], maxsize: int):
        self.sites = sites
        self.queue: asyncio.Queue[Live] = asyncio.Queue(maxsize)


class EventBus:
    """Fan-out inside one server process; publish from any thread, subscribe on the event loop."""

    def __init__(self, queue_size: int = 2000):
        self.queue_size = queue_size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._by_site: dict[str, set[Subscriber]] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, sites: frozenset[str]) -> Subscriber:
        sub = Subscriber(sites, self.queue_size)
        for s in sites:
            self._by_site.setdefault(s, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        for s in sub.sites:
            group = self._by_site.get(s)
            if group is not None:
                group.discard(sub)
                if not group:
                    del self._by_site[s]

    @property
    def subscribers(self) -> int:
        return len({sub for group in self._by_site.values() for sub in group})

    def publish(self, items: list[Live]) -> None:
        """Thread-safe: schedules delivery on the bound loop (dropped when no loop is bound yet)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._dispatch, items)

    def _dispatch(self, items: list[Live]) -> None:
        for item in items:
            targets: set[Subscriber] = set()
            for s in item.sites:
                targets |= self._by_site.get(s, set())
            for sub in targets:
                try:
                    sub.queue.put_nowait(item)
                except asyncio.QueueFull:  # too slow: close it; the console catches up on reconnect
                    self.unsubscribe(sub)
                    sub.queue.get_nowait()
                    sub.queue.put_nowait(CLOSE)


class LocalPublisher:
    """SQLite (single process): deliver after commit straight to the bus."""

    def __init__(self, bus: EventBus):
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
            payload = json.dumps({"id": live.id, "type": live.type, "sites": live.sites, "json": live.json},
                                 ensure_ascii=False)
            if len(payload.encode()) > _MAX_NOTIFY:
                payload = json.dumps({"id": live.id, "type": live.type, "sites": live.sites, "ref": True})
            conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": self.channel, "p": payload})

    def after_commit(self, events: list[dict]) -> None:
        pass


class PgListener:
    """A thread holding one LISTEN connection; reconnects with backoff; stops within ~0.5 s of stop()."""

    def __init__(self, conninfo: str, channel: str, bus: EventBus, load_json=None):
        self.conninfo, self.channel, self.bus, self.load_json = conninfo, channel, bus, load_json
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

    def _run(self) -> None:
        import psycopg

        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {self.channel}")
                    self._ready.set()
                    delay = 0.5
                    while not self._stop.is_set():
                        batch = [self._decode(n.payload) for n in conn.notifies(timeout=0.5, stop_after=200)]
                        batch = [b for b in batch if b is not None]
                        if batch:
                            self.bus.publish(batch)
            except Exception as exc:  # connection lost: retry; consoles catch up from the table
                log.warning("LISTEN connection failed (%s); retrying in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 30)

    def _decode(self, payload: str) -> Live | None:
        try:
            d = json.loads(payload)
            body = d.get("json")
            if body is None and self.load_json is not None:
                body = self.load_json(int(d["id"]))
            return Live(int(d["id"]), d["type"], tuple(d["sites"]), body) if body else None
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring a malformed notification (%s)", exc)
            return None
