"""代办 (proxy handling) cases: the service — registration, changes, access, identity, deadline flags.

Contract
- :data:`~kiosk.queue.case_states.TRANSITIONS` (re-exported here) maps each case state to the actions
  allowed in it and where each leads: registered (handover done) → in_progress (at a department;
  ``move`` changes department) → completed (results ready) → returned (results and materials handed
  back, both sides confirmed); ``withdraw`` (the applicant takes it back) and ``cancel`` (registered in
  error) close an open case with a reason.
- Every change is a conditional update on ``version`` (racing writers: one wins, the other gets 409
  ``case_changed``) plus a ``case_events`` row with actor and time in the same transaction.
- The promised date (:mod:`kiosk.queue.case_states`) is the registration day (China time) plus the
  matter's time limit in working days (:func:`kiosk.catalog.workdays.add_working_days`, holidays and
  调休 included; 0 = 即办, same day); without one, the catalogue's time limit of the matter.
- Access: staff see cases of their visible sites (helpers and managers their sites, supervisors every
  site below theirs); only the case's agent or a manager/supervisor of its site may change it or see the
  applicant's full identity (audited as ``case.applicant_viewed``). Others get 404 / 403.
- :meth:`CaseService.sweep` flags open cases due within ``due_soon_days`` working days (level 1) or past
  their promised date (level 2), once per level, as ``case.due_soon`` / ``case.overdue`` events.
- Every change and deadline flag is also pushed live to the site's consoles (``case.*``, :mod:`kiosk.queue.txn`).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select

from kiosk.catalog.workdays import Holidays, default_holidays
from kiosk.privacy import mask_phone
from kiosk.queue import case_moves as moves
from kiosk.queue import chain
from kiosk.queue.auth import Principal, require_user
from kiosk.queue.case_catalog import MatterCatalog
from kiosk.queue.case_paper import CasePaper
from kiosk.queue.case_rows import case_rows
from kiosk.queue.case_schemas import CaseIn
from kiosk.queue.case_states import (  # noqa: F401 - re-exported: the case vocabulary lives with its service
    CHINA,
    EVENT,
    OPEN,
    RUNNING,
    TRANSITIONS,
    CaseState,
    S,
    due_status,
    local_day,
    promised_date,
)
from kiosk.queue.crypto import IdentityBox
from kiosk.queue.db import Database
from kiosk.queue.duty import actor_names
from kiosk.queue.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from kiosk.queue.id_numbers import check_id_number
from kiosk.queue.models import case_events, cases, requests, users
from kiosk.queue.retention import DEFAULT_DAYS, Retention
from kiosk.queue.txn import EventTx, NoPublisher, Publisher

LIST_LIMIT = 500  # cases a list answers at most (open ones first): a district's years of cases are the export's


class CaseService(EventTx):
    def __init__(self, db: Database, box: IdentityBox, clock: Callable[[], datetime],
                 holidays: Holidays | None = None, due_soon_days: int = 1, catalog_path: str | None = None,
                 publisher: Publisher | None = None, retention_days: int = DEFAULT_DAYS):
        self.db, self.box, self.clock, self.publisher = db, box, clock, publisher or NoPublisher()
        self.catalog = MatterCatalog(catalog_path)
        self.holidays = holidays if holidays is not None else default_holidays()
        self.due_soon_days = due_soon_days
        self.moves = moves.CaseMoves(self)  # suspend / resume / transfer / accept / decline
        self.paper = CasePaper(self)  # 受理回执 and 材料归还单
        self.retention = Retention(self, retention_days)  # closed cases' personal data erased in time

    def matter(self, matter_id: str | None):
        """The catalogue's matter (for its time limit and name), or None (:mod:`kiosk.queue.case_catalog`)."""
        return self.catalog.get(matter_id)

    # ---- reading -------------------------------------------------------------------------------------
    @staticmethod
    def _select():
        recv = users.alias("recv")
        return (select(cases, users.c.display_name.label("agent_name"), recv.c.display_name.label("transfer_agent_name"))
                .join(users, users.c.id == cases.c.agent_id).outerjoin(recv, recv.c.id == cases.c.transfer_to_user))

    def _row(self, conn: Connection, user: Principal, case_id: str) -> RowMapping:
        """The case, when the caller sees it: of their sites, or offered to them (case_moves)."""
        require_user(user)
        row = conn.execute(self._select().where(cases.c.id == case_id)).mappings().first()
        if row is None or not (row["site_code"] in user.visible or row["transfer_to_site"] in user.visible
                               or row["transfer_to_user"] == user.user_id):
            raise NotFound("case", id=case_id)
        return row

    @staticmethod
    def may_change(user: Principal, row: RowMapping | dict) -> bool:
        return row["agent_id"] == user.user_id or (user.is_manager and row["site_code"] in user.visible)

    def view(self, row: RowMapping | dict, user: Principal, now: datetime) -> dict:
        due = due_status(row, now, self.holidays, self.due_soon_days)
        mine = self.may_change(user, row)
        return {
            **{k: row[k] for k in ("id", "seq", "site_code", "request_id", "matter_id", "matter_name",
                                   "time_limit_days", "applicant_masked", "phone_masked", "materials", "state",
                                   "department", "note", "registered_at", "promised_date", "completed_at",
                                   "returned_at", "return_note", "closed_at", "close_reason", "version")},
            "authorization": {"signed": row["auth_signed"], "signed_at": row["auth_signed_at"],
                              "scanned": row["auth_scanned"], "note": row["auth_note"]},
            "agent": {"id": row["agent_id"], "display_name": row["agent_name"]},
            "due": due,
            "days_left": (row["promised_date"] - local_day(now)).days if row["state"] in RUNNING else None,
            "actions": (sorted(TRANSITIONS[CaseState(row["state"])]) if mine else []) + moves.actions(user, row, mine),
            **moves.view_fields(row),
        }

    def get(self, user: Principal, case_id: str) -> dict:
        self.sweep()
        with self.db.read() as conn:
            return self.view(self._row(conn, user, case_id), user, self.clock())

    def rows(self, conn: Connection, sites: frozenset[str], **where: Any) -> list:
        """Cases of ``sites`` (:func:`kiosk.queue.case_rows.case_rows` says which and in what order)."""
        return case_rows(conn, self._select(), sites, **where)

    def list(self, user: Principal, *, states: list[str] | None = None, site_code: str | None = None,
             mine: bool = False, due: str | None = None, limit: int = LIST_LIMIT) -> dict:
        """Cases ``user`` may see, overdue first, then by promised date: at most ``limit``, the open ones
        before the closed, then the newest (``more``: some were left out; the ledger export has them all)."""
        require_user(user)
        scope = user.visible if site_code is None else frozenset({site_code}) & user.visible
        if site_code is not None and not scope:
            raise Forbidden("site", site=site_code)
        self.sweep()
        now = self.clock()
        with self.db.read() as conn:
            found = self.rows(conn, scope, states=states, agent_id=user.user_id if mine else None,
                              newest=limit + 1)
        more = len(found) > limit
        items = [self.view(r, user, now) for r in found[:limit]]
        counts = {k: sum(1 for i in items if i["due"] == k) for k in ("overdue", "due_soon")}
        if due:
            items = [i for i in items if i["due"] == due]
        items.sort(key=lambda i: ({"overdue": 0, "due_soon": 1}.get(i["due"], 2), i["promised_date"], i["seq"]))
        return {"items": items, **counts, "more": more}

    def events(self, user: Principal, case_id: str, after: int = 0, limit: int = 500) -> list[dict]:
        with self.db.read() as conn:
            self._row(conn, user, case_id)
            shown = [c for c in case_events.c if c.name not in ("prev_hash", "salt")]
            stmt = (select(*shown).where(case_events.c.case_id == case_id, case_events.c.id > after)
                    .order_by(case_events.c.id).limit(limit))
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
            names = actor_names(conn, [r["actor"] for r in rows])  # who, by name; the actor stays as recorded
            return [r | {"actor_name": names.get(r["actor"])} for r in rows]

    # ---- writing -------------------------------------------------------------------------------------
    def _push(self, pending: list[dict], type_: str, actor: str, at: datetime, row: RowMapping | dict) -> None:
        """Queues the live event of a case change: ``{"case": {id, seq, site_code, state, agent_id,
        matter_name, promised_date, due}}`` (nothing personal), to the consoles of the case's site."""
        case = {k: row[k] for k in ("id", "seq", "site_code", "state", "agent_id", "matter_name")}
        case.update(promised_date=row["promised_date"].isoformat(),
                    due=due_status(row, at, self.holidays, self.due_soon_days))
        pending.append(dict(type=type_, actor=actor, at=at, site_code=row["site_code"], escalated_to=None,
                            request_id=None, data={"case": case}))

    @staticmethod
    def _event(conn: Connection, case_id: str | None, site: str, type_: str, actor: str, at: datetime,
               **data: Any) -> None:
        chain.append(conn, "case_events", [dict(case_id=case_id, site_code=site, type=type_, actor=actor, at=at,
                                                data={k: v for k, v in data.items() if v is not None})])

    def create(self, user: Principal, body: CaseIn, queue=None) -> dict:
        """Registers a handover. With ``request_id`` the help request (arrived, held by ``user``) is first
        converted through the queue service, so the request names this case and closes."""
        require_user(user)
        if not body.authorization.signed:
            raise Invalid("case_unauthorized")
        now = self.clock()
        signed_at = body.authorization.signed_at or now
        if not (now - timedelta(days=366) <= signed_at <= now + timedelta(minutes=10)):
            raise Invalid("case_signed_at")
        case_id = f"DB-{local_day(now):%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"
        site, matter, applicant, matter_id = body.site_code, None, {}, body.matter_id
        if body.request_id:
            try:
                request_id = str(uuid.UUID(body.request_id))  # requests are stored in canonical form
            except ValueError:
                raise NotFound("request", id=body.request_id) from None
            with self.db.read() as conn:
                req = conn.execute(select(requests).where(requests.c.id == request_id)).mappings().first()
            if req is None or req["site_code"] not in user.visible:
                raise NotFound("request", id=body.request_id)
            ident = self.box.open(req["resident_enc"]) or {}  # what the kiosk read from the ID card
            applicant = {"name": ident.get("name") or None, "id_number": ident.get("id_number") or None}
            site, matter, matter_id = req["site_code"], req["matter_name"], matter_id or req["matter_id"]
        given = body.applicant.model_dump(exclude={"id_type"}) if body.applicant else {}
        if given.get("id_number"):
            given["id_number"] = check_id_number(given["id_number"], body.applicant.id_type, local_day(now))
        applicant |= {k: v for k, v in given.items() if v}  # typed in at the window wins over the card
        site = site or (next(iter(user.sites)) if len(user.sites) == 1 else None)
        if site is None:
            raise Invalid("case_site")
        if site not in user.visible:
            raise Forbidden("site", site=site)
        if not applicant.get("name"):
            raise Invalid("case_applicant")
        days, known = body.time_limit_days, self.matter(matter_id)
        if days is None and known is None:
            raise Invalid("case_time_limit")
        if days is None:
            days = 0 if known.immediate else known.time_limit
        matter_name = body.matter_name or matter or (known.name if known else None)
        if not matter_name:
            raise Invalid("case_matter")
        if body.request_id:
            queue.act(user, req["id"], "convert", case_id=case_id)  # checks state and holder: 409 / 403
        masked = self.box.masked(applicant["name"], applicant.get("id_number")) or ""
        with self._tx() as (conn, pending):
            if self.db.is_postgres:  # 序号 per site and year: one registration at a time per site
                from kiosk.queue.models import sites

                conn.execute(select(sites.c.code).where(sites.c.code == site).with_for_update())
            year0 = datetime(local_day(now).year, 1, 1, tzinfo=CHINA)
            seq = conn.execute(select(func.coalesce(func.max(cases.c.seq), 0)).where(
                cases.c.site_code == site, cases.c.registered_at >= year0)).scalar() + 1
            conn.execute(cases.insert().values(
                id=case_id, site_code=site, request_id=body.request_id and req["id"], seq=seq,
                matter_id=matter_id, matter_name=matter_name, time_limit_days=days,
                applicant_enc=self.box.seal_record(applicant), applicant_masked=masked,
                phone_masked=mask_phone(applicant.get("phone")) or "",
                auth_signed=True, auth_signed_at=signed_at,
                auth_scanned=body.authorization.scanned, auth_note=body.authorization.note,
                materials=[m.model_dump() for m in body.materials], agent_id=user.user_id,
                state=S.REGISTERED, note=body.note, registered_at=now,
                promised_date=promised_date(now, days, self.holidays),
                overdue_level=0, updated_at=now, version=1, rating_token=secrets.token_urlsafe(24)))
            self._event(conn, case_id, site, "case.registered", user.actor, now, request_id=body.request_id,
                        materials=len(body.materials))
            row = self._row(conn, user, case_id)
            self._push(pending, "case.registered", user.actor, now, row)
            return self.view(row, user, now)

    def act(self, user: Principal, case_id: str, action: str, **fields: Any) -> dict:
        """Applies ``action`` (start/move/complete/return/withdraw/cancel) for the agent or a manager."""
        now = self.clock()
        with self._tx() as (conn, pending):
            row = self._row(conn, user, case_id)
            target = TRANSITIONS[CaseState(row["state"])].get(action)
            if target is None:
                raise Conflict("case_state", state=row["state"], action=action)
            if not self.may_change(user, row):
                raise Forbidden("case_not_yours", agent=row["agent_name"])
            values: dict[str, Any] = {"state": target, "updated_at": now, "version": row["version"] + 1}
            if action in ("start", "move"):
                values["department"] = fields["department"]
            elif action == "complete":
                values["completed_at"] = now
            elif action == "return":
                values.update(returned_at=now, closed_at=now, return_note=fields.get("note"))
            elif action in ("withdraw", "cancel"):
                values.update(closed_at=now, close_reason=fields["reason"])
            changed = conn.execute(cases.update().where(cases.c.id == row["id"], cases.c.version == row["version"])
                                   .values(**values)).rowcount
            if not changed:
                raise Conflict("case_changed", state=row["state"])
            self._event(conn, row["id"], row["site_code"], EVENT[action], user.actor, now, state=target,
                        **{k: v for k, v in fields.items() if k in ("department", "reason", "note")},
                        applicant_confirmed=True if action == "return" else None,
                        agent_confirmed=True if action == "return" else None)
            self._push(pending, EVENT[action], user.actor, now, {**row, **values})
            return self.view({**row, **values}, user, now)

    def applicant(self, user: Principal, case_id: str) -> dict:
        """The applicant's full name, ID number and phone: the case's agent and managers only; audited."""
        now = self.clock()
        with self.db.write() as conn:
            row = self._row(conn, user, case_id)
            if not self.may_change(user, row):
                raise Forbidden("case_identity")
            if row["erased_at"] is not None:
                raise Gone("case_erased", at=f"{local_day(row['erased_at']):%Y-%m-%d}")
            self._event(conn, row["id"], row["site_code"], "case.applicant_viewed", user.actor, now)
            ident = self.box.open_record(row["applicant_enc"])
        return {"name": ident.get("name") or "", "id_number": ident.get("id_number") or "",
                "phone": ident.get("phone") or ""}

    def sweep(self) -> int:
        """Flags running cases that became due soon (1) or overdue (2); returns how many were flagged
        (:func:`kiosk.queue.case_sweep.sweep`)."""
        from kiosk.queue.case_sweep import sweep

        return sweep(self)
