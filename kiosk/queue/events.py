"""Live events: their JSON and SSE frames, and how they reach every server process (PostgreSQL LISTEN/NOTIFY).

Contract
- Events are published only after their transaction committed. On SQLite (one server process) the
  service hands them straight to the process's bus (:mod:`kiosk.queue.fanout`). On PostgreSQL a
  transaction that stored events sends one ``pg_notify`` (delivered by PostgreSQL only on commit): a
  wake-up with its newest event id. Every server process, the sender included, has a
  :class:`PgListener` thread that then reads the new events from the table and feeds its own bus.
- Each event is serialised to JSON once per process (orjson) and framed as SSE bytes once; consoles get
  that same frame only when one of its sites (the request's site, or the site it was escalated to) is
  among theirs (:mod:`kiosk.queue.fanout`: a console that falls too far behind gets ``resync``).
- PostgreSQL ordering without a lock: an event's id is ``xid << 16 | n`` (its transaction's id,
  migration 0015) and readers take only ids below the horizon, ``kq_event_horizon()`` (the oldest
  transaction still running, shifted alike): every transaction below it has ended and none can start
  below it, so those ids are final and ``id > cursor`` never skips a late commit. Writers of different
  sites never wait for each other; an event waits for delivery at most as long as the oldest write
  transaction then running (milliseconds; an idle-in-transaction session that holds an id, e.g. an
  operator's open ``psql`` transaction, holds back live events until it ends). Transactions that
  depend on each other (a claim after a creation) have ids in that order. When the LISTEN connection
  drops, :class:`PgListener` reconnects, LISTENs again, then reads every event after the last id it
  delivered: live consoles miss nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import orjson
from sqlalchemy import Connection, text

from kiosk.queue.metrics import DELAY_BUCKETS, Histogram

log = logging.getLogger(__name__)
CHANNEL = "kq_events"  # + "_<schema>": processes sharing a schema share a channel, others never mix


@dataclass(frozen=True, slots=True)
class Live:
    id: int
    type: str
    sites: tuple[str, ...]
    json: str
    frame: bytes = b""  # the whole SSE message, encoded once for every console
    at: float = 0.0  # the event's time (when its write began; POSIX seconds): its delay is measured from it


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
    raw, event_id, at = to_json_bytes(event), int(event["id"]), event.get("at")
    return Live(event_id, event["type"], sites, raw.decode(), sse_frame(event_id, event["type"], raw),
                at.timestamp() if isinstance(at, datetime) else 0.0)


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
    """PostgreSQL: after a transaction with events committed, a wake-up for every process's
    :class:`PgListener` (whose thread then reads the events from the table).

    The wake-up is a ``pg_notify`` carrying the newest id, sent by one thread per process on its own
    connection (``synchronous_commit`` off), never inside the writers' transactions: PostgreSQL
    serialises the commits that NOTIFY (one lock for the whole cluster's queue), so a NOTIFY in each
    writer would make every writer wait for every other. Commits arriving while one is sent share the
    next (one NOTIFY a round trip at most, whatever the number of writers). The thread ends, giving its
    connection back, after ``idle_s`` without commits, and starts again with the next one."""

    def __init__(self, channel: str, conninfo: str | None = None):
        self.channel, self.conninfo = channel, conninfo
        self.sent = 0
        self.idle_s = 2.0  # the thread and its connection end after this long without a commit
        self.delay = Histogram(DELAY_BUCKETS)  # the oldest commit a NOTIFY covers, to the NOTIFY sent
        self._newest = self._told = 0
        self._since: float | None = None  # when the oldest commit not yet told of arrived
        self._closing = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def in_tx(self, conn: Connection, events: list[dict]) -> None:
        pass

    def after_commit(self, events: list[dict]) -> None:
        if not events or self.conninfo is None:  # (none given: listeners find the events within idle_s)
            return
        with self._cond:
            self._newest = max(self._newest, int(events[-1]["id"]))
            if self._since is None:
                self._since = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="queue-pg-notifier", daemon=True)
                self._thread.start()
            self._cond.notify()

    def close(self) -> None:
        """Ends the thread (and its connection) within ``idle_s``; a later commit starts it again."""
        with self._cond:
            self._closing = True
            self._cond.notify()

    def _run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.conninfo, autocommit=True, application_name="kiosk-queue-notifier") as conn:
                conn.execute("SET synchronous_commit TO off")  # a wake-up: nothing to make durable
                while True:
                    with self._cond:
                        if self._newest <= self._told and not self._closing:
                            self._cond.wait(self.idle_s)
                        if self._newest <= self._told:  # idle (or closed): the connection is given back
                            self._thread = None
                            self._closing = False
                            return
                        newest, since, self._since = self._newest, self._since, None
                    conn.execute("SELECT pg_notify(%s, %s)", (self.channel, str(newest)))
                    self.delay.observe(time.monotonic() - (since or time.monotonic()))
                    self._told = newest
                    self.sent += 1
        except Exception as exc:  # the next commit tries again; listeners read every idle_s anyway
            log.warning("NOTIFY connection failed (%s); the listeners will read without it", exc)
            with self._cond:
                self._thread = None


# the events of ended transactions after a cursor (their ids are final: migration 0015)
_READ = ("SELECT id, type, at, actor, site_code, escalated_to, data FROM events WHERE id > %s "
         "AND id < kq_event_horizon() ORDER BY id LIMIT %s")
_START = "SELECT coalesce(max(id), 0) FROM events WHERE id < kq_event_horizon()"


class PgListener:
    """A thread holding one LISTEN connection; stops within ~0.5 s of stop().

    Notifications are only wake-ups (each carries the newest id of a transaction that committed). On
    one, the thread reads the events after the last one it delivered and below the horizon (ids final,
    see :func:`kiosk.queue.store.below_horizon`), in pages of ``page``, and publishes them in id order.
    A committed event above the horizon waits for an older transaction still running: while an id it
    was told of is not delivered yet, it reads again after ``retry_s`` (doubling to 50 ms). It also
    reads every ``idle_s`` without a notification. On (re)connect it LISTENs first, then reads: the
    first time only to learn the newest final id; after a drop everything after the last one it
    delivered (the gap), so live consoles miss nothing.
    """

    def __init__(self, conninfo: str, channel: str, bus: Sink, page: int = 500,
                 retry_s: float = 0.002, idle_s: float = 0.5):
        self.conninfo, self.channel, self.bus = conninfo, channel, bus
        self.page, self.retry_s, self.idle_s = page, retry_s, idle_s
        self.last_id: int | None = None  # newest event id delivered to the bus
        self.told = 0  # newest id a notification announced
        self.reconnects = 0
        self.reads = 0
        self.wait = Histogram(DELAY_BUCKETS)  # a wake-up's arrival to its newest event delivered
        self._waiting: list[tuple[int, float]] = []  # (announced id, when) not yet delivered
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

    def _read(self, conn) -> int:
        """Publishes every final event after ``last_id``; returns how many."""
        if self.last_id is None:
            self.last_id = int(conn.execute(_START).fetchone()[0])
            return 0
        delivered = 0
        while not self._stop.is_set():
            self.reads += 1
            rows = conn.execute(_READ, (self.last_id, self.page)).fetchall()
            batch = [to_live({"id": r[0], "type": r[1], "at": r[2].replace(tzinfo=UTC), "actor": r[3],
                              "site_code": r[4], "escalated_to": r[5], "data": r[6]}) for r in rows]
            if batch:
                self.bus.publish(batch)
                self.last_id = batch[-1].id
                delivered += len(batch)
            if len(rows) < self.page:
                break
        return delivered

    def _run(self) -> None:
        import psycopg
        from psycopg.types.json import set_json_loads

        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, application_name="kiosk-queue-listener") as conn:
                    set_json_loads(orjson.loads, conn)
                    conn.execute(f"LISTEN {self.channel}")
                    self.backend_pid = conn.info.backend_pid
                    replayed = self._read(conn)  # (the first time: only the newest final id)
                    if replayed:
                        log.warning("LISTEN connection restored; replayed %d events missed in the gap", replayed)
                    self._ready.set()
                    delay = 0.5
                    self._listen(conn)
            except Exception as exc:  # connection lost: reconnect, then replay the gap from the table
                self.reconnects += 1
                log.warning("LISTEN connection failed (%s); reconnecting in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 30)

    def _listen(self, conn) -> None:
        retry = self.retry_s
        while not self._stop.is_set():
            behind = self.told > (self.last_id or 0)
            woke = False
            for n in conn.notifies(timeout=retry if behind else self.idle_s, stop_after=1):
                woke = True
                if n.payload.isdigit():
                    self.told = max(self.told, int(n.payload))
                    self._waiting.append((int(n.payload), time.monotonic()))
            self._read(conn)
            if self._waiting and self.last_id is not None:
                now, last = time.monotonic(), self.last_id
                for announced, at in self._waiting:
                    if announced <= last:
                        self.wait.observe(now - at)
                self._waiting = [w for w in self._waiting if w[0] > last][-1000:]
            # still behind with nothing new: an older transaction still runs; read again a little later
            retry = self.retry_s if woke or not behind else min(retry * 2, 0.05)
