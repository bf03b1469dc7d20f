"""交接班 and 改派: giving a help request to a colleague (see :mod:`kiosk.queue.assign`)."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.queue import assign
from kiosk.queue.deps import Caller, Ctx, RequestId
from kiosk.queue.schemas import StaffRequestView
from kiosk.queue.schemas_staff import Assignee, AssignIn

router = APIRouter(prefix="/api/v1", tags=["staff"])


@router.get("/requests/{request_id}/assignees", response_model=list[Assignee])
async def assignees(request_id: RequestId, caller: Caller, c: Ctx) -> list[dict]:
    """Who may take the request: staff of its site other than the holder, on duty first."""
    return await c.run(assign.assignees, c.queue, caller, request_id)


@router.post("/requests/{request_id}/assign", response_model=StaffRequestView,
             responses={404: {"description": "no such colleague at the site"},
                        409: {"description": "the colleague is off duty, or the request changed"}})
async def assign_request(request_id: RequestId, body: AssignIn, caller: Caller, c: Ctx) -> dict:
    """Gives the request to ``helper_id``: the holder hands hers over (交接班), a manager dispatches or
    reassigns any open request of her sites (改派). Pushed as ``request.assigned``."""
    return await c.run(assign.assign, c.queue, caller, request_id, body.helper_id)
