"""PostgreSQL's own CPU per one-message write (kiosk/queue/pg_write.py, migration 0016), apart from the server.

    python3 bench/bench_pg_write_cpu.py [--pg URL] [--n 400] [--rounds 4]

In a private schema: 10 sites, a kiosk each, one helper; ``--n`` creates, then as many claims, on one
autocommit connection whose backend's CPU time (``/proc/<pid>/stat``: the PostgreSQL server must run on
this machine) is read around each batch; then as many bare WAL flushes. Each write is sent in two forms,
alternating in ``--rounds`` batches each so both see the same machine: ``prepared`` (the server's:
``SELECT kq_…(…), set_config('synchronous_commit', 'off', true)``, a prepared statement) and ``0016``
(``BEGIN; SET LOCAL …; SELECT kq_…(…); COMMIT;`` as text with its parameters quoted in, parsed every
time: the form before). The commit only: the WAL flush is shared by the writes committed together (the
group flush) and measured apart. Prints PostgreSQL CPU per create and per claim for each form, per bare
flush, and this process's Python CPU per write. Shared machine: read the figures with the load average
printed next to them.
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

OLD_CREATE = "BEGIN; SET LOCAL synchronous_commit TO OFF; SELECT kq_create_request(%s::jsonb, %s::jsonb, ''); COMMIT;"
OLD_CLAIM = ("BEGIN; SET LOCAL synchronous_commit TO OFF; "
             "SELECT kq_claim_request(%s, %s, %s, %s, %s::text[], %s, ''); COMMIT;")


def _old_call(conn, sql: str, params: tuple) -> dict:
    """Migration 0016's message as it was sent (client-side quoting, simple protocol)."""
    import psycopg

    from kiosk.queue import pg_write

    cur = psycopg.ClientCursor(conn)
    cur.execute(sql, params)
    while cur.description is None:
        cur.nextset()
    out = pg_write.answer(cur.fetchone()[0])
    cur.close()
    return out


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
    ap.add_argument("--rounds", type=int, default=4)
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
        backend, n = conn.info.backend_pid, 0
        forms = {"prepared": (pg_write.CREATE_COMMIT, pg_write.CLAIM_COMMIT, pg_write.call),
                 "0016": (OLD_CREATE, OLD_CLAIM, _old_call)}
        cpu = {(form, kind): 0.0 for form in forms for kind in ("create", "claim")}
        ids: dict[str, list[str]] = {form: [] for form in forms}
        per_batch = max(1, args.n // args.rounds)
        t0, p0 = time.perf_counter(), time.process_time()
        for _ in range(args.rounds):
            for form, (create, _claim, call) in forms.items():
                c0 = _cpu(backend)
                for i in range(per_batch):
                    k = kiosks[i % 10]
                    body = RequestIn.model_validate({"id": str(uuid.uuid4()), "kind": "call", "kiosk_id": k.kiosk_id,
                                                     "site_code": k.site_code, "step": "start",
                                                     "created_at": datetime.now(UTC).isoformat()})
                    site, at = q._site(None, k.site_code), q.clock()
                    pending, call_args = q.pg.create_args(k, body, at, site)
                    q.pg.created(k, body, site, pending, call(conn, create, call_args))
                    ids[form].append(body.id)
                cpu[form, "create"] += _cpu(backend) - c0
        for r in range(args.rounds):
            for form, (_create, claim, call) in forms.items():
                c0 = _cpu(backend)
                for rid in ids[form][r * per_batch:(r + 1) * per_batch]:
                    at = q.clock()
                    q.pg.claimed(user, rid, at, call(conn, claim, q.pg.claim_args(user, rid, at)))
                cpu[form, "claim"] += _cpu(backend) - c0
        n = per_batch * args.rounds
        t2, p2, c2 = time.perf_counter(), time.process_time(), _cpu(backend)
        for _ in range(n):
            conn.execute(FLUSH_SQL, prepare=True)
        c3 = _cpu(backend)
        per = 1000 / n
        figures = "; ".join(f"{form}: per create {cpu[form, 'create'] * per:.2f} ms, per claim "
                            f"{cpu[form, 'claim'] * per:.2f} ms" for form in forms)
        print(f"load average {os.getloadavg()[0]:.1f}; PostgreSQL CPU (commit only) {figures}; per bare flush "
              f"{(c3 - c2) * per:.2f} ms; wall {(t2 - t0) * per / 4:.2f} ms and Python CPU "
              f"{(p2 - p0) * per / 4:.2f} ms per write")
        conn.close()
        ctx.db.dispose()
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
