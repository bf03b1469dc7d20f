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
- Reads in chunks of :data:`CHUNK` numbers; memory stays flat whatever the ledger's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, func, select, union

from kiosk.queue.chain import GENESIS, LOGS, entry_hash
from kiosk.queue.models import case_events, events, ledger_heads

CHUNK = 5000


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


def _rows(conn: Connection, site: str, lo: int, hi: int) -> list[tuple[str, dict]]:
    out = []
    for log, table in LOGS.items():
        stmt = select(table).where(table.c.site_code == site, table.c.chain_seq >= lo, table.c.chain_seq < hi)
        out.extend((log, dict(r)) for r in conn.execute(stmt).mappings())
    out.sort(key=lambda t: (t[1]["chain_seq"], t[0] != "events", t[1]["id"]))
    return out


def _fail(result: SiteResult, log: str | None, row: dict | None, code: str, reason: str, seq: int | None = None):
    result.failure = Failure(result.site, seq if seq is not None else (row or {}).get("chain_seq"), log,
                             row and row["id"], row and row["type"], row and row["at"], code, reason)
    return result


def verify_site(conn: Connection, site: str, anchors: dict[int, str] | None = None) -> SiteResult:
    result = SiteResult(site)
    anchors = dict(anchors or {})
    for log, table in LOGS.items():
        loose = conn.execute(select(table).where(table.c.site_code == site, table.c.chain_seq.is_(None))
                             .order_by(table.c.id).limit(1)).mappings().first()
        if loose is not None:
            return _fail(result, log, dict(loose), "unchained", "not in the chain (inserted around the ledger)")
    top = max(conn.execute(select(func.max(t.c.chain_seq)).where(t.c.site_code == site)).scalar() or 0
              for t in LOGS.values())
    expected, prev = 1, GENESIS
    for lo in range(1, top + 1, CHUNK):
        for log, row in _rows(conn, site, lo, lo + CHUNK):
            seq = row["chain_seq"]
            if seq < expected:
                return _fail(result, log, row, "duplicate", f"number #{seq} appears twice (an entry copied, "
                             "or two entries given the same place)")
            if seq > expected:
                return _fail(result, log, row, "missing", f"entry #{expected} is missing before it (deleted)"
                             if seq == expected + 1 else f"entries #{expected}–#{seq - 1} are missing before it "
                             "(deleted)")
            if row["prev_hash"] != prev:
                return _fail(result, log, row, "order", "does not follow the entry before it (entries "
                             "reordered, or the one before it replaced)")
            try:
                digest = entry_hash(prev, log, row, seq)
            except ValueError as exc:
                return _fail(result, log, row, "edited", f"its content was changed ({exc})")
            if digest != row["hash"]:
                return _fail(result, log, row, "edited", "its content no longer matches its hash (edited)")
            if seq in anchors and anchors.pop(seq) != digest:
                return _fail(result, log, row, "anchor", "its hash differs from the anchor given for it "
                             "(the ledger was rewritten after the anchor was taken)")
            prev, expected = digest, expected + 1
            result.entries += 1
    result.head_seq, result.head_hash = expected - 1, prev
    head = conn.execute(select(ledger_heads.c.seq, ledger_heads.c.hash)
                        .where(ledger_heads.c.site_code == site)).first()
    if head is not None and (head.seq, head.hash) != (result.head_seq, prev):
        if head.seq > result.head_seq:
            return _fail(result, None, None, "truncated", f"entries #{result.head_seq + 1}–#{head.seq} are "
                         f"missing at the end (the site's head records #{head.seq}; deleted)",
                         seq=result.head_seq + 1)
        return _fail(result, None, None, "truncated", "the site's head does not match its last entry "
                     f"#{result.head_seq} (head changed)", seq=result.head_seq)
    if anchors:
        seq = min(anchors)
        return _fail(result, None, None, "anchor", f"entry #{seq} named by an anchor does not exist", seq=seq)
    return result


def verify(conn: Connection, site: str | None = None, anchors: dict[int, str] | None = None) -> Result:
    """Every site's chain (or ``site``'s); ``anchors`` ``{seq: hash}`` are checked for ``site`` only."""
    sites = [site] if site else ledger_sites(conn)
    return Result([verify_site(conn, s, anchors if site else None) for s in sites])


def day_end(day: date) -> datetime:
    """The end of a China day as an aware datetime (the instant the next day starts)."""
    from kiosk.queue.case_states import CHINA

    return datetime.combine(day + timedelta(days=1), time.min, CHINA)


def anchor(conn: Connection, site: str, day: date) -> tuple[int, str] | None:
    """``(seq, hash)`` of the site's last entry written before ``day`` ended (China time), or None."""
    end = day_end(day)
    best: tuple[int, str] | None = None
    for table in LOGS.values():
        row = conn.execute(select(table.c.chain_seq, table.c.hash)
                           .where(table.c.site_code == site, table.c.at < end, table.c.chain_seq.is_not(None))
                           .order_by(table.c.chain_seq.desc()).limit(1)).first()
        if row is not None and (best is None or row[0] > best[0]):
            best = (int(row[0]), row[1])
    return best
