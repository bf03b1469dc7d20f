"""``GET /api/v1/ops/live``: what only the running process knows, for ``kiosk queue status``: how many
consoles hold a live event stream on it and on the other processes sharing its state directory (each
one's too: ``processes``), its pid, start time and version.

Only the operator may ask: the bearer token is an HMAC of the server's identity key (its first line) with
a fixed label, so the command on the server machine derives it from the same ``queue.key`` (or
``$KIOSK_QUEUE_KEYS``) and no new secret has to be handed out. The token reveals nothing of the key. A
wrong or missing token gets 404, as if the endpoint did not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kiosk import __version__
from kiosk.queue.deps import Ctx
from kiosk.queue.metrics_share import live_counts

PATH = "/api/v1/ops/live"
_LABEL = b"kiosk-queue ops live v1"
_STARTED = time.time()
router = APIRouter()


def ops_token(key_material: bytes) -> str:
    """The operator's token for a server whose identity keys are ``key_material``."""
    first = next((line.strip() for line in key_material.splitlines() if line.strip()), b"")
    if not first:
        raise ValueError("no identity key to derive the operator token from")
    return "kqo_" + hmac.new(first, _LABEL, hashlib.sha256).hexdigest()


def is_operator(request: Request, c) -> bool:
    """Whether the request carries the operator's bearer token (derived once a process, then kept on the
    app); ``/metrics`` asks the same."""
    token = getattr(request.app.state, "ops_token", None)
    if token is None:
        from kiosk.queue.ops.inspect import key_material

        try:
            token = ops_token(key_material(c.settings.state_dir)[0])
        except (OSError, ValueError):
            token = ""
        request.app.state.ops_token = token
    given = request.headers.get("authorization", "")[7:].strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


@router.get(PATH, include_in_schema=False)
def live(request: Request, c: Ctx) -> JSONResponse:
    if not is_operator(request, c):
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    share = c.metrics.share  # consoles of every process sharing the state directory (metrics_share)
    counts = live_counts({"consoles": c.bus.subscribers}, os.getpid(), share.others() if share else [])
    return JSONResponse({"pid": os.getpid(), "started_at": _STARTED, "version": __version__, **counts,
                         "database": "sqlite" if c.db.is_sqlite else "postgresql"},
                        headers={"Cache-Control": "no-store"})
