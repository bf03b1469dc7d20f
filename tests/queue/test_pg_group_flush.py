"""The event loop's writes on PostgreSQL share their WAL flushes (kiosk/queue/pg_pool.py ``GroupFlush``): a
write commits without waiting for the disk, gives its connection back, and is answered only after a flush
sent after its commit returned; writes committed together share one flush; a failed flush is a 503 and the
kiosk's retry loses nothing. Real PostgreSQL; the flusher is held back by a gate the test opens (no timing)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from kiosk.queue import store
from kiosk.queue.pg_pool import GroupFlush

pg = pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


class GatedFlush(GroupFlush):
    """Each flush waits for ``gate`` before it is sent."""

    def __init__(self, conninfo: str):
        super().__init__(conninfo)
        self.gate = asyncio.Event()

    async def _send(self, conn) -> None:
        await self.gate.wait()
        await super()._send(conn)


def _app_with_checks(ctx, answered: list):
    """The app, its 2xx answers checked at ``http.response.start``: the last flush done must have been
    sent after the write's commit (its number above the flushes sent when the commit returned)."""
    from kiosk.queue.api import create_app

    app, pool = create_app(ctx.settings, ctx), ctx.queue.apool
    at_commit: dict[asyncio.Task, int] = {}
    pool.on_commit = lambda: at_commit.__setitem__(asyncio.current_task(), pool.flusher.started)

    async def checked(scope, receive, send):
        async def spy(message):
            if message["type"] == "http.response.start" and message["status"] < 300:
                sent_before = at_commit.pop(asyncio.current_task(), None)
                if sent_before is not None:
                    answered.append((sent_before, pool.flusher.done))
                    assert pool.flusher.done > sent_before, "answered before a flush that covers the commit"
            await send(message)

        await app(scope, receive, spy)

    return checked


async def _until(condition) -> None:
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("never happened")


@pg
def test_writes_committed_together_share_a_flush_and_none_is_answered_before_its_own(ctx, world):
    answered: list[tuple[int, int]] = []
    app, pool = _app_with_checks(ctx, answered), ctx.queue.apool
    kiosk = {"Authorization": f"Bearer {world.kiosk_tokens['k1']}"}
    staff = {"Authorization": f"Bearer {world.token('li')}"}

    async def scenario():
        flusher = pool.flusher = GatedFlush(pool.conninfo)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            flusher.gate.set()
            first = await http.post("/api/v1/requests", json=world.request_body(), headers=kiosk)  # reads the site
            assert first.status_code == 201
            flusher.gate.clear()
            base_flushes, base_waits = flusher.flushes, flusher.waits
            bodies = [world.request_body() for _ in range(20)]
            posts = [asyncio.ensure_future(http.post("/api/v1/requests", json=b, headers=kiosk)) for b in bodies]
            posts.append(asyncio.ensure_future(http.post(f"/api/v1/requests/{first.json()['id']}/claim",
                                                         headers=staff)))
            await _until(lambda: flusher.waits - base_waits == len(posts))  # all committed, the first flush held
            assert not any(p.done() for p in posts)
            flusher.gate.set()
            answers = await asyncio.gather(*posts)
            assert [a.status_code for a in answers] == [201] * 20 + [200]
            return flusher.flushes - base_flushes, [b["id"] for b in bodies]

    flushes, ids = asyncio.run(scenario())
    assert flushes == 2  # the one in flight when the rest committed, and one for all the rest
    assert len(answered) == 21  # (the first create took the thread's path: it reads the site)
    assert any(before == 1 for before, _ in answered)  # committed with flush 1 in flight: answered after flush 2
    with ctx.db.read() as conn:
        assert all(store.get_request(conn, i) is not None for i in ids)


@pg
def test_a_failed_flush_is_a_503_and_the_retry_loses_nothing(ctx, world):
    from kiosk.queue.api import create_app

    app, pool = create_app(ctx.settings, ctx), ctx.queue.apool
    kiosk = {"Authorization": f"Bearer {world.kiosk_tokens['k1']}"}

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            for _ in range(2):  # the site read, then the hot path (the flusher's connection opened)
                assert (await http.post("/api/v1/requests", json=world.request_body(), headers=kiosk)).status_code == 201
            flushes = pool.flusher.flushes
            with ctx.db.read() as conn:  # the flusher's link dies
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pool.flusher._conn.info.backend_pid})
            body = world.request_body()
            lost = await http.post("/api/v1/requests", json=body, headers=kiosk)
            assert lost.status_code == 503 and lost.json()["code"] == "database_unavailable", lost.text
            assert pool.flusher.flushes == flushes
            retried = await http.post("/api/v1/requests", json=body, headers=kiosk)  # the outbox sends it again
            after = await http.post("/api/v1/requests", json=world.request_body(), headers=kiosk)
            assert after.status_code == 201 and pool.flusher.flushes == flushes + 2  # reconnected
            return body, retried

    body, retried = asyncio.run(scenario())
    assert retried.status_code == 200 and retried.json()["created"] is False  # stored once, by the first send
    with ctx.db.read() as conn:
        row = store.get_request(conn, body["id"])
        assert row is not None and row["kiosk_id"] == "k1"
        assert conn.execute(text("SELECT count(*) FROM events WHERE request_id = :i AND type = 'request.created'"),
                            {"i": body["id"]}).scalar() == 1


@pytest.fixture
def own_db(ctx):
    """A Database of its own on the test's schema: its flusher serves only the test's writes (not the
    context's background work)."""
    from kiosk.queue.db import Database

    db = Database(ctx.settings.db_url, pool_size=12)
    yield db
    db.dispose()


class GatedThreadFlush:
    """Wraps ``Database.flusher``: flush number n waits for ``gates[n]`` before it is sent."""

    @staticmethod
    def install(db, count: int):
        import threading

        gates = {n: threading.Event() for n in range(1, count + 1)}
        flusher, send = db.flusher, db.flusher._send

        def gated(conn):
            gate = gates.get(flusher._sent)
            assert gate is None or gate.wait(30), "gate never opened"
            send(conn)

        flusher._send = gated
        return flusher, gates


@pg
def test_threads_writes_share_a_flush_sent_after_their_commits(ctx, own_db):
    import threading
    import time

    from kiosk.queue.provision import add_site

    db = own_db
    flusher, gates = GatedThreadFlush.install(db, 2)
    base_flushes, base_waits = flusher.flushes, flusher.waits
    now = ctx.settings.clock()
    first = threading.Thread(target=add_site, args=(db, "G0", "站点0", "town", now))
    first.start()
    while flusher._sent < 1:  # flush 1 sent (held at its gate)
        time.sleep(0.001)
    rest = [threading.Thread(target=add_site, args=(db, f"G{i}", f"站点{i}", "town", now)) for i in range(1, 9)]
    for t in rest:
        t.start()
    while flusher.waits - base_waits < 9:  # all committed, waiting
        time.sleep(0.001)
    gates[1].set()
    first.join(30)
    assert not first.is_alive()
    assert all(t.is_alive() for t in rest)  # committed after flush 1 was sent: not covered by it
    gates[2].set()
    for t in rest:
        t.join(30)
    assert not any(t.is_alive() for t in rest)
    assert flusher.flushes - base_flushes == 2
    with ctx.db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM sites WHERE code LIKE 'G%'")).scalar() == 9


@pg
def test_a_failed_thread_flush_raises_and_the_next_write_reconnects(ctx, own_db):
    import psycopg

    from kiosk.queue.provision import add_site

    db, now = own_db, ctx.settings.clock()
    add_site(db, "G0", "站点0", "town", now)
    with ctx.db.read() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": db.flusher._conn.info.backend_pid})
    with pytest.raises(psycopg.OperationalError):  # a 503 at the API (kiosk.queue.db_down)
        add_site(db, "G1", "站点1", "town", now)
    add_site(db, "G2", "站点2", "town", now)
    with ctx.db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM sites WHERE code LIKE 'G%'")).scalar() == 3


@pg
def test_a_threads_one_message_create_and_claim_wait_for_the_threads_group_flush(ctx, world):
    """The service thread's create and claim (the hot path's fallback) send the loop's message and then wait
    for ``Database.flusher``: committed and visible, yet neither answered nor published before a flush sent
    after the commit returned."""
    import threading
    import time

    from kiosk.queue.schemas import RequestIn

    flusher, gate, send = ctx.db.flusher, threading.Event(), ctx.db.flusher._send
    published: list[str] = []
    ctx.queue.publisher.after_commit = lambda events: published.extend(e["type"] for e in events)

    def gated(conn):
        assert gate.wait(30), "gate never opened"
        send(conn)

    body, kiosk, li = RequestIn.model_validate(world.request_body()), world.kiosk("k1"), world.user("li")
    flusher._send = gated  # (the callers' logins above flushed as usual)
    for write, kind in ((lambda: ctx.queue.create(kiosk, body), "request.created"),
                        (lambda: ctx.queue.claim(li, body.id), "request.claimed")):
        gate.clear()
        waits, flushes, answered = flusher.waits, flusher.flushes, []
        thread = threading.Thread(target=lambda: answered.append(write()))  # noqa: B023 (joined below)
        thread.start()
        deadline = time.monotonic() + 30
        while flusher.waits == waits and time.monotonic() < deadline:  # committed, waiting for the flush
            time.sleep(0.001)
        assert flusher.waits == waits + 1, "the write did not wait for the threads' group flush"
        with ctx.db.read() as conn:
            assert store.get_request(conn, body.id)["state"] == ("waiting" if kind == "request.created" else "claimed")
        assert thread.is_alive() and not answered and kind not in published
        gate.set()
        thread.join(30)
        assert answered and flusher.flushes == flushes + 1 and published[-1] == kind
