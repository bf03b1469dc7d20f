"""Endpoints for 代办 cases that pause and move: suspend / resume, transfer / accept / decline.

Contract (``kiosk/queue/API.md``, section 代办台账): staff sessions only; each answers the new case view
(``CaseView``) or the error of :mod:`kiosk.queue.case_moves` — 409 ``case_state`` with the current state,
409 ``case_transfer_pending`` / ``case_no_transfer``, 403 ``case_not_yours`` / ``case_not_receiver``, 404
``case_agent`` (no such agent at the case's site), 422 ``case_no_parent``. Included by ``kiosk.queue.api``.
"""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.queue.api_cases import CaseId, case_service
from kiosk.queue.case_schemas import CaseView, ReasonIn, ResumeIn, SuspendIn, TransferIn
from kiosk.queue.deps import Caller, Ctx

router = APIRouter(prefix="/api/v1", tags=["cases"])


@router.post("/cases/{case_id}/suspend", response_model=CaseView)
async def suspend_case(case_id: CaseId, body: SuspendIn, caller: Caller, c: Ctx) -> dict:
    """Waiting for the applicant (e.g. to bring a missing document): the working-day clock stops; reason
    required. Registered or in progress only."""
    return await c.run(case_service(c).moves.suspend, caller, case_id, body.reason)


@router.post("/cases/{case_id}/resume", response_model=CaseView)
async def resume_case(case_id: CaseId, caller: Caller, c: Ctx, body: ResumeIn | None = None) -> dict:
    """Back to the state it was suspended from; the promised date moves on by the working days it stood."""
    return await c.run(case_service(c).moves.resume, caller, case_id, body.note if body else None)


@router.post("/cases/{case_id}/transfer", response_model=CaseView)
async def transfer_case(case_id: CaseId, body: TransferIn, caller: Caller, c: Ctx) -> dict:
    """Offers the case to another agent of its site, or to the parent site's 代办 window; it changes hands
    only when accepted."""
    return await c.run(case_service(c).moves.transfer, caller, case_id, agent_id=body.agent_id,
                       to_parent=body.to_parent, reason=body.reason)


@router.get("/cases/{case_id}/transfer-targets")
async def transfer_targets(case_id: CaseId, caller: Caller, c: Ctx) -> dict:
    """``{"agents": [{id, display_name}], "parent": {code, name} | null}``: whom the case's agent (or a
    manager) may offer it to."""
    return await c.run(case_service(c).moves.targets, caller, case_id)


@router.post("/cases/{case_id}/accept", response_model=CaseView)
async def accept_case(case_id: CaseId, caller: Caller, c: Ctx) -> dict:
    """The receiver takes the case over (and, from the parent site, the case moves there)."""
    return await c.run(case_service(c).moves.accept, caller, case_id)


@router.post("/cases/{case_id}/decline", response_model=CaseView)
async def decline_case(case_id: CaseId, body: ReasonIn, caller: Caller, c: Ctx) -> dict:
    """The receiver refuses the offer, or the offering agent / a manager withdraws it (reason required)."""
    return await c.run(case_service(c).moves.decline, caller, case_id, body.reason)
