"""Request size limits and validation answers that never echo the input.

Contract
- :func:`body_limit` is the most a request body to ``path`` may hold: :data:`LOGIN_BODY` for the login,
  :data:`DEFAULT_BODY` for everything else. A ``Content-Length`` above it is refused (413
  ``body_too_large``) before a byte of the body is read; a body without a length (chunked) is cut off
  by :func:`limited_receive` the moment it passes the limit (:class:`BodyTooLarge`).
- :func:`validation_error` answers 422 with FastAPI's list of problems (``loc``, ``msg``, ``type``) but
  never the ``input``: no long value and no personal data comes back or reaches a log. Locations and
  messages are cut short and pass through :func:`kiosk.privacy.redact_text`.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from kiosk.i18n import tr
from kiosk.privacy import redact_text

LOGIN_BODY = 4 * 1024  # a user name and a password
DEFAULT_BODY = 64 * 1024  # the largest real body (a heartbeat of 32 devices, a 代办 form of 50 materials) is < 16 KiB
MAX_ERRORS = 20


def body_limit(path: str) -> int:
    return LOGIN_BODY if path == "/api/v1/auth/login" else DEFAULT_BODY


class BodyTooLarge(HTTPException):
    """The body passed :func:`body_limit`; answered 413 and the connection closed."""

    def __init__(self, limit: int):
        super().__init__(413, detail=limit, headers={"Connection": "close"})
        self.limit = limit


def too_large_body(limit: int, language: str) -> dict:
    return {"detail": tr("queue.errors.body_too_large", language, limit=limit // 1024), "code": "body_too_large",
            "limit": limit}


def limited_receive(receive, limit: int):
    """``receive`` that raises :class:`BodyTooLarge` once more than ``limit`` body bytes arrived."""
    seen = 0

    async def wrapped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return wrapped


def language(headers) -> str:
    value = headers.get("accept-language", "") if hasattr(headers, "get") else ""
    return "en" if value.lower().startswith("en") else "zh_CN"


async def body_too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
    return JSONResponse(too_large_body(exc.limit, language(request.headers)), status_code=413,
                        headers={"Connection": "close"})


def _short(value: object, limit: int = 120) -> str:
    text = str(value)
    return redact_text(text if len(text) <= limit else text[:limit] + "…")


def _loc(part: object) -> object:
    return part if isinstance(part, int) else _short(part, 64)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 ``{"detail": [{loc, msg, type, ctx?}], "code": "invalid"}`` without the input."""
    detail = []
    for error in exc.errors()[:MAX_ERRORS]:
        item = {"loc": [_loc(p) for p in error.get("loc", ())], "msg": _short(error.get("msg", ""), 300),
                "type": error.get("type", "")}
        ctx = {k: _short(v) for k, v in (error.get("ctx") or {}).items() if k != "error"}
        if ctx:
            item["ctx"] = ctx
        detail.append(item)
    return JSONResponse({"detail": detail, "code": "invalid"}, status_code=422)
