"""The two busiest endpoints served straight from ASGI, before FastAPI's routing and dependency injection.

Contract
- ``POST /api/v1/requests`` (a kiosk creates a request) and ``POST /api/v1/requests/{id}/claim`` (a helper
  claims one) answer exactly as their FastAPI routes do (those stay declared, for the OpenAPI document
  and as the fallback): same authentication (bearer token, then the ``kq_session`` cookie), the same
  body model (:class:`~kiosk.queue.schemas.RequestIn`, validated by pydantic), the same error bodies.
- Whatever the fast path does not answer itself (a body that fails validation, a body that is not JSON
  or is large, any other path) goes to FastAPI with the body replayed, so 422 answers keep FastAPI's
  format. Only successes and :class:`~kiosk.queue.errors.QueueError` answers are produced here.
- On SQLite the writes go through :class:`~kiosk.queue.group.GroupCommit` (one COMMIT per batch). On
  PostgreSQL each is one message sent from the event loop itself (:mod:`kiosk.queue.pg_write` over
  :class:`~kiosk.queue.pg_pool.AsyncPool`: no thread hand-off, no SQLAlchemy; the connection goes back
  at the commit, and the answer waits for the process's group flush, shared by the writes that committed
  together); what that path cannot
  take (a site this process has not read yet, an event with a NUL character, a claim the function hands
  back) runs as the service call in a thread, as before.
- JSON is written with orjson. This halves the server's CPU per call on these paths (see bench/).
"""

from __future__ import annotations

import re

import orjson
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.requests import cookie_parser

from kiosk.queue.errors import QueueError
from kiosk.queue.schemas import RequestIn
from kiosk.queue.throttle import retry_after_header

COOKIE = "kq_session"
RAW_SEND = "kq.raw_send"
_CLAIM = re.compile(r"/api/v1/requests/([^/]{1,64})/claim")
_MAX_FAST_BODY = 64 * 1024


def _headers(scope) -> dict[bytes, bytes]:
    return {k: v for k, v in scope["headers"] if k in (b"authorization", b"cookie", b"accept-language",
                                                         b"content-type")}


def _token(headers: dict[bytes, bytes]) -> str | None:
    """As ``HTTPBearer(auto_error=False)`` then the cookie: a bearer credential, else the session cookie."""
    scheme, _, credentials = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return credentials
    cookie = headers.get(b"cookie")
    return cookie_parser(cookie.decode("latin-1")).get(COOKIE) if cookie else None


async def _answer(send, status: int, body: dict, extra_headers: tuple = ()) -> None:
    data = orjson.dumps(body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(data)).encode()), (b"content-type", b"application/json"),
                            *extra_headers]})
    await send({"type": "http.response.body", "body": data})


async def _error(send, headers: dict[bytes, bytes], exc: QueueError) -> None:
    language = "en" if headers.get(b"accept-language", b"").lower().startswith(b"en") else "zh_CN"
    extra = ((b"www-authenticate", b"Bearer"),) if exc.status == 401 else tuple(
        (k.lower().encode(), v.encode()) for k, v in retry_after_header(exc).items())
    await _answer(send, exc.status, {"detail": exc.message(language), "code": exc.code, **exc.extra}, extra)


async def _write(c, fn, *args):
    """SQLite: through the group commit (one COMMIT for the writes that arrived together)."""
    if c.queue.group is not None:
        return await c.queue.group.run(fn, *args)
    return await c.run(fn, *args)


async def _create_pg(c, kiosk, body) -> dict:
    view = await c.queue.pg.create_async(kiosk, body)  # (kiosk.queue.service_pg)
    return view if view is not None else await c.run(c.queue.create, kiosk, body)


async def _claim_pg(c, user, request_id: str) -> dict:
    view = await c.queue.pg.claim_async(user, request_id)
    return view if view is not None else await c.run(c.queue.act, user, request_id, "claim")


class QueueApp(FastAPI):
    """FastAPI with the hot paths above answered before the middleware and routing stack."""

    async def __call__(self, scope, receive, send) -> None:
        guard = getattr(self.state, "guard", None)
        if scope["type"] == "http" and guard is not None:  # kiosk.queue.guard: limits, proxies, CSRF
            scope[RAW_SEND] = send  # the server's own send, for event streams' body writes (kiosk.queue.stream)
            await self.state.ctx.metrics.wrap(self._guarded, scope, receive, send)  # kiosk.queue.metrics
        else:
            await self._route(scope, receive, send)

    async def _guarded(self, scope, receive, send) -> None:
        await self.state.guard(scope, receive, send, self._route)  # (also the 503 when the database is down)

    async def _route(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            path = scope["path"]
            if path == "/api/v1/requests":
                if await self._create(scope, receive, send):
                    return
            elif path.endswith("/claim") and (match := _CLAIM.fullmatch(path)):
                await self._claim(scope, receive, send, match.group(1))
                return
        await super().__call__(scope, receive, send)

    async def _create(self, scope, receive, send) -> bool:
        """True when answered; False after handing the request (body replayed) to FastAPI."""
        headers = _headers(scope)
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return True
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        c = self.state.ctx
        json_body = headers.get(b"content-type", b"").split(b";")[0].strip().lower() == b"application/json"
        try:
            caller = scope.get("kq.principal") or await c.auth.principal_async(_token(headers), c.run)
            parsed = RequestIn.model_validate_json(body) if json_body and len(body) <= _MAX_FAST_BODY else None
        except QueueError as exc:
            await _error(send, headers, exc)
            return True
        except ValidationError:
            parsed = None
        if parsed is None:
            await self._fallback(scope, receive, send, body)
            return True
        try:
            if c.queue.pg is not None:
                view = await _create_pg(c, caller, parsed)
            else:
                view = await _write(c, c.queue.create, caller, parsed)
        except QueueError as exc:
            await _error(send, headers, exc)
            return True
        await _answer(send, 201 if view["created"] else 200, view)
        return True

    async def _claim(self, scope, receive, send, request_id: str) -> None:
        headers = _headers(scope)
        more = True
        while more:  # the body (if any) is ignored, as by the route
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            more = message.get("more_body", False)
        c = self.state.ctx
        try:
            caller = scope.get("kq.principal") or await c.auth.principal_async(_token(headers), c.run)
            if c.queue.pg is not None:
                view = await _claim_pg(c, caller, request_id)
            else:
                view = await _write(c, c.queue.act, caller, request_id, "claim")
        except QueueError as exc:
            await _error(send, headers, exc)
            return
        await _answer(send, 200, view)

    async def _fallback(self, scope, receive, send, body: bytes) -> None:
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await super().__call__(scope, replay, send)
