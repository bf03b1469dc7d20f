"""The FastAPI application: assembly, error mapping, authentication, and the kiosk endpoints.

Contract (see ``kiosk/queue/API.md`` for every endpoint)
- :func:`create_app` opens the database and migrates it once, before serving; nothing is migrated per
  request. The lifespan binds the event bus to the loop, starts the PostgreSQL listener (if any) and the
  background escalation and 代办 deadline sweep, and stops them on shutdown.
- Callers authenticate with ``Authorization: Bearer <token>`` (kiosk or session token) or the
  ``kq_session`` cookie. Errors are JSON ``{"detail": message, "code": code, …}`` with the status of the
  :mod:`kiosk.queue.errors` class; the message is Chinese unless ``Accept-Language`` asks for English.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kiosk.queue.auth import Authenticator, Principal
from kiosk.queue.cases import CaseService
from kiosk.queue.crypto import IdentityBox, load_cipher
from kiosk.queue.db import Database
from kiosk.queue.errors import QueueError
from kiosk.queue.escalation import Background
from kiosk.queue.events import EventBus, LocalPublisher, PgListener, PgPublisher, pg_channel, to_json
from kiosk.queue.health import HealthService
from kiosk.queue.schemas import (
    CancelIn,
    HeartbeatIn,
    KioskRequestView,
    NoteIn,
    NoteOut,
    NoticeIn,
    NoticeOut,
    Ok,
    RequestIn,
    StaffRequestView,
)
from kiosk.queue.service import QueueService

COOKIE = "kq_session"
RequestId = Annotated[str, PathParam(min_length=1, max_length=64)]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServerSettings:
    db_url: str
    state_dir: Path | None = None
    clock: Callable[[], datetime] = utcnow
    escalation_tick_s: float = 1.0
    purge_s: float = 60.0
    deadline_sweep_s: float = 30.0  # 代办 due-soon / overdue flags, pushed live as they are raised
    max_failures: int = 5
    lockout_s: int = 900
    session_ttl_s: int = 12 * 3600
    auth_cache_s: float = 5.0
    cookie_secure: bool = False
    sse_ping_s: float = 15.0
    identity_hours: float = 1.0
    heartbeat_days: int = 7
    migrate: bool = True
    sqlite_synchronous: str = "NORMAL"
    extra: dict = field(default_factory=dict)


@dataclass
class Context:
    settings: ServerSettings
    db: Database
    auth: Authenticator
    queue: QueueService
    health: HealthService
    bus: EventBus
    listener: PgListener | None
    background: Background
    cases: CaseService | None = None

    async def run(self, fn, *args, **kwargs):
        """Runs a service call: inline on SQLite (sub-millisecond, one writer: no thread hop, the GIL is
        the limit anyway), in the thread pool on PostgreSQL (network round trips, row-lock waits)."""
        if self.db.is_sqlite:
            return fn(*args, **kwargs)
        return await run_in_threadpool(fn, *args, **kwargs)


def _event_json(db: Database, event_id: int) -> str | None:
    """An event too large for a NOTIFY payload, read back from the table."""
    from sqlalchemy import select

    from kiosk.queue.models import events

    with db.read() as conn:
        row = conn.execute(select(events).where(events.c.id == event_id)).mappings().first()
    return to_json(dict(row)) if row else None


def build_context(settings: ServerSettings) -> Context:
    db = Database(settings.db_url, sqlite_synchronous=settings.sqlite_synchronous)
    if settings.migrate:
        db.migrate()
    bus = EventBus()
    box = IdentityBox(load_cipher(settings.state_dir))
    listener = None
    if db.is_postgres:
        with db.read() as conn:
            channel = pg_channel(conn)
        publisher = PgPublisher(channel)
        conninfo = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        listener = PgListener(conninfo, channel, bus, load_json=lambda event_id: _event_json(db, event_id))
    else:
        publisher = LocalPublisher(bus)
    queue = QueueService(db, box, settings.clock, publisher)
    if db.is_sqlite:
        from kiosk.queue.group import GroupCommit

        queue.group = GroupCommit(db)
    health = HealthService(db, settings.clock, heartbeat_days=settings.heartbeat_days,
                           identity_hours=settings.identity_hours)
    auth = Authenticator(db, settings.clock, max_failures=settings.max_failures, lockout_s=settings.lockout_s,
                         session_ttl_s=settings.session_ttl_s, cache_s=settings.auth_cache_s)
    cases = CaseService(db, box, settings.clock, catalog_path=settings.extra.get("catalog"), publisher=publisher)
    background = Background(queue, health, tick_s=settings.escalation_tick_s, purge_s=settings.purge_s,
                            cases=cases, sweep_s=settings.deadline_sweep_s)
    return Context(settings, db, auth, queue, health, bus, listener, background, cases)


_bearer = HTTPBearer(auto_error=False, description="kiosk token (kqk_…) or session token (kqs_…)")


async def ctx(request: Request) -> Context:
    return request.app.state.ctx


async def principal(request: Request,
                    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The authenticated caller (bearer token first, then the session cookie)."""
    token = creds.credentials if creds else request.cookies.get(COOKIE)
    c: Context = request.app.state.ctx
    return await c.run(c.auth.principal, token)


Caller = Annotated[Principal, Depends(principal)]
Ctx = Annotated[Context, Depends(ctx)]


def _language(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "zh_CN"


async def _queue_error(request: Request, exc: QueueError) -> JSONResponse:
    body = {"detail": exc.message(_language(request)), "code": exc.code, **exc.extra}
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(body, status_code=exc.status, headers=headers)


def create_app(settings: ServerSettings, context: Context | None = None) -> FastAPI:
    context = context or build_context(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import asyncio

        context.bus.bind(asyncio.get_running_loop())
        if context.listener is not None:
            context.listener.start()
        context.background.start()
        try:
            yield
        finally:
            await context.background.stop()
            if context.listener is not None:
                context.listener.stop()
            context.db.dispose()

    from kiosk.queue.hotpath import QueueApp

    app = QueueApp(title="帮办呼叫队列 help-queue server", version="1", lifespan=lifespan,
                  description="Kiosks post help requests and heartbeats; helpers and managers claim and "
                              "handle them. Live events: GET /api/v1/events/stream (server-sent events).")
    app.state.ctx = context
    app.add_exception_handler(QueueError, _queue_error)

    @app.post("/api/v1/requests", response_model=KioskRequestView, status_code=201, tags=["kiosk"],
              responses={200: {"model": KioskRequestView, "description": "replay: the stored request"}})
    async def create_request(body: RequestIn, caller: Caller, c: Ctx) -> JSONResponse:
        """Creates a help request (kiosk). A replay of a stored id answers 200 with ``created: false``."""
        view = await c.run(c.queue.create, caller, body)
        return JSONResponse(view, status_code=201 if view["created"] else 200)  # already JSON-ready

    @app.get("/api/v1/requests/{request_id}", response_model=KioskRequestView | StaffRequestView,
             tags=["kiosk", "staff"])
    async def get_request(request_id: RequestId, caller: Caller, c: Ctx) -> dict:
        """A kiosk gets its position and helper; staff get the full (masked) view."""
        if caller.kind == "kiosk":
            return await c.run(c.queue.kiosk_get, caller, request_id)
        return await c.run(c.queue.get, caller, request_id)

    @app.post("/api/v1/requests/{request_id}/cancel", response_model=KioskRequestView | StaffRequestView,
              tags=["kiosk", "staff"])
    async def cancel_request(request_id: RequestId, caller: Caller, c: Ctx, body: CancelIn | None = None) -> dict:
        """Kiosk: the resident left (idempotent; a no-op once closed). Staff: cancel with a reason."""
        body = body or CancelIn()
        if caller.kind == "kiosk":
            return await c.run(c.queue.kiosk_cancel, caller, request_id, body.reason)
        return await c.run(c.queue.act, caller, request_id, "cancel", reason=body.reason, note=body.note)

    @app.post("/api/v1/requests/{request_id}/notes", response_model=NoteOut, status_code=201, tags=["kiosk"],
              responses={200: {"model": NoteOut, "description": "replay: the stored note"},
                         404: {"description": "no such request of this kiosk"}})
    async def add_note(request_id: RequestId, body: NoteIn, caller: Caller, c: Ctx) -> JSONResponse:
        """Adds a kiosk's note to its own request (pushed live as ``request.note``). A replay of a stored
        note id answers 200 with ``created: false``; never a second note."""
        note = await c.run(c.queue.add_note, caller, request_id, body)
        return JSONResponse(note, status_code=201 if note["created"] else 200)

    @app.post("/api/v1/heartbeats", response_model=Ok, tags=["kiosk"])
    async def heartbeat(body: HeartbeatIn, caller: Caller, c: Ctx) -> JSONResponse:
        """Stores a kiosk's heartbeat (idempotent by id)."""
        await c.run(c.health.heartbeat, caller, body)
        return JSONResponse({"ok": True})

    @app.post("/api/v1/notices", response_model=NoticeOut, status_code=201, tags=["kiosk"],
              responses={200: {"model": NoticeOut, "description": "replay: the stored notice"}})
    async def notice(body: NoticeIn, caller: Caller, c: Ctx) -> JSONResponse:
        """Records a one-time notice (一次性告知单) the kiosk printed, for the supervision figures
        (idempotent by id; a replay answers 200 with ``created: false``)."""
        out = await c.run(c.health.notice, caller, body)
        return JSONResponse(out, status_code=201 if out["created"] else 200)

    @app.get("/healthz", response_model=Ok, tags=["ops"])
    def healthz(c: Ctx) -> dict:
        """Liveness and database reachability (for load balancers)."""
        from sqlalchemy import text

        with c.db.read() as conn:
            conn.execute(text("SELECT 1"))
        return {"ok": True}

    from kiosk.queue.api_staff import router

    app.include_router(router)
    from kiosk.queue import api_cases  # 代办 cases, ledger, figures

    app.include_router(api_cases.router)
    from kiosk.queue.console.routes import mount_console

    mount_console(app)
    return app
