"""Endpoints for the paper of a 代办 case: 代办受理回执 and 材料归还单 as PNG, and printed at the window.

Contract (``kiosk/queue/API.md``): staff who see the case; ``kind`` is ``receipt`` or ``return`` (404
``case_slip`` otherwise; ``return`` 409 ``case_state`` before the case is returned or withdrawn). Printing
answers ``{"printer", "bytes"}``, or 409 ``no_window_printer``, or 503 ``printer_failed`` with the reason.
Each staff member may ask for at most :data:`PRINTS_PER_MINUTE` prints a minute (per server process); beyond,
429 ``print_throttled`` with ``Retry-After``: a script or a stolen session cannot empty the window printer's
paper or fill the ledger with ``case.slip_printed`` entries.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import Response

from kiosk.queue.api_cases import CaseId, case_service
from kiosk.queue.auth import require_user
from kiosk.queue.budget import AddressBudget
from kiosk.queue.deps import Caller, Ctx
from kiosk.queue.errors import _kind
from kiosk.queue.heavy import SLIPS

router = APIRouter(prefix="/api/v1", tags=["cases"])
PRINTS_PER_MINUTE = 12
PrintThrottled = _kind("PrintThrottled", 429, "Too many prints asked for; ``extra['retry_after']`` seconds to wait.")
_prints = AddressBudget(limit=PRINTS_PER_MINUTE, window_s=60.0, max_addresses=10_000)
Kind = Annotated[str, PathParam(pattern="^(receipt|return)$", description="receipt (受理回执) or return (材料归还单)")]


@router.get("/cases/{case_id}/slips/{kind}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "the slip as the printer prints it"}})
async def slip_png(case_id: CaseId, kind: Kind, caller: Caller, c: Ctx) -> Response:
    """The slip as a PNG preview (one pixel a printer dot), e.g. to show or reprint at another printer."""
    data = await SLIPS.run(case_service(c).paper.png, caller, case_id, kind)  # drawing: off the loop
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post("/cases/{case_id}/slips/{kind}/print")
async def slip_print(case_id: CaseId, kind: Kind, caller: Caller, c: Ctx) -> dict:
    """Prints the slip at the site's window printer (``kiosk queue set-printer``); on the ledger."""
    from starlette.concurrency import run_in_threadpool

    user = require_user(caller)
    if (wait := _prints.take(str(user.user_id))) is not None:
        raise PrintThrottled("print_throttled", retry_after=int(wait))
    return await run_in_threadpool(case_service(c).paper.print, caller, case_id, kind)  # printer I/O: off the loop
