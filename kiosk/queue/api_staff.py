"""Endpoints for helpers, managers and supervisors (the web console's API) and the live event stream.

Contract: every endpoint needs a staff session (bearer ``kqs_…`` or the ``kq_session`` cookie); data is
limited to the caller's visible sites. State-changing calls answer the request's new masked view, or 409
``{"detail", "code", "state", …}`` when the request is not in a state that allows the action.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select, update

from kiosk.queue.auth import require_user
from kiosk.queue.crypto import hash_token
from kiosk.queue.deps import COOKIE, Caller, Ctx, HistoryAfter, HistoryLimit, RequestId, _bearer
from kiosk.queue.errors import Gone, _kind
from kiosk.queue.inputs import MAX_ID
from kiosk.queue.models import events as events_table
from kiosk.queue.models import sessions, sites, users
from kiosk.queue.schemas import (
    ClaimNextIn,
    Identity,
    KioskHealth,
    LoginIn,
    LoginOut,
    Me,
    Ok,
    ReleaseIn,
    RequestList,
    ResolveIn,
    StaffRequestView,
    UtcTime,
)
from kiosk.queue.schemas_staff import DutyIn, HelperOnDuty, SiteView
from kiosk.queue.states import State
from kiosk.queue.stream import EventStream
from kiosk.queue.throttle import DEVICE_COOKIE, DEVICE_DAYS, TARPIT_S, Busy, Throttled

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["staff"])
States = Annotated[list[State] | None, Query(max_length=10, description="repeat to combine: state=waiting&state=claimed")]


def _me(c, p) -> dict:
    return {"id": p.user_id, "username": p.username, "display_name": p.display_name, "role": p.role,
            "sites": sorted(p.sites), "visible_sites": sorted(p.visible), "on_duty": c.health.duty(p),
            "session_expires_at": p.expires_at, "now": c.settings.clock()}


@router.post("/auth/login", response_model=LoginOut, tags=["auth"],
             responses={401: {"description": "wrong user name or password"},
                        429: {"description": "too many wrong passwords from here: wait Retry-After seconds"},
                        503: {"description": "too many logins at once: retry in a moment"}})
async def login(body: LoginIn, request: Request, c: Ctx, response: Response) -> dict:
    """Password login; sets the ``kq_session`` cookie and returns the same token for bearer use. Guessing
    is slowed down by address and account (429 with ``Retry-After``; see :mod:`kiosk.queue.throttle`);
    a successful login also sets the ``kq_device`` cookie that exempts this browser from the others'
    waits for this account."""
    address = request.client.host if request.client else "?"
    device = c.throttle.device_of(request.cookies.get(DEVICE_COOKIE), body.username)
    try:
        c.throttle.begin(body.username, address, device)
        token, expires, p = await c.passwords.run(c.auth.login, body.username, body.password)
    except (Throttled, Busy) as exc:
        if isinstance(exc, Throttled):
            log.warning("login throttled: account %r from %s", body.username[:64], address)
        await asyncio.sleep(min(exc.extra["retry_after"], TARPIT_S))  # a guesser waits for the answer too
        raise
    c.throttle.succeeded(body.username, address, device)
    secure = c.settings.cookie_secure or request.url.scheme == "https"
    response.set_cookie(COOKIE, token, max_age=c.settings.session_ttl_s, httponly=True, samesite="strict",
                        secure=secure, path="/")
    response.set_cookie(DEVICE_COOKIE, c.throttle.device_cookie(p.username), max_age=DEVICE_DAYS * 86400,
                        httponly=True, samesite="strict", secure=secure, path="/api/v1/auth")
    return {"token": token, "expires_at": expires, "user": _me(c, p)}


@router.post("/auth/logout", response_model=Ok, tags=["auth"])
def logout(request: Request, caller: Caller, c: Ctx, response: Response, everywhere: bool = False) -> dict:
    """Ends this session; with ``everywhere=true`` every session of the caller (a lost phone, a PC left
    logged in): their calls fail
    as soon as every server process hears the revocation (within a second), their event streams close."""
    auth = request.headers.get("authorization", "")
    token = auth[7:] if auth.lower().startswith("bearer ") else request.cookies.get(COOKIE, "")
    require_user(caller)
    c.auth.logout(token)
    if everywhere:
        with c.db.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.user_id == caller.user_id))
            conn.execute(update(users).where(users.c.id == caller.user_id).values(on_duty=False))
    response.delete_cookie(COOKIE, path="/", secure=c.settings.cookie_secure or request.url.scheme == "https",
                           httponly=True, samesite="strict")
    return {"ok": True}


@router.get("/me", response_model=Me, tags=["auth"])
def me(caller: Caller, c: Ctx) -> dict:
    require_user(caller)
    c.health.touch(caller)
    return _me(c, caller)


@router.put("/me/duty", response_model=Me, tags=["auth"])
def set_duty(body: DutyIn, caller: Caller, c: Ctx) -> dict:
    """Go on or off duty (login puts a helper on duty; the last logout takes them off)."""
    c.health.set_duty(caller, body.on_duty)
    return _me(c, caller)


@router.get("/sites", response_model=list[SiteView])
def list_sites(caller: Caller, c: Ctx) -> list[dict]:
    require_user(caller)
    with c.db.read() as conn:
        rows = conn.execute(select(sites).where(sites.c.code.in_(sorted(caller.visible))).order_by(sites.c.code))
        return [dict(r) for r in rows.mappings()]


@router.get("/requests", response_model=RequestList)
async def list_requests(caller: Caller, c: Ctx, state: States = None, site_code: str | None = None,
                  escalated: bool | None = None, mine: bool = False, closed_since: UtcTime | None = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict:
    """Requests of my sites in queue order (priority, then oldest). Default: the open ones. ``closed_since``
    (with a time zone): only those closed since then — 今日已办 asks for today's, not the oldest 200 ever."""
    require_user(caller)
    states = [str(x) for x in state] if state else ["waiting", "claimed", "arrived"]
    return await c.run(c.queue.list, caller, states=states, site_code=site_code, escalated=escalated,
                        mine=caller.user_id if mine else None, closed_since=closed_since, limit=limit)


@router.post("/requests/claim-next", response_model=StaffRequestView,
             responses={404: {"description": "nobody is waiting"}})
async def claim_next(caller: Caller, c: Ctx, body: ClaimNextIn | None = None) -> JSONResponse:
    """Claims the first waiting request (priority, then oldest) of one of my sites."""
    return JSONResponse(await c.run(c.queue.claim_next, caller, body.site_code if body else None))


def _action(name: str, doc: str):
    async def endpoint(request_id: RequestId, caller: Caller, c: Ctx) -> JSONResponse:
        return JSONResponse(await c.run(c.queue.act, caller, request_id, name))  # the view is JSON-ready

    endpoint.__doc__ = doc
    return endpoint


router.post("/requests/{request_id}/claim", response_model=StaffRequestView, name="claim",
            responses={409: {"description": "已被 X 认领 / wrong state"}})(
    _action("claim", "Claims a waiting request; exactly one of racing helpers wins, the rest get 409."))
router.post("/requests/{request_id}/arrive", response_model=StaffRequestView, name="arrive")(
    _action("arrive", "The helper holding the request is at the kiosk with the resident."))


@router.post("/requests/{request_id}/resolve", response_model=StaffRequestView)
async def resolve(request_id: RequestId, body: ResolveIn, caller: Caller, c: Ctx) -> dict:
    """Closes an arrived request: led to the window, or answered."""
    return await c.run(c.queue.act, caller, request_id, "resolve", outcome=body.outcome)


@router.post("/requests/{request_id}/release", response_model=StaffRequestView)
async def release(request_id: RequestId, caller: Caller, c: Ctx, body: ReleaseIn | None = None) -> dict:
    """Gives a claimed request back to the queue (its holder, or a manager)."""
    return await c.run(c.queue.act, caller, request_id, "release", note=body.note if body else None)


@router.post("/requests/{request_id}/convert", status_code=410, deprecated=True,
             responses={410: {"description": "retired: register the case with `POST /api/v1/cases` and "
                                             "`request_id`, which converts the request and creates the case"}})
async def convert(request_id: RequestId, caller: Caller) -> None:
    """Retired: it made a case id with no case behind it. Always 410 ``convert_moved`` naming
    ``POST /api/v1/cases`` (with ``request_id``), which converts the request *and* registers the case."""
    require_user(caller)
    raise Gone("convert_moved", use="POST /api/v1/cases", request_id=request_id)


@router.get("/requests/{request_id}/identity", response_model=Identity)
def identity(request_id: RequestId, caller: Caller, c: Ctx) -> dict:
    """The resident's full name and ID number: only for the helper holding the request; audited."""
    return c.queue.identity(caller, request_id)


@router.get("/requests/{request_id}/events")
def request_events(request_id: RequestId, caller: Caller, c: Ctx, after: HistoryAfter = 0,
                   limit: HistoryLimit = 500) -> list[dict]:
    """The request's history, oldest first, at most ``limit`` entries after ``after``: every change with actor
    and time (audit trail); ``request.note`` entries carry the kiosk's ``note`` (id, text with ID numbers
    masked, created_at, actor)."""
    c.queue.get(caller, request_id)  # visibility check
    with c.db.read() as conn:
        rows = conn.execute(select(events_table.c.id, events_table.c.type, events_table.c.actor,
                                   events_table.c.at, events_table.c.data)
                            .where(events_table.c.request_id == request_id, events_table.c.id > after)
                            .order_by(events_table.c.id).limit(limit)).mappings()
        out = []
        for r in rows:  # the data holds the request's view: only a note's own fields go out
            item = {k: r[k] for k in ("id", "type", "actor", "at")}
            if r["type"] == "request.note":
                item["note"] = r["data"]["note"]
            out.append(item)
        return out


@router.get("/kiosks", response_model=list[KioskHealth], tags=["manager"])
def kiosks(caller: Caller, c: Ctx, site_code: str | None = None) -> list[dict]:
    """Kiosks of my sites with last seen, device health and problems (problems first)."""
    return c.health.kiosks(caller, site_code)


@router.get("/kiosks/{kiosk_id}/heartbeats", tags=["manager"])
def kiosk_heartbeats(kiosk_id: RequestId, caller: Caller, c: Ctx,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict]:
    return c.health.history(caller, kiosk_id, limit)


@router.get("/staff", response_model=list[HelperOnDuty], tags=["manager"])
def staff(caller: Caller, c: Ctx) -> list[dict]:
    """Helpers and managers of my sites, on duty first, with the requests they hold."""
    return c.health.staff(caller)


TooManyStreams = _kind("TooManyStreams", 429, "This session or user has as many event streams open as allowed.")


class _HeldStream(EventStream):
    """An event stream that gives its place (:meth:`StreamKeeper.reserve`) back when it ends."""

    release: Callable[[], None] = staticmethod(lambda: None)

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.release()
BEAT_S = 5.0  # the console's watchdog calls a link dead after ~3 missed beats: "未连接" well within 20 s


def _event_id(value: str | None) -> int | None:
    """A ``Last-Event-ID`` as an event id; anything but 1–18 ASCII digits is ignored (a fresh start)."""
    return int(value) if value and len(value) <= 18 and value.isascii() and value.isdigit() else None


@router.get("/events/stream", include_in_schema=False)
async def stream(request: Request, c: Ctx, last_event_id: Annotated[str | None, Header()] = None,
                 after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None, beat: bool = False):
    """Server-sent events for my sites (kiosk/queue/stream.py). Resumes after ``Last-Event-ID`` (header) or
    ``?after=``. The session is checked again every ``stream_recheck_s``: a stream ends once its session was
    logged out, reset, disabled or expired. With ``beat=1`` the keep-alive is an ``event: ping`` the page can
    see (after at most :data:`BEAT_S` of silence), carrying the server's time and the session's end: the
    console's watchdog."""
    creds = await _bearer(request)
    token = creds.credentials if creds else request.cookies.get(COOKIE)
    caller = await c.run(c.auth.principal, token)
    require_user(caller)
    token_hash = hash_token(token)
    if not c.streams.reserve(token_hash, caller.user_id):
        log.warning("event streams: user %s is at the cap of open streams", caller.user_id)
        raise TooManyStreams("too_many_streams", retry_after=max(1, round(c.settings.stream_recheck_s)))
    start = after if after is not None else _event_id(last_event_id)

    async def backlog(since: int, limit: int) -> tuple[list[dict], int | None]:
        return await c.run(c.queue.catch_up, caller, since, limit)

    every = min(c.settings.sse_ping_s, BEAT_S) if beat else c.settings.sse_ping_s

    def ping() -> bytes:
        data = {"now": c.settings.clock().isoformat(), "every": every,
                "expires_at": caller.expires_at.isoformat() if caller.expires_at else None}
        return b"event: ping\r\ndata: " + json.dumps(data).encode() + b"\r\n\r\n"

    try:
        held = _HeldStream(c.bus, c.bus.subscribe(caller.visible), start=start, backlog=backlog, keeper=c.streams,
                           token_hash=token_hash, ping_s=every, ping_frame=ping if beat else None)
    except BaseException:
        c.streams.release(token_hash, caller.user_id)
        raise
    held.release = lambda: c.streams.release(token_hash, caller.user_id)
    return held
