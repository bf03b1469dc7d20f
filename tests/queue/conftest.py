"""Fixtures for the help-queue server: one contract suite, two backends (SQLite and PostgreSQL).

- ``db_url`` is parametrised: a SQLite file, and a fresh PostgreSQL schema (``tq_<pid>_<random>``) in
  database ``test`` at 127.0.0.1:5432 (override with $KIOSK_TEST_PG), migrated once per session and
  dropped at the end, so parallel runs never collide. PostgreSQL tests skip, saying why, only when the
  server cannot be reached.
- ``ctx`` is a fresh server context on a cleaned database with a :class:`FakeClock`; ``world`` seeds
  sites, kiosks and accounts; ``client`` drives the FastAPI app in-process; ``live`` runs it under a real
  uvicorn on a free port.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

PG_BASE = os.environ.get("KIOSK_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test")
T0 = datetime(2026, 11, 28, 6, 0, 0, tzinfo=UTC)
PASSWORD = "correct-horse-1"


class FakeClock:
    """A clock tests move by hand; thread-safe."""

    def __init__(self, start: datetime = T0):
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


@pytest.fixture(scope="session", autouse=True)
def _fast_argon2():
    """Real argon2, cheaper parameters: the suite creates many accounts (verification reads the cost
    from each hash, so production hashes are unaffected)."""
    from argon2 import PasswordHasher

    from kiosk.queue import auth

    saved = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth._hasher = saved


def _pg_admin():
    import psycopg

    conninfo = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=3)


def pg_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable", with the reason
        return f"PostgreSQL at {PG_BASE} is not reachable ({exc.__class__.__name__}: {str(exc).strip()[:120]})"


@contextmanager
def pg_schema(prefix: str = "tq"):
    """The URL of a private, empty PostgreSQL schema (``PREFIX_<pid>_<random>``), dropped afterwards; the test
    skips, saying why, when the server cannot be reached."""
    reason = pg_reachable()
    if reason:
        pytest.skip(reason)
    schema = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def pg_url():
    """A migrated, private PostgreSQL schema for this test session."""
    from kiosk.queue.db import Database

    with pg_schema() as url:
        db = Database(url)
        db.migrate()
        db.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    from kiosk.queue.db import Database, sqlite_url

    url = sqlite_url(tmp_path_factory.mktemp("queue-db"))
    db = Database(url)
    db.migrate()
    db.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


def clean(db) -> None:
    from kiosk.queue import models

    with db.write() as conn:
        for table in reversed(models.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def ctx(db_url, clock, tmp_path):
    from kiosk.queue.api import ServerSettings, build_context

    settings = ServerSettings(db_url=db_url, state_dir=tmp_path, clock=clock, migrate=False,
                              escalation_tick_s=0.05, auth_cache_s=0.0, sse_ping_s=0.2)
    context = build_context(settings)
    clean(context.db)
    yield context
    context.db.dispose()


@dataclass
class World:
    """Sites: district D (421303) with towns T1, T2; kiosks k1 (T1), k2 (T2); staff tokens by name."""

    ctx: object
    kiosk_tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)

    def request_body(self, kiosk: str = "k1", **over) -> dict:
        site = {"k1": "T1", "k2": "T2", "kd": "D"}[kiosk]
        body = {"id": str(uuid.uuid4()), "kind": "assist", "kiosk_id": kiosk, "site_code": site,
                "step": "matter", "priority": "normal", "created_at": self.ctx.settings.clock().isoformat(),
                "ticket_no": "A017", "matter_name": "城乡居民养老保险参保登记"}
        body.update(over)
        return body

    def kiosk(self, name: str = "k1"):
        return self.ctx.auth.principal(self.kiosk_tokens[name])

    def user(self, name: str):
        token, _, _ = self.ctx.auth.login(name, PASSWORD)
        return self.ctx.auth.principal(token)

    def token(self, name: str) -> str:
        return self.ctx.auth.login(name, PASSWORD)[0]


@pytest.fixture
def world(ctx, clock) -> World:
    from kiosk.queue.provision import add_kiosk, add_site, add_user

    w = World(ctx)
    now = clock()
    add_site(ctx.db, "D", "曾都区政务服务中心", "district", now)
    add_site(ctx.db, "T1", "南郊街道便民服务中心", "town", now, parent="D")
    add_site(ctx.db, "T2", "北郊街道便民服务中心", "town", now, parent="D")
    for kid, site, loc in (("k1", "T1", "一楼大厅东侧"), ("k2", "T2", "大厅入口"), ("kd", "D", "二楼")):
        w.kiosk_tokens[kid] = add_kiosk(ctx.db, kid, site, now, location=loc)
    for name, role, sites, display in (("li", "helper", "T1", "李四"), ("wang", "helper", "T1", "王五"),
                                       ("zhao", "helper", "T2", "赵六"), ("dh", "helper", "D", "区帮办"),
                                       ("mgr", "manager", "T1", "周经理"), ("sup", "supervisor", "D", "区督导")):
        w.user_ids[name] = add_user(ctx.db, name, role, [sites], PASSWORD, now, display_name=display)
    return w


@pytest.fixture
def client(ctx):
    from fastapi.testclient import TestClient

    from kiosk.queue.api import create_app

    with TestClient(create_app(ctx.settings, ctx)) as c:
        yield c


class LiveServer:
    """The app under a real uvicorn on 127.0.0.1 and a free port, in a thread; stops by itself."""

    def __init__(self, app):
        import socket

        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False,
                                                    timeout_graceful_shutdown=1))  # as `serve` runs it
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def live(ctx):
    from kiosk.queue.api import create_app

    with LiveServer(create_app(ctx.settings, ctx)) as server:
        yield server


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
