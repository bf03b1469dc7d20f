"""100 helpers on two server processes sharing PostgreSQL race for 1,000 requests: no double claim.

    python3 bench/bench_queue_pg_race.py [--helpers 100] [--requests 1000] [--pg postgresql+psycopg://127.0.0.1:5432/test]

Creates a private schema in the database, starts two ``kiosk queue serve --db …`` processes on it, posts
the requests through both, then lets every helper (a keep-alive connection each, half of them on each
process) claim as fast as it can: half by "claim next" (FOR UPDATE SKIP LOCKED), half by claiming a
random waiting id (conditional UPDATE, so most attempts collide and must get 409). Checks in the
database that every request was claimed exactly once and that the winners' answers match; prints the
figures; drops the schema.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_queue import Http, body_for  # noqa: E402
from queue_server import add_helpers, start_queue_server  # noqa: E402


def provision(url: str, helpers: int) -> tuple[str, list[str]]:
    from kiosk.queue.db import Database
    from kiosk.queue.provision import add_kiosk, add_site

    db = Database(url)
    db.migrate()
    now = datetime.now(UTC)
    add_site(db, "T1", "南郊街道便民服务中心", "town", now)
    kiosk_token = add_kiosk(db, "k1", "T1", now)
    tokens = [token for _, token in add_helpers(db, helpers, lambda i: "T1", now)]
    db.dispose()
    return kiosk_token, tokens


async def race(ports: list[int], kiosk_token: str, tokens: list[str], n: int) -> dict:
    creators = [await Http("127.0.0.1", ports[i % 2]).open() for i in range(20)]
    ids: list[str] = []

    async def create(conn: Http, count: int) -> None:
        for _ in range(count):
            body = body_for("k1", "T1")
            status, _ = await conn.request("POST", "/api/v1/requests", kiosk_token, body)
            assert status == 201
            ids.append(body["id"])

    await asyncio.gather(*(create(c, n // 20 + (i < n % 20)) for i, c in enumerate(creators)))
    for c in creators:
        c.close()
    won: list[str] = []
    codes: Counter = Counter()
    waiting = set(ids)

    async def helper(i: int) -> None:
        conn = await Http("127.0.0.1", ports[i % 2]).open()
        by_id = i % 4 >= 2
        while waiting:
            if by_id:
                target = random.choice(tuple(waiting))
                status, body = await conn.request("POST", f"/api/v1/requests/{target}/claim", tokens[i])
            else:
                status, body = await conn.request("POST", "/api/v1/requests/claim-next", tokens[i])
            codes[status] += 1
            if status == 200:
                rid = json.loads(body)["id"]
                won.append(rid)
                waiting.discard(rid)
            elif status == 409 and by_id:
                waiting.discard(target)
            elif status == 404:
                break
        conn.close()

    t0 = time.monotonic()
    await asyncio.gather(*(helper(i) for i in range(len(tokens))))
    return {"ids": ids, "won": won, "codes": codes, "seconds": time.monotonic() - t0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--helpers", type=int, default=100)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--pg", default=os.environ.get("KIOSK_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test"))
    args = ap.parse_args()
    import psycopg
    from sqlalchemy import func, select

    from kiosk.queue.db import Database
    from kiosk.queue.models import events, requests

    schema = f"bench_race_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    admin.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{args.pg}?options=-csearch_path%3D{schema}"
    procs = []
    try:
        kiosk_token, tokens = provision(url, args.helpers)
        with tempfile.TemporaryDirectory() as state:
            procs = [start_queue_server(Path(state), db_url=url) for _ in range(2)]
            r = asyncio.run(race([p.port for p in procs], kiosk_token, tokens, args.requests))
        db = Database(url)
        with db.read() as conn:
            per_request = Counter(conn.execute(select(events.c.request_id).where(
                events.c.type == "request.claimed")).scalars())
            claimed = conn.execute(select(func.count()).select_from(requests).where(
                requests.c.state == "claimed")).scalar()
        db.dispose()
        doubles = sum(1 for v in per_request.values() if v > 1)
        ok = (doubles == 0 and len(r["won"]) == len(set(r["won"])) == args.requests == claimed
              and set(r["won"]) == set(r["ids"]))
        print(f"{args.helpers} helpers on 2 server processes, {args.requests} requests: "
              f"{len(r['won'])} claims won in {r['seconds']:.1f} s ({len(r['won']) / r['seconds']:.0f}/s), "
              f"answers {dict(sorted(r['codes'].items()))}")
        print(f"double claims: {doubles} (events), {len(r['won']) - len(set(r['won']))} (answers); "
              f"requests in state claimed: {claimed} -> {'OK' if ok else 'FAILED'}")
        return 0 if ok else 1
    finally:
        for server in procs:
            server.stop()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
