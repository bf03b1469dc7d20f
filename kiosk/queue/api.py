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

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.queue.context import PG_SWITCH_S, PG_THREADS, Context, ServerSettings, build_context, utcnow
from kiosk.queue.db_down import DOWN_ERRORS, database_down, unavailable
from kiosk.queue.deps import COOKIE, Caller, Ctx, RequestId, ctx, principal
from kiosk.queue.errors import QueueError
from kiosk.queue.gcwatch import GcWatch, tune, untune
from kiosk.queue.guard import Guard
from kiosk.queue.limits import BodyTooLarge, body_too_large, validation_error
from kiosk.queue.metrics_share import share_figures
from kiosk.queue.proxy import TrustedProxies
from kiosk.queue.schemas import (
    CancelIn,
    HeartbeatIn,
    HeartbeatOut,
    KioskRequestView,
    NoteIn,
    NoteOut,
    NoticeIn,
    NoticeOut,
    RequestIn,
    StaffRequestView,
)
from kiosk.queue.throttle import retry_after_header

__all__ = ["COOKIE", "Caller", "Context", "Ctx", "RequestId", "ServerSettings", "build_context", "create_app",
           "ctx", "principal", "utcnow"]


def _language(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "zh_CN"


async def _queue_error(request: Request, exc: QueueError) -> JSONResponse:
    body = {"detail": exc.message(_language(request)), "code": exc.code, **exc.extra}
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else retry_after_header(exc)
    return JSONResponse(body, status_code=exc.status, headers=headers)


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    if not database_down(exc):
        raise exc  # a broken schema: a 500 with its traceback in the log
    return await _queue_error(request, unavailable(exc))


HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """FastAPI's own errors (an unknown path, a body that is not JSON at all) in the API's shape: with a code."""
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=getattr(exc, "headers", None))
    body = {"detail": exc.detail, "code": HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def create_app(settings: ServerSettings, context: Context | None = None) -> FastAPI:
    context = context or build_context(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import asyncio
        import gc

        context.bus.bind(asyncio.get_running_loop())
        context.metrics.start(context.bus)  # loop lag: overload state and the pushes' coalescing
        context.metrics.gc = watch = GcWatch()  # the collector's pauses in /metrics (kiosk/queue/gcwatch.py)
        watch.start()
        share = share_figures(context)  # every process's figures from any one (kiosk/queue/metrics_share.py)
        if context.db.is_postgres:  # more threads only queue on the event-order lock and the GIL (API.md)
            import anyio

            anyio.to_thread.current_default_thread_limiter().total_tokens = PG_THREADS
            import sys

            # a service thread back from a round trip waits for the GIL at most this long (not 5 ms)
            sys.setswitchinterval(PG_SWITCH_S)
        if context.listener is not None:
            context.listener.start()
        context.background.start()
        if context.webhooks is not None:
            context.webhooks.start()
        # last: what is alive now lives as long as the process; the collector stops traversing it
        gc_mode = context.settings.extra.get("gc")
        untuned = tune(gc_mode == "tuned") if gc_mode in ("tuned", "frozen") else None
        watch.frozen = gc.get_freeze_count() if untuned is not None else 0
        try:
            yield
        finally:
            watch.stop()
            if untuned is not None:
                untune(untuned)
            await context.background.stop()
            await context.queue.aclose()  # the hot paths' PostgreSQL connections (kiosk.queue.pg_pool)
            if context.webhooks is not None:
                await context.webhooks.stop()
            await context.metrics.stop()
            share.remove()
            await context.streams.stop()
            if context.listener is not None:
                context.listener.stop()
                context.queue.publisher.close()  # (PgPublisher: its NOTIFY connection)
            if context.passwords is not None:
                context.passwords.close()
            context.db.dispose()

    from kiosk.queue.hotpath import QueueApp

    app = QueueApp(title="帮办呼叫队列 help-queue server", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Kiosks post help requests and heartbeats; helpers and managers claim and "
                              "handle them. Live events: GET /api/v1/events/stream (server-sent events).")
    app.state.ctx = context
    app.state.guard = Guard(context, TrustedProxies(context.settings.trusted_proxies))
    app.add_exception_handler(QueueError, _queue_error)
    for error in DOWN_ERRORS:  # 503 database_unavailable, not 500 (kiosk.queue.db_down)
        app.add_exception_handler(error, _database_down)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(BodyTooLarge, body_too_large)

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

    @app.post("/api/v1/heartbeats", response_model=HeartbeatOut, tags=["kiosk"])
    async def heartbeat(body: HeartbeatIn, caller: Caller, c: Ctx) -> JSONResponse:
        """Stores a kiosk's heartbeat (idempotent by id); answers the central settings it should run."""
        config = await c.run(c.health.heartbeat, caller, body)
        return JSONResponse({"ok": True, "config": config})

    @app.post("/api/v1/notices", response_model=NoticeOut, status_code=201, tags=["kiosk"],
              responses={200: {"model": NoticeOut, "description": "replay: the stored notice"}})
    async def notice(body: NoticeIn, caller: Caller, c: Ctx) -> JSONResponse:
        """Records a one-time notice (一次性告知单) the kiosk printed, for the supervision figures
        (idempotent by id; a replay answers 200 with ``created: false``)."""
        out = await c.run(c.health.notice, caller, body)
        return JSONResponse(out, status_code=201 if out["created"] else 200)

    from kiosk.queue.api_ops import router as ops_health  # /healthz, /metrics

    app.include_router(ops_health)
    from kiosk.queue.api_staff import router

    app.include_router(router)
    from kiosk.queue import api_assign  # 交接班 and 改派

    app.include_router(api_assign.router)
    from kiosk.queue import api_cases  # 代办 cases, ledger, figures

    app.include_router(api_cases.router)
    from kiosk.queue import api_case_moves  # suspend / resume, transfer / accept / decline

    app.include_router(api_case_moves.router)
    from kiosk.queue import api_case_slips  # 受理回执 and 材料归还单: PNG and the window printer

    app.include_router(api_case_slips.router)
    from kiosk.queue import api_reports  # the 督查 report: html, xlsx, pdf

    app.include_router(api_reports.router)
    from kiosk.queue import api_ratings  # 好差评: kiosks' ratings, the public page behind a slip's QR code

    app.include_router(api_ratings.router)
    from kiosk.queue import api_webhooks  # managers' outgoing webhooks (企业微信, 钉钉, 飞书, JSON)

    app.include_router(api_webhooks.router)
    from kiosk.queue import api_remote_config  # managers' central kiosk settings

    app.include_router(api_remote_config.router)
    from kiosk.queue.ops.live import router as ops_router  # kiosk queue status asks the live process

    app.include_router(ops_router)
    from kiosk.queue.console.routes import mount_console

    mount_console(app)
    if context.settings.docs:
        from kiosk.queue.apidocs import mount_docs

        mount_docs(app)  # offline Swagger UI at /docs (kiosk queue serve --docs)
    return app
