"""PostgreSQL's own CPU per one-message write (kiosk/queue/pg_write.py, migration 0016), apart from the server.

    python3 bench/bench_pg_write_cpu.py [--pg URL] [--n 400]

In a private schema: 10 sites, a kiosk each, one helper; ``--n`` creates, then as many claims, then as many
bare WAL flushes, each on one autocommit connection whose backend's CPU time (``/proc/<pid>/stat``: the
PostgreSQL server must run on this machine) is read before and after. Prints PostgreSQL CPU per create,
per claim and per flush, the wall time and this process's Python CPU per write. Shared machine: read the
figures with the load average printed next to them.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    import psycopg

    from kiosk.queue import pg_write
    from kiosk.queue.api import ServerSettings, build_context
    from kiosk.queue.db import FLUSH_SQL
    from kiosk.queue.provision import add_kiosk, add_site, add_user
    from kiosk.queue.schemas import RequestIn

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", default=os.environ.get("KIOSK_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test"))
    ap.add_argument("--n", type=int, default=400)
    args = ap.parse_args()
    schema = f"bench_pgcpu_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        ctx = build_context(ServerSettings(db_url=f"{args.pg}?options=-csearch_path%3D{schema}",
                                           state_dir=Path(tempfile.mkdtemp(prefix="bench-pgcpu-"))))
        now = datetime.now(UTC)
        for s in range(10):
            add_site(ctx.db, f"S{s}", f"site {s}", "town", now)
        kiosks = [ctx.auth.principal(add_kiosk(ctx.db, f"k{s}", f"S{s}", now)) for s in range(10)]
        add_user(ctx.db, "h", "helper", [f"S{s}" for s in range(10)], "password123", now)
        user = ctx.auth.login("h", "password123")[2]
        q, conn = ctx.queue, psycopg.connect(ctx.db.conninfo(), autocommit=True)
        backend, ids = conn.info.backend_pid, []
        t0, p0, c0 = time.perf_counter(), time.process_time(), _cpu(backend)
        for i in range(args.n):
            k = kiosks[i % 10]
            body = RequestIn.model_validate({"id": str(uuid.uuid4()), "kind": "call", "kiosk_id": k.kiosk_id,
                                             "site_code": k.site_code, "step": "start",
                                             "created_at": datetime.now(UTC).isoformat()})
            site, at = q._site(None, k.site_code), q.clock()
            pending, call_args = q.pg_create_args(k, body, at, site)
            q.pg_created(k, body, site, pending, pg_write.call(conn, pg_write.CREATE, call_args))
            ids.append(body.id)
        c1 = _cpu(backend)
        for rid in ids:
            at = q.clock()
            q.pg_claimed(user, rid, at, pg_write.call(conn, pg_write.CLAIM, q.pg_claim_args(user, rid, at)))
        c2, t2, p2 = _cpu(backend), time.perf_counter(), time.process_time()
        for _ in range(args.n):
            conn.execute(FLUSH_SQL)
        c3 = _cpu(backend)
        per = 1000 / args.n
        print(f"load average {os.getloadavg()[0]:.1f}; PostgreSQL CPU per create {(c1 - c0) * per:.2f} ms, per claim "
              f"{(c2 - c1) * per:.2f} ms (each with its WAL flush), per bare flush {(c3 - c2) * per:.2f} ms; "
              f"wall {(t2 - t0) * per / 2:.2f} ms and Python CPU {(p2 - p0) * per / 2:.2f} ms per write")
        conn.close()
        ctx.db.dispose()
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
