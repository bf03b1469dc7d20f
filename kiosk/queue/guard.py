"""The ASGI layer in front of every HTTP request (the hot paths of :mod:`kiosk.queue.hotpath` included).

Contract, in the order applied
1. The caller's address and scheme are settled (:mod:`kiosk.queue.proxy`: ``X-Forwarded-*`` only from
   trusted proxies). A path or query holding a control character (``%00``, ``%1b``, a bidi override: what
   :func:`kiosk.queue.inputs.no_surrogates` refuses in bodies) is refused, 422 ``url_characters``:
   PostgreSQL cannot compare a text holding a NUL, which made ``/api/v1/cases/%00x`` a 500.
2. A state-changing call (POST, PUT, PATCH, DELETE) under ``/api/v1/`` other than the login must come
   with credentials, and they are checked *before its body is read*: a stranger's 200 MB body costs the
   server nothing (401 and the connection closed). The caller's principal is handed on in the scope
   (``kq.principal``), so routes do not look it up again. Cookie-authenticated calls must also come from
   the console's own origin (:mod:`kiosk.queue.csrf`, 403 ``csrf``).
   A call carrying ``X-KQ-Not-After: <ms since 1970, by the server's clock>`` that arrives later than that
   is refused (409 ``stale_tap``): the console stamps every tap with the server's time + its timeout, so a
   tap a dead Wi-Fi link held back and delivered long after the helper was told it failed never happens.
   A kiosk may make at most ``ServerSettings.kiosk_writes_per_minute`` such calls a minute (240 by
   default: a real kiosk makes a few, an outbox draining after an outage a few dozen); beyond, 429
   ``kiosk_throttled`` with ``Retry-After``, which the kiosk's outbox honours. A stolen kiosk token can
   therefore not flood the helpers' queue or the database at the server's full speed. A staff member's writes
   (all her sessions together) are bounded the same way, ``staff_writes_per_minute`` (1,200: twenty a second,
   far above a helper's taps), 429 ``staff_throttled``: a stolen session cannot flood the ledger either.
   The reads that write an audit entry (:data:`AUDITED_READS`: a resident's identity, a 代办 applicant,
   the ledger export) count against the same budget: as plain GETs they wrote entries at full speed.
   Every read (GET, HEAD) under ``/api/v1/`` by a staff session spends that session's read budget
   (:mod:`kiosk.queue.reads`: units a minute, ``staff_reads_per_minute``; a read's unit cost before it
   runs, its service calls' work after each, its answer's bytes as they are sent): beyond, 429 ``reads_throttled`` with ``Retry-After``. A
   loop of 1,000-row pages or of event streams reopened from the start cannot keep the server busy.
   A cookie-authenticated *read* (GET) under ``/api/v1/`` that the browser says comes from another origin
   (``Sec-Fetch-Site: same-site / cross-site``, else a foreign ``Origin`` or ``Referer``) is refused too
   (403 ``csrf``): reads such as the ledger export or a resident's identity write an audit entry, and a
   page on another port of the same host could otherwise make the manager's browser write them at will.
3. A ``Content-Length`` above :func:`kiosk.queue.limits.body_limit` is refused (413) before reading; a
   body without a length is cut off as it passes the limit.
4. Every answer carries ``X-Content-Type-Options: nosniff`` and, unless the route set its own, a
   Content-Security-Policy that allows nothing to run (the console's pages set theirs); over HTTPS also
   ``Strict-Transport-Security``.
5. The database out of reach (:mod:`kiosk.queue.db_down`) while looking the caller up or anywhere in the
   app outside FastAPI's own handlers (the hot paths of :mod:`kiosk.queue.hotpath`) is answered 503
   ``database_unavailable`` with ``Retry-After``, never a dropped connection, unless the answer had begun.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from kiosk.queue.budget import AddressBudget
from kiosk.queue.crypto import SESSION_TOKEN_PREFIX, hash_token
from kiosk.queue.csrf import same_origin
from kiosk.queue.db_down import database_down, unavailable
from kiosk.queue.errors import QueueError
from kiosk.queue.inputs import has_controls
from kiosk.queue.limits import BodyTooLarge, body_limit, limited_receive, too_large_body
from kiosk.queue.reads import PAYER, bytes_cost, read_cost

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PRINCIPAL = "kq.principal"
READ_KEY = "kq.read_key"  # the session whose read budget pays for this answer (kiosk/queue/reads.py)
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
AUDITED_READS = re.compile(r"/api/v1/(requests/[^/]+/identity|cases/[^/]+/applicant|cases/export\.xlsx)")


def _headers(scope) -> dict[bytes, bytes]:
    return {k: v for k, v in scope["headers"]}


def _language(headers: dict[bytes, bytes]) -> str:
    return "en" if headers.get(b"accept-language", b"").lower().startswith(b"en") else "zh_CN"


async def _send_json(send, status: int, body: dict, extra: tuple = (), close: bool = True) -> None:
    import orjson

    data = orjson.dumps(body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *([(b"connection", b"close")] if close else ()), (b"x-content-type-options", b"nosniff"),
                            (b"content-security-policy", API_CSP), *extra]})
    await send({"type": "http.response.body", "body": data})


def _csrf(headers: dict[bytes, bytes]) -> dict:
    from kiosk.i18n import tr

    return {"detail": tr("queue.errors.csrf", _language(headers)), "code": "csrf"}


def _throttled(headers: dict[bytes, bytes], wait: float, kind: str) -> dict:
    from kiosk.i18n import tr

    seconds, code = int(wait), {"kiosk": "kiosk_throttled", "reads": "reads_throttled"}.get(kind, "staff_throttled")
    return {"detail": tr(f"queue.errors.{code}", _language(headers), retry_after=seconds), "code": code,
            "retry_after": seconds}


def _odd_url(scope) -> bool:
    """True when the (decoded) path or query holds a character no field may hold (NUL, ESC, U+202E …)."""
    query = scope.get("query_string", b"")
    return has_controls(scope["path"]) or (
        b"%" in query and has_controls(unquote_to_bytes(query).decode("utf-8", "replace")))


def _url_characters(headers: dict[bytes, bytes]) -> dict:
    from kiosk.i18n import tr

    return {"detail": tr("queue.errors.url_characters", _language(headers)), "code": "url_characters"}


def _stale(headers: dict[bytes, bytes], clock) -> dict | None:
    """The 409 body when the call's ``X-KQ-Not-After`` (server-clock milliseconds) has passed, else None."""
    value = headers.get(b"x-kq-not-after", b"")
    if not value or not value.isdigit() or len(value) > 15:
        return None
    if clock().timestamp() * 1000 <= int(value):
        return None
    from kiosk.i18n import tr

    return {"detail": tr("queue.errors.stale_tap", _language(headers)), "code": "stale_tap"}


def bearer_or_cookie(headers: dict[bytes, bytes]) -> tuple[str | None, bool]:
    """(token, from_cookie): a bearer credential first, else the ``kq_session`` cookie."""
    from starlette.requests import cookie_parser

    scheme, _, credentials = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip(), False
    cookie = headers.get(b"cookie")
    token = cookie_parser(cookie.decode("latin-1")).get("kq_session") if cookie else None
    return token or None, bool(token)


class Guard:
    """Applies the contract above, then calls ``app``. ``context`` is the server's Context."""

    def __init__(self, context, proxies=None):
        self.context, self.proxies = context, proxies
        per_minute = getattr(context.settings, "kiosk_writes_per_minute", 240)
        self.kiosk_writes = AddressBudget(limit=per_minute, window_s=60.0, max_addresses=100_000)
        staff = getattr(context.settings, "staff_writes_per_minute", 1200)
        self.staff_writes = AddressBudget(limit=staff, window_s=60.0, max_addresses=100_000)

    async def __call__(self, scope, receive, send, app) -> None:
        headers = _headers(scope)
        if self.proxies is not None:
            self.proxies.apply(scope, headers)
        started, sent, charged = False, 0, 0

        async def send_wrapped(message):
            nonlocal started, sent, charged
            if message["type"] == "http.response.body" and READ_KEY in scope:  # a session's read
                sent += len(message.get("body", b""))
                if (units := bytes_cost(sent)) > charged:
                    self.context.reads.charge(scope[READ_KEY], units - charged)
                    charged = units
            elif message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"x-content-type-options", b"nosniff")] if b"x-content-type-options" not in names else []
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", API_CSP))
                if scope.get("scheme") == "https":
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            refused = await self._refusal(scope, headers)
            if refused is not None:
                await _send_json(send, *refused)
                return
            limit = body_limit(scope["path"])
            key = scope.get(READ_KEY)  # a session's read: its service calls' work is charged too
            holder = [lambda units: self.context.reads.charge(key, units)] if key is not None else None
            token = PAYER.set(holder)
            try:
                await app(scope, limited_receive(receive, limit), send_wrapped)
            except BodyTooLarge:
                if started:
                    raise
                await _send_json(send, 413, too_large_body(limit, _language(headers)))
            finally:
                if holder:
                    holder.clear()
                PAYER.reset(token)
        except Exception as exc:  # the database out of reach: the caller's lookup, or anywhere in the app
            if started or not database_down(exc):  # (begun: the answer can only be cut short)
                raise
            error = unavailable(exc)
            body = {"detail": error.message(_language(headers)), "code": error.code, **error.extra}
            await _send_json(send, 503, body, ((b"retry-after", b"%d" % error.extra["retry_after"]),), close=False)

    def _over_budget(self, p, headers: dict[bytes, bytes]) -> tuple | None:
        """The 429 when caller ``p`` has used up its writes of the minute (this call counted), else None."""
        budget, key = (self.kiosk_writes, p.kiosk_id) if p.kind == "kiosk" else (self.staff_writes, p.user_id)
        if (wait := budget.take(key)) is not None:
            return 429, _throttled(headers, wait, p.kind), ((b"retry-after", b"%d" % wait),)
        return None

    async def _read_refusal(self, scope, headers: dict[bytes, bytes]) -> tuple | None:
        """A read under ``/api/v1/``: the session's read budget (:mod:`kiosk.queue.reads`), and for an
        audited read the write budget too. The caller found is handed on (``kq.principal``); a bad token
        is left to the route (401 as any read)."""
        path, c = scope["path"], self.context
        token = bearer_or_cookie(headers)[0]
        if token is None or not (token.startswith(SESSION_TOKEN_PREFIX) or AUDITED_READS.fullmatch(path)):
            return None  # kiosks' reads (their token) and the route's own 401
        try:
            p = await c.auth.principal_async(token, c.run)
        except QueueError:
            return None
        scope[PRINCIPAL] = p
        if p.kind == "user":
            key = hash_token(token)
            if (wait := c.reads.take(key, read_cost(path))) is not None:
                return 429, _throttled(headers, wait, "reads"), ((b"retry-after", b"%d" % wait),)
            scope[READ_KEY] = key  # its answer's bytes are charged as they are sent
        if AUDITED_READS.fullmatch(path):
            return self._over_budget(p, headers)
        return None

    async def _refusal(self, scope, headers: dict[bytes, bytes]) -> tuple | None:
        """``(status, body, extra headers)`` when the call is refused before it reaches the app, else None;
        sets the caller's principal in the scope for a write under ``/api/v1/`` and a staff session's read."""
        path, method = scope["path"], scope["method"]
        if _odd_url(scope):
            return 422, _url_characters(headers)
        if method not in UNSAFE and path.startswith("/api/v1/") and b"cookie" in headers:
            token, from_cookie = bearer_or_cookie(headers)
            if from_cookie and not same_origin(scope, headers, required=False):  # an <img> on another port
                return 403, _csrf(headers)
        if method in UNSAFE and path == "/api/v1/auth/login" and not same_origin(scope, headers, required=False):
            return 403, _csrf(headers)
        if method in UNSAFE and path.startswith("/api/v1/") and path != "/api/v1/auth/login":
            token, from_cookie = bearer_or_cookie(headers)
            if from_cookie and not same_origin(scope, headers):
                return 403, _csrf(headers)
            c = self.context
            stale = _stale(headers, c.settings.clock)
            if stale:
                return 409, stale
            try:
                scope[PRINCIPAL] = await c.auth.principal_async(token, c.run)  # (cached: no thread)
            except QueueError as exc:
                extra = ((b"www-authenticate", b"Bearer"),) if exc.status == 401 else ()
                return exc.status, {"detail": exc.message(_language(headers)), "code": exc.code, **exc.extra}, extra
            if (refused := self._over_budget(scope[PRINCIPAL], headers)) is not None:
                return refused
        elif method in ("GET", "HEAD") and path.startswith("/api/v1/") and \
                (refused := await self._read_refusal(scope, headers)) is not None:
            return refused
        limit = body_limit(path)
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return 413, too_large_body(limit, _language(headers))
        return None
