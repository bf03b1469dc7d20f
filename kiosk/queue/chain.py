"""Tamper evidence for the ledger: one hash chain per site over request events and 代办 case events.

Contract
- Every row of ``events`` and ``case_events`` is a ledger entry. :func:`append` gives each entry of a
  transaction its site's next ``chain_seq`` (1, 2, 3 … per site, across both tables), ``prev_hash`` (the
  hash of the site's entry before it; :data:`GENESIS` for the first) and ``hash`` = SHA-256 over
  ``prev_hash`` and the entry's canonical content (:func:`entry_hash`). The site's newest ``(seq, hash)``
  is kept in ``ledger_heads``; :mod:`kiosk.queue.verify` walks the chains and compares.
- Concurrency: on PostgreSQL a ledger writer locks its sites' ``ledger_heads`` rows (in site order, held
  until commit), then reads the heads, inserts, writes the heads: each site's appends commit one after
  another, different sites' in parallel. Pushed request events append in one server-side function sent
  with the transaction's COMMIT (:mod:`kiosk.queue.pg_append`), so a head stays locked only while
  PostgreSQL works. Event ids do not depend on this lock (migration 0015: the transaction's id). A
  transaction that appends several times for different sites (a case's transfer to the parent site,
  child first) could wait in a circle on one locking them in site order: PostgreSQL then aborts one
  (deadlock detected after 1 s; the client is answered 500 and may repeat).
  SQLite has one writer.
- Erasure (:mod:`kiosk.queue.retention`): the free-text fields :data:`ERASABLE` of a case event are hashed
  as commitments ``sha256(salt | field | value)`` with a random per-entry ``salt``. Erasing replaces each
  such value by ``{"$erased": commitment}`` and drops the salt: the chain still verifies, the text is
  gone, and without the salt the commitment cannot be brute-forced back into a short text (a phone).
  A value can be erased, never replaced by another (its commitment would no longer match).
- Content hashed (:func:`content`): site, seq, the table, the request or case id, type, actor, time (UTC,
  microseconds), ``escalated_to``, and the data (JSON, keys sorted). Nothing else of the row (not its id:
  the chain's order is ``chain_seq``).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kiosk.queue.models import case_events, events, ledger_heads
from kiosk.queue.store_raw import bind

GENESIS = "0" * 64
ERASABLE = ("note", "reason")  # free text a person typed into a case event: personal data may hide there
ERASED = "$erased"
LOGS = {"events": events, "case_events": case_events}
_REF = {"events": "request_id", "case_events": "case_id"}
_CHAIN_COLUMNS = ("id", "chain_seq", "prev_hash", "hash", "salt")
_JSON = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def entry_time(at: datetime) -> str:
    """UTC to the microsecond, as SQLite stores it (``store_raw.bind``): the hot path formats it once."""
    return bind(at)


def commitment(salt: str, key: str, value: Any) -> str:
    """The commitment that stands for an erasable field's value in the hash."""
    return hashlib.sha256(f"{salt}|{key}|".encode() + orjson.dumps(value, option=_JSON)).hexdigest()


def hashed_data(log: str, data: dict, salt: str | None) -> dict:
    """The data as it enters the hash: erasable fields of case events as their commitments. A field
    already erased stands for its stored commitment; a present value without a salt cannot be hashed
    (``ValueError``: the row was changed)."""
    if log != "case_events":
        return data
    out = dict(data)
    for key in ERASABLE:
        if key not in out:
            continue
        value = out[key]
        if isinstance(value, dict) and set(value) == {ERASED}:
            out[key] = {ERASED: value[ERASED]}
        elif salt is None:
            raise ValueError(f"field '{key}' holds text but the entry has no salt")
        else:
            out[key] = {ERASED: commitment(salt, key, value)}
    return out


def needs_salt(log: str, data: dict) -> bool:
    return log == "case_events" and any(k in data for k in ERASABLE)


def data_json(log: str, data: dict | None, salt: str | None) -> bytes:
    """The entry's data as hashed: JSON, keys sorted, erasable fields as commitments. For request events
    it is also exactly what is stored (the hot path serialises once)."""
    return orjson.dumps(hashed_data(log, data or {}, salt), option=_JSON)


def content(log: str, entry: dict, seq: int, data: bytes | None = None, at: str | None = None) -> bytes:
    """The canonical bytes of an entry: a JSON array of site, number, table, request or case id, type,
    actor, time and ``escalated_to``, a newline, then :func:`data_json` (``data``, ``at``: already made)."""
    head = [entry["site_code"], seq, log, entry.get(_REF[log]), entry["type"], entry["actor"],
            at or entry_time(entry["at"]), entry.get("escalated_to")]
    return orjson.dumps(head) + b"\n" + (data if data is not None else data_json(log, entry["data"], entry.get("salt")))


def entry_hash(prev: str, log: str, entry: dict, seq: int, data: bytes | None = None, at: str | None = None) -> str:
    return hashlib.sha256(prev.encode() + b"\n" + content(log, entry, seq, data, at)).hexdigest()


def append(conn: Connection | sqlite3.Connection, log: str, entries: list[dict]) -> list[dict]:
    """Chains and inserts ``entries`` (dicts of the table's columns) of one transaction, in order; returns
    for each the columns it was stored with (``id``, ``chain_seq``, ``prev_hash``, ``hash``, ``salt``).
    The caller's dicts are not changed (what consoles are pushed stays as it was)."""
    if not entries:
        return []
    if isinstance(conn, sqlite3.Connection):
        return _append_raw(conn, log, entries)
    table = LOGS[log]
    sites = sorted({e["site_code"] for e in entries})
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = select(ledger_heads.c.site_code, ledger_heads.c.seq, ledger_heads.c.hash).where(
        ledger_heads.c.site_code.in_(sites))
    if dialect is postgresql:  # the sites' heads locked to commit, in one order (as kq_append_events does)
        conn.execute(dialect.insert(ledger_heads).on_conflict_do_nothing(index_elements=["site_code"]),
                     [{"site_code": s, "seq": 0, "hash": GENESIS} for s in sites])
        stmt = stmt.order_by(ledger_heads.c.site_code).with_for_update()
    heads = {s: (seq, h) for s, seq, h in conn.execute(stmt)}
    missing = [s for s in sites if s not in heads]
    if missing:  # SQLite: a site's first entry (one writer: no race to create it)
        conn.execute(dialect.insert(ledger_heads).on_conflict_do_nothing(index_elements=["site_code"]),
                     [{"site_code": s, "seq": 0, "hash": GENESIS} for s in missing])
        heads.update({s: (0, GENESIS) for s in missing})
    stored = []
    for entry in entries:
        seq, prev = heads[entry["site_code"]]
        row = {k: entry.get(k) for k in [c.name for c in table.c] if k not in _CHAIN_COLUMNS}
        row["salt"] = secrets.token_hex(16) if needs_salt(log, entry["data"] or {}) else None
        row.update(chain_seq=seq + 1, prev_hash=prev)
        row["hash"] = entry_hash(prev, log, row, seq + 1)
        row["id"] = int(conn.execute(insert(table).values(**row)).inserted_primary_key[0])
        heads[entry["site_code"]] = (seq + 1, row["hash"])
        stored.append(row)
    for site in sites:
        seq, h = heads[site]
        conn.execute(update(ledger_heads).where(ledger_heads.c.site_code == site).values(seq=seq, hash=h))
    return stored


_RAW_EVENT = ("INSERT INTO events (request_id, site_code, escalated_to, type, actor, at, data, chain_seq, "
              "prev_hash, hash, salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)")


_heads_cache: dict[tuple[int, str], tuple[int, str]] = {}  # (id of the sqlite3 connection, site) -> head


def _append_raw(conn: sqlite3.Connection, log: str, entries: list[dict]) -> list[dict]:
    """The hot path's twin of :func:`append` on the writer's plain ``sqlite3`` connection (request events).

    The writer remembers each site's head, so an append costs one conditional ``UPDATE`` of the head
    (``WHERE seq = remembered``) and the ``INSERT``: when the update finds another head (another process
    or a rolled-back savepoint moved it), the head is read and the hashes are computed again."""
    if log != "events":
        raise ValueError("the raw path chains request events only")
    hashes: dict[int, tuple[int, str, str]] = {}  # index of the entry -> (seq, prev, hash)
    serialised: dict[int, bytes] = {}  # index of the entry -> its data as stored and hashed
    times = [bind(e["at"]) for e in entries]  # as stored and hashed
    for site in dict.fromkeys(e["site_code"] for e in entries):
        mine = [(i, e) for i, e in enumerate(entries) if e["site_code"] == site]
        head = _heads_cache.get((id(conn), site))
        for _ in range(2):
            if head is None:
                head = conn.execute("SELECT seq, hash FROM ledger_heads WHERE site_code = ?", (site,)).fetchone()
                if head is None:
                    conn.execute("INSERT INTO ledger_heads (site_code, seq, hash) VALUES (?, 0, ?)", (site, GENESIS))
                    head = (0, GENESIS)
            seq, prev = head
            for i, entry in mine:
                data = serialised.get(i)
                if data is None:
                    data = serialised[i] = data_json(log, entry["data"], None)
                digest = entry_hash(prev, log, entry, seq + 1, data, times[i])
                hashes[i] = (seq + 1, prev, digest)
                seq, prev = seq + 1, digest
            if conn.execute("UPDATE ledger_heads SET seq = ?, hash = ? WHERE site_code = ? AND seq = ? AND hash = ?",
                            (seq, prev, site, head[0], head[1])).rowcount == 1:
                break
            head = None  # moved by another writer or a rolled-back savepoint: read it and hash again
        else:  # read inside this write transaction on the one writer: cannot move again
            raise RuntimeError(f"the ledger head of site {site} moved during an append")
        _heads_cache[(id(conn), site)] = (seq, prev)
    stored = []
    for i, entry in enumerate(entries):
        seq, prev, digest = hashes[i]
        new_id = conn.execute(_RAW_EVENT, (entry["request_id"], entry["site_code"], entry["escalated_to"],
                                           entry["type"], entry["actor"], times[i],
                                           serialised[i].decode(), seq, prev, digest)).lastrowid
        stored.append({"id": new_id, "chain_seq": seq, "prev_hash": prev, "hash": digest, "salt": None})
    return stored
