"""Ledger verification speed and memory: ``verify-ledger`` over a district's year of entries on SQLite.

    python3 bench/bench_ledger.py [--entries 200000] [--sites 10]

Builds a fresh SQLite database in a temp directory (migrated like ``kiosk queue serve``), appends
``--entries`` chained request events spread over ``--sites`` sites (the data of each a request's masked
view, as the server stores them) plus one 代办 case event for every 20, through the same
:func:`kiosk.queue.chain.append` the server uses, then verifies every chain once. Prints the build time,
the verification time, entries per second and the peak memory of the verification (tracemalloc).
Bar: a district's year (~200,000 entries) verifies in under a minute with flat memory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=200_000)
    ap.add_argument("--sites", type=int, default=10)
    args = ap.parse_args(argv)
    from kiosk.queue import chain
    from kiosk.queue.db import Database, sqlite_url
    from kiosk.queue.verify import verify

    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as tmp:
        db = Database(sqlite_url(Path(tmp)))
        db.migrate()
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        started = time.perf_counter()
        batch = 1000
        for start in range(0, args.entries, batch):
            with db.write() as conn:
                for n in range(start, min(start + batch, args.entries)):
                    site = f"T{n % args.sites:02d}"
                    at = t0 + timedelta(seconds=n * 150)
                    view = {"id": f"{n:08d}-0000-4000-8000-000000000000", "state": "claimed", "site_code": site,
                            "matter_name": "城乡居民养老保险参保登记", "resident_masked": "张* 110105********002X",
                            "ticket_no": "A017", "priority": "normal", "wait_s": n % 300, "version": 2}
                    chain.append(conn, "events", [dict(type="request.claimed", actor="user:li", at=at, site_code=site,
                                                       escalated_to=None, request_id=view["id"],
                                                       data={"request": view})])
                    if n % 20 == 0:
                        chain.append(conn, "case_events", [dict(case_id=f"DB-{n}", site_code=site, type="case.moved",
                                                                actor="user:li", at=at,
                                                                data={"department": "税务窗口", "note": "原件已核"})])
        built = time.perf_counter() - started
        total = args.entries + (args.entries + 19) // 20
        tracemalloc.start()
        started = time.perf_counter()
        with db.read() as conn:
            result = verify(conn)
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        db.dispose()
    assert result.ok and sum(s.entries for s in result.sites) == total, result.first_failure
    print(f"built {total} chained entries over {args.sites} sites in {built:.1f} s")
    print(f"verified in {took:.1f} s: {total / took:,.0f} entries/s, peak memory {peak / 2**20:.1f} MiB "
          f"[bar: a year's ~200,000 entries under 60 s]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
