"""The event loop's PostgreSQL connections (kiosk/queue/pg_pool.py) are closed, never dropped open: when the pool
and its group flush move to a new event loop (the server started again in the same process, a test's second
client), the old loop's connections are closed; a connection the old loop gives back later is not lent on the
new one; ``close_now`` (``Database.dispose``) closes them without a loop. Real PostgreSQL."""

from __future__ import annotations

import asyncio
import threading

import pytest

from kiosk.queue.pg_pool import AsyncPool

pg = pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
ANSWER = "SELECT '{}'"  # (a write's answer is one JSON text)


def _open(pool: AsyncPool) -> list:
    return [*pool._idle, pool.flusher._conn]


async def _writes(pool: AsyncPool, n: int = 3) -> None:
    await asyncio.gather(*(pool.call(ANSWER, ()) for _ in range(n)))


@pg
def test_a_new_event_loop_closes_the_old_loops_connections(ctx):
    pool = AsyncPool(ctx.db.conninfo(), size=2)
    asyncio.run(_writes(pool))
    old = _open(pool)
    assert len(old) == 3 and not any(c.closed for c in old)  # two lent, one flushing
    asyncio.run(_writes(pool))
    assert all(c.closed for c in old)
    new = _open(pool)
    assert len(new) == 3 and not any(c in old or c.closed for c in new)
    pool.close_now()
    assert all(c.closed for c in new) and pool._idle == [] and pool.flusher._conn is None


@pg
def test_a_connection_given_back_by_a_loop_still_running_elsewhere_is_closed_not_lent(ctx):
    """Loop A (its own thread) is in a write, held by an advisory lock the test holds, while loop B starts
    using the pool: A's connection, given back after, is closed and never lent on B."""
    import psycopg

    pool = AsyncPool(ctx.db.conninfo(), size=2)
    holder = psycopg.connect(ctx.db.conninfo(), autocommit=True)
    holder.execute("SELECT pg_advisory_lock(72620099)")
    lent: list = []

    async def held_write():
        await pool.call(ANSWER, ())
        lent.append(pool._idle[-1])  # the connection the next call takes
        await pool.call("SELECT '{}' FROM (SELECT pg_advisory_xact_lock(72620099)) AS held", ())

    a = threading.Thread(target=asyncio.run, args=(held_write(),))
    try:
        a.start()
        for _ in range(30_000):  # A's statement waits for the lock
            if holder.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                              "AND objid = 72620099").fetchone()[0]:
                break
            threading.Event().wait(0.001)
        else:
            raise AssertionError("A's write never reached the lock")
        asyncio.run(_writes(pool, 1))  # loop B
    finally:
        holder.execute("SELECT pg_advisory_unlock(72620099)")
        a.join(30)
        holder.close()
    assert not a.is_alive()
    assert lent[0].closed and all(c is not lent[0] for c in pool._idle)
    pool.close_now()
