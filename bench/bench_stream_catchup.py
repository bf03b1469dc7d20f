"""A storm of event streams reconnecting from far behind (or of small but costly reads), and a helper's
claims meanwhile.

    python3 bench/bench_stream_catchup.py [--events 200000] [--reconnects 300] [--threads 8] [--db pg]
    python3 bench/bench_stream_catchup.py --behind 900 [--events 20000] [--reconnects 300]
    python3 bench/bench_stream_catchup.py --what closed [--events 200000] [--reconnects 300]

Starts ``kiosk queue serve`` (SQLite in a temporary directory, or a fresh PostgreSQL schema with
``--db pg``), writes ``--events`` events of site T1 straight into its table (a busy neighbour's weeks),
then ``--threads`` clients reopen the event stream of site T2's helper (a quiet site: none of those
events is hers) ``--reconnects`` times in all, each with ``?after=`` an id from before the neighbour's
events (as after an outage), reading the first write and hanging up. Meanwhile a kiosk of T1 calls and
its helper claims, one call after another. Prints the reopenings' time to first byte (p50/p99), the
frames they got (``resync`` or a ping), the claims' round trip (p50/p99, and with no storm, first) and the
server's CPU seconds, from ``/proc``.

``--behind N``: the storm is of site T1's consoles instead, each ``N`` of its own events behind (a hall's
consoles back after its link was down): each reopening reads and sends those ``N`` events.

``--what closed``: ``--events`` resolved requests of T1 instead, and a stolen T1 session asks ``GET
/requests?state=resolved&closed_since=<now>`` (an empty answer after looking at every closed request)
``--reconnects`` times from ``--threads`` threads; prints how many were answered and refused (429), the
claims and the CPU as above. Before the read budget charged a read's CPU (kiosk/queue/reads.py) each cost
one unit.

Before the catch-up was bounded (kiosk/queue/store.py ``catch_up``) each reopening walked the table from
its id to the end on the event loop (SQLite) or in a thread (PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _seed(db_url: str, n: int) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from kiosk.queue.db import Database
    from kiosk.queue.models import events

    db, now = Database(db_url), datetime.now(UTC)
    for i in range(0, n, 20_000):  # (PostgreSQL: at most 65,536 events a transaction)
        rows = [dict(request_id=f"r{j}", site_code="T1", type="request.created", actor="kiosk:k1", at=now,
                     data={"id": f"r{j}"}) for j in range(i, min(n, i + 20_000))]
        with db.write() as conn:
            conn.execute(insert(events), rows)
    db.dispose()


def _seed_closed(db_url: str, n: int) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from kiosk.queue.db import Database
    from kiosk.queue.models import requests

    db, now = Database(db_url), datetime.now(UTC) - timedelta(minutes=1)
    for i in range(0, n, 20_000):
        rows = [dict(id=f"r{j:07d}", kind="assist", site_code="T1", kiosk_id="k1", step="matter", priority="normal",
                     priority_rank=1, state="resolved", created_at=now - timedelta(seconds=n - j), received_at=now,
                     updated_at=now, closed_at=now - timedelta(seconds=n - j), escalate_at=now, escalate_up_at=now,
                     escalation_level=0, version=1, outcome="answered") for j in range(i, min(n, i + 20_000))]
        with db.write() as conn:
            conn.execute(insert(requests), rows)
    db.dispose()


def _closed_reads(s, tokens: list[str], after: int, n: int, out: list[tuple[float, str]]) -> None:
    from datetime import UTC, datetime

    with s.client() as http:
        for i in range(n):
            since = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            t = time.perf_counter()
            r = http.get(f"/api/v1/requests?state=resolved&closed_since={since}&limit=1000",
                         headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"})
            out.append((time.perf_counter() - t, str(r.status_code)))


def _claims(s, token: str, stop: threading.Event, out: list[float]) -> None:
    with s.client() as http:
        while not stop.is_set():
            r = http.post("/api/v1/requests", json=s.request_body("k1"), headers=s.kiosk("k1"))
            assert r.status_code == 201, r.text
            t = time.perf_counter()
            c = http.post(f"/api/v1/requests/{r.json()['id']}/claim", headers={"Authorization": f"Bearer {token}"})
            out.append(time.perf_counter() - t)
            assert c.status_code == 200, c.text
            http.post(f"/api/v1/requests/{r.json()['id']}/release", headers={"Authorization": f"Bearer {token}"})
            time.sleep(0.05)


def _storm(s, tokens: list[str], after: int, n: int, out: list[tuple[float, str]]) -> None:
    with s.client() as http:
        for i in range(n):
            t = time.perf_counter()
            with http.stream("GET", f"/api/v1/events/stream?after={after}",
                             headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"}) as r:
                first = next(r.iter_raw(), b"") if r.status_code == 200 else str(r.status_code).encode()
            kind = ("resync" if b"resync" in first else "ping" if first.startswith(b":")
                    else "events" if first.startswith(b"id:") else first[:20].decode("utf-8", "replace"))
            out.append((time.perf_counter() - t, kind))


def main() -> None:
    from tests.queue.hostile import served_for_bench

    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--reconnects", type=int, default=300)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    ap.add_argument("--what", choices=("stream", "closed"), default="stream")
    ap.add_argument("--behind", type=int, default=0, help="T1's consoles, this many of their events behind")
    args = ap.parse_args()
    with ExitStack() as stack:
        s, state, db_url = served_for_bench(stack, args.db)
        from kiosk.queue.db import sqlite_url

        url = db_url or sqlite_url(state)
        li = s.login("li")
        quiet = [s.login("zhao") for _ in range(4)] if args.what == "stream" else [s.login("wang")]
        if args.behind:
            quiet = [s.login("wang") for _ in range(4)]
        with s.client() as http:  # an event of T2's own before the neighbour's: the quiet console's last id
            r = http.post("/api/v1/requests", json=s.request_body("k2"), headers=s.kiosk("k2"))
            assert r.status_code == 201
            after = http.get("/api/v1/requests", headers={"Authorization": f"Bearer {quiet[0]}"}).json()["last_event_id"]
        t = time.perf_counter()
        (_seed if args.what == "stream" else _seed_closed)(url, args.events)
        if args.behind:
            from sqlalchemy import select

            from kiosk.queue.db import Database
            from kiosk.queue.models import events

            db = Database(url)
            with db.read() as conn:
                after = conn.execute(select(events.c.id).order_by(events.c.id.desc()).offset(args.behind).limit(1)).scalar()
            db.dispose()
        print(f"{args.db}: {args.events:,} {'events' if args.what == 'stream' else 'resolved requests'} of T1 "
              f"written in {time.perf_counter() - t:.1f} s")
        alone: list[float] = []
        stop = threading.Event()
        worker = threading.Thread(target=_claims, args=(s, li, stop, alone))
        worker.start()
        time.sleep(3)
        stop.set()
        worker.join()
        during: list[float] = []
        opened: list[tuple[float, str]] = []
        stop = threading.Event()
        cpu0, t0 = _cpu_s(s.pid), time.perf_counter()
        worker = threading.Thread(target=_claims, args=(s, li, stop, during))
        worker.start()
        per = max(1, args.reconnects // args.threads)
        attack = _storm if args.what == "stream" else _closed_reads
        storm = [threading.Thread(target=attack, args=(s, quiet, after, per, opened)) for _ in range(args.threads)]
        for th in storm:
            th.start()
        for th in storm:
            th.join()
        stop.set()
        worker.join()
        wall, cpu = time.perf_counter() - t0, _cpu_s(s.pid) - cpu0
        times = [x for x, _ in opened]
        kinds: dict[str, int] = {}
        for _, k in opened:
            kinds[k] = kinds.get(k, 0) + 1
        ms = lambda v: f"{v * 1000:.0f} ms"  # noqa: E731
        what = f"reopenings from after={after}" if args.what == "stream" else "closed_since reads"
        print(f"{len(opened)} {what} in {wall:.1f} s: first byte p50 {ms(statistics.median(times))},"
              f" p99 {ms(_pct(times, 0.99))}; first frames / answers {kinds}")
        print(f"claims alone: {len(alone)}, p50 {ms(statistics.median(alone))}, p99 {ms(_pct(alone, 0.99))}")
        print(f"claims during the storm: {len(during)}, p50 {ms(statistics.median(during))}, "
              f"p99 {ms(_pct(during, 0.99))}, max {ms(max(during))}")
        print(f"server CPU during the storm: {cpu:.1f} s ({cpu / max(1, len(opened)) * 1000:.1f} ms each); "
              f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
