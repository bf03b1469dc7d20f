"""FastAPI dependencies shared by every router: the server context and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kiosk.queue.auth import Principal
from kiosk.queue.context import Context
from kiosk.queue.inputs import MAX_ID

COOKIE = "kq_session"
RequestId = Annotated[str, PathParam(min_length=1, max_length=64)]
# a history (a request's or a case's), a page at a time: a flood of moves cannot make one read unbounded
HistoryAfter = Annotated[int, Query(ge=0, le=MAX_ID, description="the last id already read: the next page")]
HistoryLimit = Annotated[int, Query(ge=1, le=1000, description="at most this many entries, oldest first")]

_bearer = HTTPBearer(auto_error=False, description="kiosk token (kqk_…) or session token (kqs_…)")


async def ctx(request: Request) -> Context:
    return request.app.state.ctx


async def principal(request: Request,
                    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The authenticated caller (bearer token first, then the session cookie); state-changing calls were
    already checked by :mod:`kiosk.queue.guard` before their body was read."""
    checked = request.scope.get("kq.principal")
    if checked is not None:
        return checked
    token = creds.credentials if creds else request.cookies.get(COOKIE)
    c: Context = request.app.state.ctx
    return await c.run(c.auth.principal, token)


Caller = Annotated[Principal, Depends(principal)]
Ctx = Annotated[Context, Depends(ctx)]
