"""Verification of the ledger's hash chains (``kiosk queue verify-ledger``) and the daily anchors.

Contract
- :func:`verify` walks each site's chain (:mod:`kiosk.queue.chain`) in ``chain_seq`` order over both
  tables and stops a site at its first entry that does not verify, saying why: an entry outside the
  chain (``unchained``), a number missing (``missing``: deleted), a number twice (``duplicate``), an
  entry that does not follow the one before it (``order``: reordered, or the one before replaced), an
  entry whose content no longer gives its hash (``edited``), entries missing at the end (``truncated``:
  the site's head names a later entry), or a given anchor that differs (``anchor``).
- :func:`anchor` is the hash of a site's last entry written before the end of a China day: printed on
  the daily report, it lets an auditor later prove the day was not rewritten (``--anchor SEQ:HASH``).
- One pass over each table in id order (the primary key: the hot path pays for no extra index), merged by
  time; within a table a site's entries come in chain order or nearly (SQLite's one writer; on PostgreSQL
  ids follow the transactions' ids and chain numbers the order the site's head was locked in, a few apart
  at most), so only a few entries of a site wait for their turn and memory stays flat.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import orjson
from sqlalchemy import Connection, Text, cast, func, select, union

from kiosk.queue.chain import GENESIS, LOGS, entry_hash, entry_time
from kiosk.queue.models import case_events, events, ledger_heads

CHUNK = 5000  # rows fetched at a time
MAX_WAITING = 10_000  # entries of a site waiting for a missing number before it is called deleted


@dataclass
class Failure:
    site: str
    seq: int | None
    log: str | None
    row_id: int | None
    type: str | None
    at: datetime | None
    code: str
    reason: str

    def line(self) -> str:
        where = f"entry #{self.seq}" if self.seq is not None else "an entry"
        if self.log:
            where += f" ({self.log} id {self.row_id}, {self.type}, {self.at:%Y-%m-%d %H:%M:%S} UTC)"
        return f"site {self.site}: {where}: {self.reason}"


@dataclass
class SiteResult:
    site: str
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    failure: Failure | None = None


@dataclass
class Result:
    sites: list[SiteResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.failure is None for s in self.sites)

    @property
    def first_failure(self) -> Failure | None:
        return next((s.failure for s in self.sites if s.failure), None)


def ledger_sites(conn: Connection) -> list[str]:
    rows = conn.execute(union(select(events.c.site_code), select(case_events.c.site_code),
                              select(ledger_heads.c.site_code)))
    return sorted(s for (s,) in rows)


def _stream(conn: Connection, log: str, site: str | None) -> Iterator[tuple]:
    """One table's entries in id order (the primary key: no other index needed), as merge keys. The data
    is read as text and parsed with orjson (SQLAlchemy's JSON type would cost more than the hash)."""
    table = LOGS[log]
    cols = [c for c in table.c if c.name not in ("data", "at")]
    at = (func.to_char(table.c.at, "YYYY-MM-DD HH24:MI:SS.US") if conn.dialect.name == "postgresql"
          else cast(table.c.at, Text))  # SQLite stores this very text
    stmt = select(*cols, cast(table.c.data, Text).label("data"), at.label("at")).order_by(table.c.id)
    if site is not None:
        stmt = stmt.where(table.c.site_code == site)
    names = [c.name for c in cols] + ["data", "at"]
    for values in conn.execution_options(stream_results=True, yield_per=CHUNK).execute(stmt):
        row = dict(zip(names, values, strict=True))
        row["data"] = orjson.loads(row["data"]) if row["data"] is not None else None
        if len(row["at"]) != 26:  # anything but YYYY-MM-DD HH:MM:SS.ffffff (a hand-edited row): as hashed
            row["at"] = entry_time(datetime.fromisoformat(row["at"]).replace(tzinfo=UTC))
        yield row["at"], log != "events", row["id"], log, row


def _fail(result: SiteResult, log: str | None, row: dict | None, code: str, reason: str, seq: int | None = None):
    at = row and row["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at).replace(tzinfo=UTC)
    result.failure = Failure(result.site, seq if seq is not None else (row or {}).get("chain_seq"), log,
                             row and row["id"], row and row["type"], at, code, reason)
    return result


class _Walk:
    """One site's chain, checked in ``chain_seq`` order while entries arrive in roughly that order."""

    def __init__(self, site: str, anchors: dict[int, str]):
        self.result, self.anchors = SiteResult(site), dict(anchors)
        self.expected, self.prev, self.waiting = 1, GENESIS, []

    def add(self, log: str, row: dict) -> None:
        if self.result.failure is not None:
            return
        seq = row["chain_seq"]
        if seq is None:
            _fail(self.result, log, row, "unchained", "not in the chain (inserted around the ledger)")
            return
        if seq < self.expected:
            _fail(self.result, log, row, "duplicate", f"number #{seq} appears twice (an entry copied, or two "
                  "entries given the same place)")
            return
        heapq.heappush(self.waiting, (seq, log != "events", row["id"], log, row))
        while self.waiting and self.waiting[0][0] == self.expected and self.result.failure is None:
            _, _, _, wlog, wrow = heapq.heappop(self.waiting)
            self._check(wlog, wrow)
        if self.result.failure is None and self.waiting and self.waiting[0][0] == self.expected - 1:
            _, _, _, wlog, wrow = self.waiting[0]
            _fail(self.result, wlog, wrow, "duplicate", f"number #{wrow['chain_seq']} appears twice (an entry "
                  "copied, or two entries given the same place)")
        elif len(self.waiting) > MAX_WAITING:
            self.gap()

    def _check(self, log: str, row: dict) -> None:
        seq = row["chain_seq"]
        if row["prev_hash"] != self.prev:
            _fail(self.result, log, row, "order", "does not follow the entry before it (entries reordered, or "
                  "the one before it replaced)")
            return
        try:
            digest = entry_hash(self.prev, log, row, seq, at=row["at"])
        except ValueError as exc:
            _fail(self.result, log, row, "edited", f"its content was changed ({exc})")
            return
        if digest != row["hash"]:
            _fail(self.result, log, row, "edited", "its content no longer matches its hash (edited)")
            return
        if seq in self.anchors and self.anchors.pop(seq) != digest:
            _fail(self.result, log, row, "anchor", "its hash differs from the anchor given for it (the ledger "
                  "was rewritten after the anchor was taken)")
            return
        self.prev, self.expected = digest, self.expected + 1
        self.result.entries += 1

    def gap(self) -> None:
        """Entries wait for a number that never came: it was deleted."""
        seq, _, _, log, row = self.waiting[0]
        _fail(self.result, log, row, "missing", f"entry #{self.expected} is missing before it (deleted)"
              if seq == self.expected + 1 else f"entries #{self.expected}–#{seq - 1} are missing before it (deleted)")

    def finish(self, head: tuple[int, str] | None) -> SiteResult:
        result = self.result
        if result.failure is None and self.waiting:
            self.gap()
        if result.failure is not None:
            return result
        result.head_seq, result.head_hash = self.expected - 1, self.prev
        if head is not None and tuple(head) != (result.head_seq, self.prev):
            if head[0] > result.head_seq:
                return _fail(result, None, None, "truncated", f"entries #{result.head_seq + 1}–#{head[0]} are "
                             f"missing at the end (the site's head records #{head[0]}; deleted)",
                             seq=result.head_seq + 1)
            return _fail(result, None, None, "truncated", "the site's head does not match its last entry "
                         f"#{result.head_seq} (head changed)", seq=result.head_seq)
        if self.anchors:
            seq = min(self.anchors)
            return _fail(result, None, None, "anchor", f"entry #{seq} named by an anchor does not exist", seq=seq)
        return result


def verify(conn: Connection, site: str | None = None, anchors: dict[int, str] | None = None) -> Result:
    """Every site's chain (or ``site``'s); ``anchors`` ``{seq: hash}`` are checked for ``site`` only.
    One pass over each table in id order, merged by time: entries of a site come in (nearly) chain order,
    so only a handful wait at a time, whatever the ledger's size."""
    if conn.dialect.name == "postgresql" and conn.connection.dbapi_connection.autocommit:  # (Database.read)
        if conn.in_transaction():  # the rows are streamed by a server-side cursor, which needs a transaction
            conn.commit()
        conn.execution_options(isolation_level="READ COMMITTED")
    sites = [site] if site else ledger_sites(conn)
    walks = {s: _Walk(s, (anchors or {}) if site else {}) for s in sites}
    for _, _, _, log, row in heapq.merge(_stream(conn, "events", site), _stream(conn, "case_events", site)):
        walk = walks.get(row["site_code"])
        if walk is not None:
            walk.add(log, row)
    heads = {s: (seq, h) for s, seq, h in conn.execute(select(ledger_heads.c.site_code, ledger_heads.c.seq,
                                                               ledger_heads.c.hash))}
    return Result([walks[s].finish(heads.get(s)) for s in sites])


def day_end(day: date) -> datetime:
    """The end of a China day as an aware datetime (the instant the next day starts)."""
    from kiosk.queue.case_states import CHINA

    return datetime.combine(day + timedelta(days=1), time.min, CHINA)


def anchor(conn: Connection, site: str, day: date) -> tuple[int, str] | None:
    """``(seq, hash)`` of the site's last entry written before ``day`` ended (China time), or None."""
    end = day_end(day)
    best: tuple[int, str] | None = None
    for table in LOGS.values():
        row = conn.execute(select(table.c.chain_seq, table.c.hash)  # id order is chain order within a table
                           .where(table.c.site_code == site, table.c.at < end, table.c.chain_seq.is_not(None))
                           .order_by(table.c.id.desc()).limit(1)).first()
        if row is not None and (best is None or row[0] > best[0]):
            best = (int(row[0]), row[1])
    return best
