"""Kiosks' outboxes flushing at once after an outage: a burst of creates with replays, and claims meanwhile.

    python3 bench/bench_outbox_burst.py [--kiosks 300] [--backlog 10] [--replays 0.3] [--db pg]

Starts ``kiosk queue serve`` (SQLite, or a fresh PostgreSQL schema with ``--db pg``) with ``--kiosks``
kiosks of site T1, then every kiosk sends its ``--backlog`` queued requests at once (as an outbox does
when the link returns: one after another per kiosk, all kiosks together, from 8 loopback addresses), and
re-sends a ``--replays`` share of them with the same id and body (an answer lost on the way back). A
helper claims the first waiting request meanwhile, again and again. Prints the answers by status, whether
each id is stored exactly once, the burst's duration, the claims' p50/p99 and the server's CPU and RSS.
A kiosk answered 429 waits ``Retry-After`` as the outbox does (``kiosk_writes_per_minute``: 240).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _kiosk(s, http, token: str, name: str, n: int, replays: float, statuses: Counter, ids: list) -> None:
    queued = [s.request_body("k1", kiosk_id=name) for _ in range(n)]
    queued += [b for b in queued if random.random() < replays]  # answers lost: the same id again
    for body in queued:
        while True:
            r = await http.post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"})
            statuses[r.status_code] += 1
            if r.status_code != 429:
                break
            await asyncio.sleep(float(r.headers.get("retry-after", "1")))
        ids.append(body["id"])


def _claims(s, token: str, stop: threading.Event, out: list[float]) -> None:
    """In a thread of its own: the burst's event loop (this process's) must not delay the claims' timing."""
    with s.client() as http:
        while not stop.is_set():
            t = time.perf_counter()
            r = http.post("/api/v1/requests/claim-next", headers={"Authorization": f"Bearer {token}"})
            if r.status_code == 200:
                out.append(time.perf_counter() - t)
            time.sleep(0.05)


async def _burst(s, tokens: dict[str, str], args, helper: str) -> None:
    import httpx

    statuses: Counter = Counter()
    ids: list[str] = []
    claims: list[float] = []
    clients = [httpx.AsyncClient(base_url=s.url, timeout=120, transport=httpx.AsyncHTTPTransport(
        local_address=f"127.0.0.{10 + i}", limits=httpx.Limits(max_connections=90))) for i in range(8)]
    stop = threading.Event()
    claimer = threading.Thread(target=_claims, args=(s, helper, stop, claims))
    claimer.start()
    cpu0, t0 = _cpu_s(s.pid), time.perf_counter()
    await asyncio.gather(*(_kiosk(s, clients[i % 8], tok, name, args.backlog, args.replays, statuses, ids)
                           for i, (name, tok) in enumerate(tokens.items())))
    wall, cpu = time.perf_counter() - t0, _cpu_s(s.pid) - cpu0
    stop.set()
    claimer.join()
    for c in clients:
        await c.aclose()
    print(f"{len(ids)} sends ({len(set(ids))} ids) from {len(tokens)} kiosks in {wall:.1f} s: answers {dict(statuses)}")
    print(f"server CPU {cpu:.1f} s ({cpu / len(ids) * 1000:.2f} ms a send), RSS {s.rss_mb():.0f} MB; "
          f"claims during the burst: {len(claims)}, p50 {statistics.median(claims) * 1000:.0f} ms, "
          f"p99 {sorted(claims)[int(0.99 * (len(claims) - 1))] * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f}")
    return set(ids)


def main() -> None:
    from tests.queue.hostile import served_for_bench

    ap = argparse.ArgumentParser()
    ap.add_argument("--kiosks", type=int, default=300)
    ap.add_argument("--backlog", type=int, default=10)
    ap.add_argument("--replays", type=float, default=0.3)
    ap.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    args = ap.parse_args()
    random.seed(1)
    with ExitStack() as stack:
        s, state, db_url = served_for_bench(stack, args.db)
        from datetime import UTC, datetime

        from sqlalchemy import func, select

        from kiosk.queue.db import Database, sqlite_url
        from kiosk.queue.models import requests
        from kiosk.queue.provision import add_kiosk

        db = Database(db_url or sqlite_url(state))
        tokens = {f"b{i:04d}": add_kiosk(db, f"b{i:04d}", "T1", datetime.now(UTC)) for i in range(args.kiosks)}
        helper = s.login("li")
        with s.client() as http:
            assert http.put("/api/v1/me/duty", json={"on_duty": True},
                            headers={"Authorization": f"Bearer {helper}"}).status_code == 200
        sent = asyncio.run(_burst(s, tokens, args, helper))
        with db.read() as conn:
            stored = conn.execute(select(requests.c.id).where(requests.c.id.in_(list(sent)))).scalars().all()
            total = conn.execute(select(func.count()).select_from(requests)).scalar()
        db.dispose()
        print(f"stored: {len(stored)} of {len(sent)} ids, each once: {len(stored) == len(set(stored)) == len(sent)}"
              f" ({total} rows in all)")


if __name__ == "__main__":
    main()
