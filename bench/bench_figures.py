"""Supervision figures (``GET /api/v1/figures``) over a district-month of data on SQLite.

    python3 bench/bench_figures.py [--requests 50000] [--cases 2000] [--runs 5] [--days 30]

Builds a fresh SQLite database in a temp directory (migrated like ``kiosk queue serve`` does): a district
with 10 towns, 40 helpers, ``--requests`` help requests spread over 30 days (every state, claim and close
times, some escalated) and ``--cases`` 代办 cases (every state, some late or overdue). Then a supervisor
of the district asks for the month's figures through the real app (in-process ASGI client, session
token), ``--runs`` times; prints the data size, the time of each run, and the median. Bar: under 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
TOWNS = [f"T{i:02d}" for i in range(10)]
PASSWORD = "bench-password-1"


def seed(ctx, n_requests: int, n_cases: int, rng: random.Random, days: int = 30) -> None:
    from kiosk.queue.models import cases, requests
    from kiosk.queue.provision import add_kiosk, add_site, add_user

    db = ctx.db
    add_site(db, "D", "曾都区政务服务中心", "district", NOW)
    helpers: dict[str, list[int]] = {}
    for t in TOWNS:
        add_site(db, t, f"{t} 便民服务中心", "town", NOW, parent="D")
        add_kiosk(db, f"k-{t}", t, NOW, location="大厅")
        helpers[t] = [add_user(db, f"h{t}{i}", "helper", [t], PASSWORD, NOW, display_name=f"帮办{t}{i}")
                      for i in range(4)]
    add_user(db, "sup", "supervisor", ["D"], PASSWORD, NOW, display_name="区督导")
    rows = []
    for _ in range(n_requests):
        site = rng.choice(TOWNS)
        created = NOW - timedelta(seconds=rng.uniform(0, days * 86400))
        state = rng.choices(["resolved", "converted", "cancelled", "waiting", "claimed"], [70, 5, 15, 5, 5])[0]
        claimed = state in ("resolved", "converted", "claimed") or (state == "cancelled" and rng.random() < .3)
        claimed_at = created + timedelta(seconds=rng.expovariate(1 / 90)) if claimed else None
        closed_at = (claimed_at or created) + timedelta(seconds=rng.expovariate(1 / 400)) \
            if state in ("resolved", "converted", "cancelled") else None
        rows.append(dict(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), kind=rng.choice(["ask", "help", "proxy", "call"]),
            site_code=site, kiosk_id=f"k-{site}", step="matter", matter_id=None, matter_name="养老保险",
            ticket_no="A001", priority="normal", priority_rank=2, note=None, resident_enc=None, resident_masked=None,
            state=state, created_at=created, received_at=created, updated_at=closed_at or created,
            claimed_by=rng.choice(helpers[site]) if claimed else None, claimed_at=claimed_at, arrived_at=None,
            closed_at=closed_at, outcome="answered" if state == "resolved" else None,
            cancel_reason="resident_left" if state == "cancelled" else None, case_id=None,
            escalation_level=1 if rng.random() < .08 else 0, escalate_at=created, escalate_up_at=created,
            escalated_to=None, version=2))
    sealed = ctx.queue.box.seal_record({"name": "张三", "id_number": None, "phone": None})
    case_rows, seq = [], dict.fromkeys(TOWNS, 0)
    for i in range(n_cases):
        site = rng.choice(TOWNS)
        seq[site] += 1
        registered = NOW - timedelta(seconds=rng.uniform(0, days * 86400))
        promised = (registered + timedelta(days=rng.choice([0, 3, 5, 10, 20]))).date()
        state = rng.choices(["registered", "in_progress", "completed", "returned", "withdrawn"], [10, 20, 10, 55, 5])[0]
        done = registered + timedelta(days=rng.uniform(0, 15)) if state in ("completed", "returned") else None
        case_rows.append(dict(
            id=f"DB-{registered:%Y%m%d}-{i:08X}", site_code=site, request_id=None, seq=seq[site], matter_id=None,
            matter_name="不动产登记", time_limit_days=5, applicant_enc=sealed, applicant_masked="张*",
            phone_masked="", auth_signed=True, auth_signed_at=registered, auth_scanned=True, auth_note=None,
            materials=[{"name": "身份证", "form": "original", "count": 1}], agent_id=rng.choice(helpers[site]),
            state=state, department=None, note=None, registered_at=registered, promised_date=promised,
            completed_at=done, returned_at=done if state == "returned" else None, return_note=None,
            closed_at=done if state == "returned" else (registered if state == "withdrawn" else None),
            close_reason="申请人自行办理" if state == "withdrawn" else None, overdue_level=0,
            updated_at=registered, version=1))
    with db.write() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(requests.insert(), rows[i:i + 5000])
        conn.execute(cases.insert(), case_rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=50_000)
    ap.add_argument("--cases", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--days", type=int, default=30, help="history spread over this many days back")
    ap.add_argument("--without-time-indexes", action="store_true",
                    help="drop migration 0019's indexes first (the figures as they were before it)")
    args = ap.parse_args(argv)

    from fastapi.testclient import TestClient

    from kiosk.queue.api import ServerSettings, build_context, create_app
    from kiosk.queue.db import sqlite_url
    from kiosk.queue.reads import ReadBudget

    with tempfile.TemporaryDirectory(prefix="bench-figures-") as tmp:
        settings = ServerSettings(db_url=sqlite_url(Path(tmp)), state_dir=Path(tmp), clock=lambda: NOW,
                                  escalation_tick_s=3600, purge_s=3600, deadline_sweep_s=3600)
        ctx = build_context(settings)
        ctx.reads = ReadBudget(10**9)  # one supervisor's reads, measured, not throttled
        if args.without_time_indexes:
            with ctx.db.write() as conn:
                for name in ("ix_requests_site_created", "ix_requests_closed", "ix_cases_site_registered"):
                    conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        t0 = time.perf_counter()
        seed(ctx, args.requests, args.cases, random.Random(20261128), args.days)
        print(f"seeded {args.requests} requests and {args.cases} cases over {args.days} days (10 towns, 40 helpers) "
              f"in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        ctx.db.refresh_stats()  # as the server does at start and every few hours
        print(f"planner statistics (refresh_stats) in {(time.perf_counter() - t0) * 1000:.0f} ms")
        token = ctx.auth.login("sup", PASSWORD)[0]
        since, until = date(2026, 10, 30), date(2026, 11, 28)
        url = f"/api/v1/figures?since={since}&until={until}"
        with TestClient(create_app(settings, ctx)) as client:
            times = []
            for i in range(args.runs + 1):
                t = time.perf_counter()
                r = client.get(url, headers={"Authorization": f"Bearer {token}"})
                elapsed = time.perf_counter() - t
                r.raise_for_status()
                if i:  # the first run warms caches (catalogue, holidays, statement compilation)
                    times.append(elapsed)
            body = r.json()
        ctx.db.dispose()
    total = body["total"]
    print(f"figures for {since}..{until}: {total['requests']} requests, {total['cases']['total']} cases, "
          f"{len(body['sites'])} sites, {len(body['helpers'])} helpers; response p50 {total['response']['p50_s']} s")
    print("runs (s): " + " ".join(f"{t:.3f}" for t in times))
    median = statistics.median(times)
    print(f"GET /api/v1/figures median {median * 1000:.0f} ms (bar: < 1000 ms) -> {'ok' if median < 1 else 'SLOW'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
