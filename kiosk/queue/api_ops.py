"""``GET /healthz`` (load balancers: liveness, database, overload) and ``GET /metrics`` (Prometheus).

Contract
- ``/healthz`` answers 200 ``{"ok": true, "status", "overloaded", "loop_lag_ms", "cpu", "calls_waiting",
  "pid"}`` when the database answers (500 otherwise). ``overloaded`` is true while this process's event loop lags 100 ms or
  more (``cpu``: its CPU share of one core; a lag with a low share means other programs have the cores);
  ``status`` is ``degraded`` then, while 64 or more service calls wait for a thread (``calls_waiting``,
  PostgreSQL), and for a minute after pushes to consoles were shed, else ``ok``
  (:mod:`kiosk.queue.metrics`). It stays 200, so a balancer does not take every busy process out at
  once; it may prefer the others.
- ``/metrics`` is for the operator only: the same bearer token as ``/api/v1/ops/live`` (``kqo_`` + an HMAC
  of the first identity key, derived by ``kiosk queue metrics-token``); anyone else gets 404. Any process
  answers for all the processes sharing its state directory, each sample labelled ``process``
  (:mod:`kiosk.queue.metrics_share`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from sqlalchemy import text

from kiosk.queue.deps import Ctx
from kiosk.queue.metrics_share import merged
from kiosk.queue.metrics_share import text as prometheus_text
from kiosk.queue.ops.live import is_operator

router = APIRouter()


class Health(BaseModel):
    ok: bool = True
    status: str = "ok"  # "degraded": overloaded now, or pushes to consoles shed within the last minute
    overloaded: bool = False
    loop_lag_ms: float = 0.0
    cpu: float = 0.0
    calls_waiting: int = 0  # service calls waiting for a thread (PostgreSQL): requests queueing
    pid: int = 0


_CHECKER = ThreadPoolExecutor(1, thread_name_prefix="queue-healthz")  # never queued behind busy service calls


def _ping(db) -> None:
    with db.read() as conn:
        conn.execute(text("SELECT 1"))


@router.get("/healthz", response_model=Health, tags=["ops"])
async def healthz(c: Ctx) -> dict:
    """Liveness, database reachability and overload of this server process (for load balancers)."""
    await asyncio.get_running_loop().run_in_executor(_CHECKER, _ping, c.db)
    return c.metrics.health()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, c: Ctx):
    if not is_operator(request, c):
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    # async: this process's figures taken on the event loop, where the bus they read is changed
    own, share = c.metrics.families(c), c.metrics.share
    families = merged(own, share.pid, share.others()) if share is not None else own
    return PlainTextResponse(prometheus_text(families), media_type="text/plain; version=0.0.4; charset=utf-8",
                             headers={"Cache-Control": "no-store"})
