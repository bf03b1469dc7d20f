"""Group flush against a flush per write (kiosk/queue/pg_pool.py ``GroupFlush``), on the event loop's pool.

    python3 bench/bench_pg_group_flush.py [--pg "host=127.0.0.1 port=5432 dbname=test"] [--writes 2000]

``--writes`` concurrent writes over 8 connections, each a transaction committed with ``synchronous_commit``
off that writes a WAL record (as a create does): first each holding its connection through its own flush
(``BEGIN; SET LOCAL …; …; COMMIT; <flush>`` in one simple-protocol message, as before the group flush), then
through :meth:`AsyncPool.call` (the server's form: one prepared statement, connection back at the commit,
one shared flush). Prints writes/s (wall) for both and the writes per flush. Shared machine:
read the figures with the load average printed next to them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from kiosk.queue.db import FLUSH_SQL  # noqa: E402
from kiosk.queue.pg_pool import AsyncPool  # noqa: E402

OWN_FLUSH = ("BEGIN; SET LOCAL synchronous_commit TO OFF; SELECT '{}' FROM pg_logical_emit_message(true, 'kq_bench', 'x'); "
             "COMMIT; " + FLUSH_SQL)
COMMIT = "SELECT '{}', set_config('synchronous_commit', 'off', true) FROM pg_logical_emit_message(true, 'kq_bench', 'x')"


async def _own_flush(pool: AsyncPool, n: int) -> float:
    slots = asyncio.Semaphore(pool.size)
    conns = [await psycopg.AsyncConnection.connect(pool.conninfo, autocommit=True)
             for _ in range(pool.size)]

    async def one() -> None:
        async with slots:
            conn = conns.pop()
            try:
                await conn.execute(OWN_FLUSH)
            finally:
                conns.append(conn)

    t = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    wall = time.perf_counter() - t
    for conn in conns:
        await conn.close()
    return n / wall


async def _grouped(pool: AsyncPool, n: int) -> tuple[float, float]:
    await pool.call(COMMIT, ())
    flushes = pool.flusher.flushes
    t = time.perf_counter()
    await asyncio.gather(*(pool.call(COMMIT, ()) for _ in range(n)))
    wall = time.perf_counter() - t
    return n / wall, n / max(1, pool.flusher.flushes - flushes)


async def main(args) -> None:
    pool = AsyncPool(args.pg, 8)
    own = await _own_flush(pool, args.writes)
    grouped, per_flush = await _grouped(pool, args.writes)
    await pool.close()
    load = os.getloadavg()[0]
    print(f"{args.writes} concurrent writes, 8 connections: a flush per write {own:.0f} writes/s; "
          f"group flush {grouped:.0f} writes/s, {per_flush:.1f} writes per flush; load average {load:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="host=127.0.0.1 port=5432 dbname=test")
    parser.add_argument("--writes", type=int, default=2000)
    asyncio.run(main(parser.parse_args()))
