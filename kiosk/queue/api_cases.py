"""Endpoints for 代办 cases (the handover ledger), overdue flags, supervision figures and the Excel export.

Contract (see ``kiosk/queue/API.md``, section 代办台账): staff sessions only; data limited to the caller's
visible sites; state changes by the case's agent or a manager of its site answer the new case view, or
409 ``{"code": "case_state", "state": …}``. The applicant's full identity (``/applicant``) and the ledger
export with full names are audited in ``case_events``. Included by ``kiosk.queue.api`` with one line.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response

from kiosk.queue.auth import require_user
from kiosk.queue.case_schemas import (
    Applicant,
    CaseIn,
    CaseList,
    CaseView,
    CompleteIn,
    ReasonIn,
    ReturnIn,
    StartIn,
)
from kiosk.queue.case_states import CaseState
from kiosk.queue.cases import LIST_LIMIT, CaseService, due_status, local_day
from kiosk.queue.context import Context
from kiosk.queue.deps import Caller, Ctx, HistoryAfter, HistoryLimit
from kiosk.queue.errors import Forbidden, Invalid
from kiosk.queue.heavy import LEDGER

router = APIRouter(prefix="/api/v1", tags=["cases"])
CaseId = Annotated[str, PathParam(min_length=1, max_length=40)]
States = Annotated[list[CaseState] | None, Query(max_length=10, description="repeat to combine: "
                                                 "state=registered&state=in_progress (a misspelt state is a 422, "
                                                 "not an empty list)")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def case_service(c: Context) -> CaseService:
    """The process's case service (built with the context; made here for contexts assembled by hand)."""
    if c.cases is None:
        c.cases = CaseService(c.db, c.queue.box, c.settings.clock, catalog_path=c.settings.extra.get("catalog"),
                              publisher=c.queue.publisher)
    return c.cases


def _range(c: Context, since: date | None, until: date | None, days: int = 30) -> tuple[date, date]:
    """``[since, until]`` with defaults (the last ``days`` days); dates outside 2000–2100 or reversed: 422."""
    for d in (since, until):
        if d is not None and not (date(2000, 1, 1) <= d <= date(2100, 12, 31)):
            raise Invalid("date_range", since=(since or d).isoformat(), until=(until or d).isoformat())
    until = until or local_day(c.settings.clock())
    since = since or until - timedelta(days=days - 1)
    if since > until:
        raise Invalid("date_range", since=since.isoformat(), until=until.isoformat())
    return since, until


@router.post("/cases", response_model=CaseView, status_code=201)
async def create_case(body: CaseIn, caller: Caller, c: Ctx) -> dict:
    """Registers a handover (授权委托书 signed, materials listed): directly, or by converting the arrived
    help request ``request_id`` that the caller holds. The caller becomes the case's agent."""
    view = await c.run(case_service(c).create, caller, body, c.queue)
    case_service(c).paper.autoprint(view["id"], "receipt")  # at the site's window printer, if it has one
    return view


@router.get("/cases", response_model=CaseList)
async def list_cases(caller: Caller, c: Ctx, state: States = None, site_code: str | None = None,
                     mine: bool = False,
                     due: Annotated[str | None, Query(pattern="^(on_track|due_soon|overdue|on_time|late|closed)$")]
                     = None, limit: Annotated[int, Query(ge=1, le=LIST_LIMIT)] = LIST_LIMIT) -> dict:
    """Cases of my sites, overdue first, then by promised date. Default: every state. At most ``limit``:
    the open ones first, then the newest; ``more`` says some were left out (the export has them all)."""
    states = [str(s) for s in state] if state else None
    return await c.run(case_service(c).list, caller, states=states, site_code=site_code, mine=mine, due=due,
                       limit=limit)


@router.get("/cases/overdue", response_model=CaseList, tags=["manager"])
async def overdue_cases(caller: Caller, c: Ctx, site_code: str | None = None) -> dict:
    """Running cases past (``overdue``) or near (``due_soon``) their promised date: managers and supervisors."""
    require_user(caller, "manager", "supervisor")
    svc = case_service(c)
    data = await c.run(svc.list, caller, states=["registered", "in_progress"], site_code=site_code)
    data["items"] = [i for i in data["items"] if i["due"] in ("overdue", "due_soon")]
    return data


@router.get("/cases/export.xlsx", tags=["manager"], response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the 代办台账 workbook"}})
async def export_ledger(caller: Caller, c: Ctx, site_code: str | None = None, since: date | None = None,
                        until: date | None = None, masked: bool = False) -> Response:
    """The ledger as Excel in the paper columns, registrations from ``since`` to ``until`` (default: the
    last 365 days). Managers and supervisors of the sites get full names unless ``masked``; audited."""
    require_user(caller, "manager", "supervisor")
    since, until = _range(c, since, until, days=365)
    scope = caller.visible if site_code is None else frozenset({site_code}) & caller.visible
    if not scope:
        raise Forbidden("site", site=site_code)
    data = await LEDGER.run(_export, c, caller, scope, since, until, not masked)  # seconds: off the loop
    name = f"代办台账_{since:%Y%m%d}-{until:%Y%m%d}.xlsx"
    disposition = f"attachment; filename=\"ledger_{since:%Y%m%d}-{until:%Y%m%d}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def _export(c: Context, caller, scope: frozenset[str], since: date, until: date, full: bool) -> bytes:
    from sqlalchemy import select

    from kiosk.queue.ledger_export import build_ledger
    from kiosk.queue.models import sites

    svc = case_service(c)
    now = c.settings.clock()
    with c.db.read() as conn:
        rows = [dict(r) for r in svc.rows(conn, scope, since=since, until=until)]
        names = dict(conn.execute(select(sites.c.code, sites.c.name).where(sites.c.code.in_(sorted(scope)))).all())

    def identity(row: dict) -> tuple[str, str]:
        if not full:
            return row["applicant_masked"].split(" ")[0], row["phone_masked"]
        ident = c.queue.box.open_record(row["applicant_enc"])
        return ident.get("name") or row["applicant_masked"].split(" ")[0], ident.get("phone") or ""  # erased: masked

    data = build_ledger(rows, identity=identity, due=lambda r: due_status(r, now, svc.holidays, svc.due_soon_days),
                        title=f"帮办代办台账（{since:%Y-%m-%d} 至 {until:%Y-%m-%d}）", generated=now, site_names=names)
    with c.db.write() as conn:  # the audit: who exported which site's ledger, with or without full names
        for site in sorted(scope):
            count = sum(1 for r in rows if r["site_code"] == site)
            svc._event(conn, None, site, "ledger.exported", caller.actor, now, rows=count, full_names=full,
                       since=since.isoformat(), until=until.isoformat())
    return data


@router.get("/cases/{case_id}", response_model=CaseView)
async def get_case(case_id: CaseId, caller: Caller, c: Ctx) -> dict:
    return await c.run(case_service(c).get, caller, case_id)


@router.get("/cases/{case_id}/applicant", response_model=Applicant)
async def case_applicant(case_id: CaseId, caller: Caller, c: Ctx) -> dict:
    """The applicant's full name, ID number and phone: the case's agent and managers only; audited."""
    return await c.run(case_service(c).applicant, caller, case_id)


@router.get("/cases/{case_id}/events")
async def case_history(case_id: CaseId, caller: Caller, c: Ctx,
                       after: HistoryAfter = 0, limit: HistoryLimit = 500) -> list[dict]:
    """Every change of the case with actor and time (and who viewed the applicant's identity), oldest first,
    at most ``limit`` entries after ``after`` (a flood of moves cannot make one read unbounded)."""
    return await c.run(case_service(c).events, caller, case_id, after, limit)


@router.post("/cases/{case_id}/start", response_model=CaseView)
async def start_case(case_id: CaseId, body: StartIn, caller: Caller, c: Ctx) -> dict:
    """The agent takes the materials to ``department`` (registered → in_progress)."""
    return await c.run(case_service(c).act, caller, case_id, "start", **body.model_dump())


@router.post("/cases/{case_id}/move", response_model=CaseView)
async def move_case(case_id: CaseId, body: StartIn, caller: Caller, c: Ctx) -> dict:
    """The case goes on to the next department (一事联办: several departments in turn)."""
    return await c.run(case_service(c).act, caller, case_id, "move", **body.model_dump())


@router.post("/cases/{case_id}/complete", response_model=CaseView)
async def complete_case(case_id: CaseId, caller: Caller, c: Ctx, body: CompleteIn | None = None) -> dict:
    """Results are ready (in_progress → completed); counts against the promised date."""
    return await c.run(case_service(c).act, caller, case_id, "complete", note=body.note if body else None)


@router.post("/cases/{case_id}/return", response_model=CaseView)
async def return_case(case_id: CaseId, body: ReturnIn, caller: Caller, c: Ctx) -> dict:
    """Results and materials handed back to the applicant; both sides confirm (completed → returned)."""
    view = await c.run(case_service(c).act, caller, case_id, "return", note=body.note)
    case_service(c).paper.autoprint(view["id"], "return")
    return view


@router.post("/cases/{case_id}/withdraw", response_model=CaseView)
async def withdraw_case(case_id: CaseId, body: ReasonIn, caller: Caller, c: Ctx) -> dict:
    """The applicant withdraws; the materials go back to them (reason required)."""
    return await c.run(case_service(c).act, caller, case_id, "withdraw", reason=body.reason)


@router.post("/cases/{case_id}/cancel", response_model=CaseView)
async def cancel_case(case_id: CaseId, body: ReasonIn, caller: Caller, c: Ctx) -> dict:
    """Registered in error (e.g. a duplicate); reason required."""
    return await c.run(case_service(c).act, caller, case_id, "cancel", reason=body.reason)


@router.get("/figures", tags=["manager"])
async def supervision_figures(caller: Caller, c: Ctx, since: date | None = None, until: date | None = None,
                              site_code: str | None = None) -> JSONResponse:
    """Per site and per helper: response (created → claimed) and completion (claimed → closed) p50/p90,
    counts, and 代办 cases on time / late / overdue, for ``since``–``until`` (default: the last 30 days)."""
    require_user(caller, "manager", "supervisor")
    since, until = _range(c, since, until)
    scope = caller.visible if site_code is None else frozenset({site_code}) & caller.visible
    if not scope:
        raise Forbidden("site", site=site_code)
    from fastapi.encoders import jsonable_encoder

    from kiosk.queue.figures import figures

    def run() -> dict:
        svc = case_service(c)
        svc.sweep()
        with c.db.read() as conn:
            return figures(conn, svc, scope, since, until, c.settings.clock())

    return JSONResponse(jsonable_encoder(await LEDGER.run(run)))
