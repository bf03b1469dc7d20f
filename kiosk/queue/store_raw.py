"""The hot-path statements (create, get, claim and other changes; events go through
:func:`kiosk.queue.chain.append`) in plain ``sqlite3``.

Contract: the same behaviour and the same stored bytes as the SQLAlchemy statements in
:mod:`kiosk.queue.store` (which dispatches here when handed a ``sqlite3.Connection``): times are stored
as SQLAlchemy stores them on SQLite (naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff``) and come back as aware
UTC datetimes; JSON as compact UTF-8 text. Functions run inside the caller's transaction and never
commit. This skips SQLAlchemy's per-statement work where the server spends most of its time.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

_TIMES = frozenset({"created_at", "received_at", "updated_at", "claimed_at", "arrived_at", "closed_at",
                    "escalate_at", "escalate_up_at"})
_GET = ("SELECT requests.*, users.display_name AS helper_name, kiosks.location AS kiosk_location "
        "FROM requests LEFT OUTER JOIN users ON users.id = requests.claimed_by "
        "JOIN kiosks ON kiosks.kiosk_id = requests.kiosk_id WHERE requests.id = ?")
_POSITION = ("SELECT count(*) FROM requests WHERE site_code = ? AND state = 'waiting' AND "
             "(priority_rank < ? OR (priority_rank = ? AND created_at < ?) "
             "OR (priority_rank = ? AND created_at = ? AND id < ?))")
_sql_cache: dict[tuple, str] = {}


def bind(value: Any) -> Any:
    """A Python value as SQLAlchemy would bind it for SQLite (UTC times as naive text, enums as str)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    return value


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def get_request(conn: sqlite3.Connection, request_id: str) -> dict | None:
    cur = conn.execute(_GET, (request_id,))
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip([d[0] for d in cur.description], row, strict=True))
    for key in _TIMES:
        out[key] = _time(out[key])
    return out


def insert_request(conn: sqlite3.Connection, values: dict[str, Any]) -> bool:
    """``INSERT … ON CONFLICT(id) DO NOTHING``; True when this call stored the row."""
    keys = tuple(values)
    sql = _sql_cache.get(("insert", keys))
    if sql is None:
        sql = _sql_cache[("insert", keys)] = (
            f"INSERT INTO requests ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))}) "
            "ON CONFLICT (id) DO NOTHING")
    return conn.execute(sql, [bind(v) for v in values.values()]).rowcount == 1


def change_state(conn: sqlite3.Connection, request_id: str, from_states: list[str], values: dict[str, Any],
                 expect_helper: int | None) -> bool:
    keys = tuple(values)
    key = ("change", keys, len(from_states), expect_helper is not None)
    sql = _sql_cache.get(key)
    if sql is None:
        sets = ", ".join(f"{k} = ?" for k in keys)
        held = " AND claimed_by = ?" if expect_helper is not None else ""
        sql = _sql_cache[key] = (f"UPDATE requests SET {sets}, version = version + 1 WHERE id = ? AND state IN "
                                 f"({', '.join('?' * len(from_states))}){held}")
    params = [bind(v) for v in values.values()] + [request_id, *map(str, from_states)]
    if expect_helper is not None:
        params.append(expect_helper)
    return conn.execute(sql, params).rowcount == 1


def queue_position(conn: sqlite3.Connection, row: dict) -> int:
    rank, created = row["priority_rank"], bind(row["created_at"])
    params = (row["site_code"], rank, rank, created, rank, created, row["id"])
    return int(conn.execute(_POSITION, params).fetchone()[0]) + 1
