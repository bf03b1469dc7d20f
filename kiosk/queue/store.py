"""SQL for help requests and their events (SQLAlchemy Core), identical on SQLite and PostgreSQL.

Contract: every function takes an open connection inside the caller's transaction and never commits.
State changes are conditional (``UPDATE … WHERE state IN (allowed)``) so that of two racing writers, on
one process or many, exactly one succeeds; the caller learns it from the row count.
Handed a plain ``sqlite3.Connection`` (the service's hot paths on SQLite), the functions that have one
run their twin in :mod:`kiosk.queue.store_raw` instead (same SQL semantics, no SQLAlchemy overhead).

Event ids: on PostgreSQL drawn from the writing transaction's id (migration 0015); a reader takes only
the events below the horizon (:func:`below_horizon`), whose ids are final.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kiosk.privacy import redact_text
from kiosk.queue import chain, request_materials, store_raw
from kiosk.queue.models import UTCDateTime, events, kiosks, requests, users
from kiosk.queue.states import State

_view_columns = (requests, users.c.display_name.label("helper_name"), kiosks.c.location.label("kiosk_location"))
_view_from = requests.outerjoin(users, users.c.id == requests.c.claimed_by).join(
    kiosks, kiosks.c.kiosk_id == requests.c.kiosk_id
)


_insert_ignore: dict[tuple[str, str], Any] = {}
# Hot-path statements are built once; each call only binds parameters (no per-call SQL construction).
_GET = select(*_view_columns).select_from(_view_from).where(requests.c.id == bindparam("rid"))
_CHANGE = (
    update(requests)
    .where(requests.c.id == bindparam("rid"), requests.c.state.in_(bindparam("from_states", expanding=True)))
    .values(version=requests.c.version + 1)
)
_CHANGE_HELD = _CHANGE.where(requests.c.claimed_by == bindparam("holder"))


def insert_ignore(conn: Connection, table, values: dict[str, Any], key: str) -> bool:
    """Inserts ``values`` unless a row with the same ``key`` exists; True when this call stored it.
    Also under concurrent calls with the same key exactly one returns True (``ON CONFLICT DO NOTHING``)."""
    if isinstance(conn, sqlite3.Connection) and table is requests:
        return store_raw.insert_request(conn, values)
    cache_key = (conn.dialect.name, table.name)
    stmt = _insert_ignore.get(cache_key)
    if stmt is None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
        _insert_ignore[cache_key] = stmt
    return conn.execute(stmt, values).first() is not None


def get_request(conn: Connection, request_id: str) -> RowMapping | None:
    """The request with its helper's display name and its kiosk's location, or None. Ids are stored in
    canonical UUID form, so ``{ABC…}`` or upper case finds the same request."""
    try:
        request_id = str(uuid.UUID(request_id))
    except ValueError:
        return None
    if isinstance(conn, sqlite3.Connection):
        return store_raw.get_request(conn, request_id)
    return conn.execute(_GET, {"rid": request_id}).mappings().first()


def change_state(conn: Connection, request_id: str, from_states: Iterable[str], values: dict[str, Any],
                 expect_helper: int | None = None) -> bool:
    """Applies ``values`` only if the request is still in one of ``from_states`` (and, when given, still
    held by ``expect_helper``). True when this call made the change (the version is bumped)."""
    if isinstance(conn, sqlite3.Connection):
        return store_raw.change_state(conn, request_id, list(from_states), values, expect_helper)
    params = {"rid": request_id, "from_states": [str(s) for s in from_states], **values}
    if expect_helper is not None:
        return conn.execute(_CHANGE_HELD, params | {"holder": expect_helper}).rowcount == 1
    return conn.execute(_CHANGE, params).rowcount == 1


def visible_clause(visible: Iterable[str]):
    sites = list(visible)
    return or_(requests.c.site_code.in_(sites), requests.c.escalated_to.in_(sites))


def next_waiting_id(conn: Connection, visible: Iterable[str], lock: bool) -> str | None:
    """The id of the first waiting request (priority, then oldest). With ``lock`` (PostgreSQL) the row is
    locked ``FOR UPDATE SKIP LOCKED`` so concurrent "claim next" calls take different requests."""
    stmt = (
        select(requests.c.id)
        .where(requests.c.state == State.WAITING, visible_clause(visible))
        .order_by(requests.c.priority_rank, requests.c.created_at, requests.c.id)
        .limit(1)
    )
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    return conn.execute(stmt).scalar()


_r = requests.c
_POSITION = select(func.count()).select_from(requests).where(
    _r.site_code == bindparam("site"), _r.state == State.WAITING,
    or_(_r.priority_rank < bindparam("rank"),
        and_(_r.priority_rank == bindparam("rank"), _r.created_at < bindparam("created", type_=UTCDateTime)),
        and_(_r.priority_rank == bindparam("rank"), _r.created_at == bindparam("created", type_=UTCDateTime),
             _r.id < bindparam("rid"))),
)


def queue_position(conn: Connection, row: RowMapping | dict) -> int:
    """1 + the number of waiting requests of the same site served before this one."""
    if isinstance(conn, sqlite3.Connection):
        return store_raw.queue_position(conn, row)
    params = {"site": row["site_code"], "rank": row["priority_rank"], "created": row["created_at"], "rid": row["id"]}
    return int(conn.execute(_POSITION, params).scalar() or 0) + 1


def list_requests(conn: Connection, visible: Iterable[str], *, states: Iterable[str] | None = None,
                  site_code: str | None = None, escalated: bool | None = None, mine: int | None = None,
                  closed_since: datetime | None = None, limit: int = 200) -> list[RowMapping]:
    """Requests visible to a user, queue order (priority, then oldest) for open ones; ``closed_since``: only
    those closed at or after it (a helper's 今日已办 among her months of closed requests)."""
    stmt = select(*_view_columns).select_from(_view_from).where(visible_clause(visible))
    if states:
        stmt = stmt.where(requests.c.state.in_(list(states)))
    if site_code:
        stmt = stmt.where(or_(requests.c.site_code == site_code, requests.c.escalated_to == site_code))
    if escalated is not None:
        stmt = stmt.where(requests.c.escalation_level > 0 if escalated else requests.c.escalation_level == 0)
    if mine is not None:
        stmt = stmt.where(requests.c.claimed_by == mine)
    if closed_since is not None:
        stmt = stmt.where(requests.c.closed_at >= closed_since)
    stmt = stmt.order_by(requests.c.priority_rank, requests.c.created_at, requests.c.id).limit(limit)
    return list(conn.execute(stmt).mappings())


def due_escalations(conn: Connection, now: datetime, limit: int = 500) -> list[RowMapping]:
    """Waiting requests whose next escalation time has passed."""
    r = requests.c
    stmt = (
        select(r.id, r.site_code, r.escalation_level, r.escalate_at, r.escalate_up_at)
        .where(
            r.state == State.WAITING,
            or_(and_(r.escalation_level == 0, r.escalate_at <= now),
                and_(r.escalation_level == 1, r.escalate_up_at <= now)),
        )
        .order_by(r.created_at)
        .limit(limit)
    )
    return list(conn.execute(stmt).mappings())


def add_event(conn: Connection, *, type_: str, actor: str, at: datetime, site_code: str,
              escalated_to: str | None, request_id: str | None, data: dict) -> dict:
    """Stores one event and returns it as published (with its id)."""
    values = dict(type=type_, actor=actor, at=at, site_code=site_code, escalated_to=escalated_to,
                  request_id=request_id, data=data)
    return add_events(conn, [values])[0]


def add_events(conn, pending: list[dict], *, lock: bool = False) -> list[dict]:
    """Stores a transaction's events (dicts of the event columns) and sets each one's ``id``. Each event
    is an entry of its site's hash chain (:func:`kiosk.queue.chain.append`). Ids: SQLite's in commit
    order (one writer); PostgreSQL's from the transaction's id (migration 0015), final only below the
    horizon (:func:`below_horizon`). (``lock``: no longer used, kept for older callers.)"""
    for values, row in zip(pending, chain.append(conn, "events", pending), strict=True):
        values["id"] = row["id"]
    return pending


CATCH_UP_SCAN = 10_000  # events of any site a stream's catch-up looks through (tests/queue/test_attack_stream_catchup.py)


def below_horizon(conn: Connection, stmt):
    """PostgreSQL: only the events of ended transactions (``id < kq_event_horizon()``, migration 0015):
    those ids are final, none smaller can commit later. SQLite: every committed event."""
    if conn.dialect.name == "postgresql":
        return stmt.where(events.c.id < func.kq_event_horizon())
    return stmt


def events_after(conn: Connection, last_id: int, visible: Iterable[str], types: Iterable[str],
                 limit: int = 1000) -> list[dict]:
    sites = list(visible)
    e = events.c
    stmt = (
        select(*[c for c in events.c if c.name not in ("prev_hash", "salt")])
        .where(e.id > last_id, e.type.in_(list(types)), or_(e.site_code.in_(sites), e.escalated_to.in_(sites)))
        .order_by(e.id)
        .limit(limit)
    )
    return [dict(m) for m in conn.execute(below_horizon(conn, stmt)).mappings()]


def catch_up(conn: Connection, last_id: int, visible: Iterable[str], types: Iterable[str],
             limit: int = 1000, scan: int = CATCH_UP_SCAN) -> tuple[list[dict], int | None]:
    """A stream's catch-up: ``(events after last_id, None)``, or ``([], newest id)`` when more than ``scan``
    events of any site came since (the console reloads: ``resync``). The table has no index by site, so
    "the next 1,000 of my sites" walked every other site's events to the end for a quiet site's console;
    the first probe walks the primary key only, at most ``scan`` entries."""
    probe = select(events.c.id).where(events.c.id > last_id).order_by(events.c.id).offset(scan).limit(1)
    if conn.execute(below_horizon(conn, probe)).scalar() is not None:
        return [], last_event_id(conn)
    return events_after(conn, last_id, visible, types, limit), None


def last_event_id(conn: Connection) -> int:
    """The newest final event id: a console that subscribes from it misses nothing."""
    return int(conn.execute(below_horizon(conn, select(func.max(events.c.id)))).scalar() or 0)


def staff_view(row: RowMapping, now: datetime) -> dict[str, Any]:
    """The masked view of a request for consoles and events (JSON-ready: times as ISO strings)."""
    end = row["claimed_at"] if row["state"] != State.WAITING and row["claimed_at"] else now
    iso = lambda t: t.isoformat().replace("+00:00", "Z") if t else None  # noqa: E731
    return {
        "id": row["id"], "kind": row["kind"], "site_code": row["site_code"], "kiosk_id": row["kiosk_id"],
        "kiosk_location": row["kiosk_location"] or "", "step": row["step"], "matter_id": row["matter_id"],
        "matter_name": row["matter_name"], "ticket_no": row["ticket_no"], "priority": row["priority"],
        "note": redact_text(row["note"]) if row["note"] else None,
        "resident_masked": row["resident_masked"], "has_identity": row["resident_enc"] is not None,
        "materials": request_materials.decode(row.get("materials")), "state": row["state"], "created_at": iso(row["created_at"]), "updated_at": iso(row["updated_at"]),
        "wait_s": max(0, int((end - row["created_at"]).total_seconds())),
        "claimed_by": {"id": row["claimed_by"], "display_name": row["helper_name"]} if row["claimed_by"] else None,
        "claimed_at": iso(row["claimed_at"]), "arrived_at": iso(row["arrived_at"]),
        "closed_at": iso(row["closed_at"]), "outcome": row["outcome"], "cancel_reason": row["cancel_reason"],
        "case_id": row["case_id"], "escalation_level": row["escalation_level"],
        "escalated_to": row["escalated_to"], "version": row["version"],
    }
