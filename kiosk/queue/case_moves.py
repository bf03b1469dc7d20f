"""代办 cases that pause and move: suspension and resumption, hand-over to another agent or the parent site.

Contract
- ``suspend`` (registered / in_progress → suspended, a reason required: what the applicant must bring)
  stops the working-day clock: a suspended case is never due soon or overdue. ``resume`` returns it to
  the state it was suspended from and moves the promised date on by the working days the clock stood
  (:func:`~kiosk.queue.case_states.paused_working_days`: weekends and holidays in between cost nothing).
  Both by the case's agent or a manager of its site.
- ``transfer`` offers an open case to another agent of its site (``agent_id``) or to the parent site's
  代办 window (``to_parent``), with a reason; nothing changes hands until the receiver ``accept``s: the
  named agent, or for the parent site any staff member of it. ``decline`` (a reason) is the receiver's
  refusal or the offerer's (agent, manager) withdrawal of the offer. One offer at a time (409
  ``case_transfer_pending``). Accepting a site transfer moves the case to the parent site, where its
  entries are chained from then on; the case keeps its id and 序号.
- Every step is a conditional update on ``version`` plus a ledger entry (``case.suspended``,
  ``case.resumed``, ``case.transfer_offered``, ``case.transferred`` — on both sites' chains for a site
  transfer — ``case.transfer_declined``) and a pushed event to the sites concerned.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kiosk.catalog.workdays import add_working_days
from kiosk.queue.auth import Principal
from kiosk.queue.case_states import OPEN, RUNNING, S, local_day, paused_working_days
from kiosk.queue.errors import Conflict, Forbidden, Invalid, NotFound
from kiosk.queue.models import cases, sites, user_sites, users

_CLEAR_TRANSFER = dict(transfer_to_user=None, transfer_to_site=None, transfer_reason=None, transfer_by=None,
                       transfer_at=None)


def receiver(user: Principal, row: dict) -> bool:
    """True when ``user`` is who a pending transfer of ``row`` waits for."""
    if row.get("transfer_to_user") is not None:
        return row["transfer_to_user"] == user.user_id
    return row.get("transfer_to_site") is not None and row["transfer_to_site"] in user.sites


def actions(user: Principal, row: dict, mine: bool) -> list[str]:
    """The hand-over actions the caller may take now (added to the state actions of the case view)."""
    pending = row.get("transfer_to_user") is not None or row.get("transfer_to_site") is not None
    out = []
    if pending and receiver(user, row):
        out += ["accept", "decline"]
    elif pending and mine:
        out.append("decline")
    elif not pending and mine and row["state"] in OPEN:
        out.append("transfer")
    return out


def view_fields(row: dict) -> dict:
    pending = row.get("transfer_to_user") is not None or row.get("transfer_to_site") is not None
    return {
        "suspension": {"at": row["suspended_at"], "reason": row["suspend_reason"],
                       "from_state": row["suspended_from"]} if row["state"] == S.SUSPENDED else None,
        "paused_days": row.get("paused_days") or 0,
        "transfer": {"to_agent": {"id": row["transfer_to_user"], "display_name": row.get("transfer_agent_name")}
                     if row["transfer_to_user"] is not None else None,
                     "to_site": row["transfer_to_site"], "reason": row["transfer_reason"],
                     "by": row["transfer_by"], "at": row["transfer_at"]} if pending else None,
    }


class CaseMoves:
    """Suspend / resume / transfer / accept / decline on top of a :class:`~kiosk.queue.cases.CaseService`."""

    def __init__(self, svc):
        self.svc = svc

    def _change(self, user: Principal, case_id: str, check, values_of, events_of) -> dict:
        """The shared frame: read the case (visible to the caller), ``check(row)`` raises when the step is
        not allowed, ``values_of(row, now)`` the new column values, ``events_of(row, new, now)`` the ledger
        entries ``[(site, type, data)]``; conditional update on the version, entries, pushes, new view."""
        svc = self.svc
        now = svc.clock()
        with svc._tx() as (conn, pending):
            row = dict(svc._row(conn, user, case_id))
            check(row)
            values = {**values_of(row, now), "updated_at": now, "version": row["version"] + 1}
            changed = conn.execute(cases.update().where(cases.c.id == row["id"], cases.c.version == row["version"])
                                   .values(**values)).rowcount
            if not changed:
                raise Conflict("case_changed", state=row["state"])
            new = {**row, **values}
            for site, type_, data in events_of(row, new, now):
                svc._event(conn, row["id"], site, type_, user.actor, now, **data)
                svc._push(pending, type_, user.actor, now, {**new, "site_code": site})
            new = dict(conn.execute(svc._select().where(cases.c.id == row["id"])).mappings().one())  # names too
            return svc.view(new, user, now)

    def _own(self, user: Principal, row: dict) -> None:
        if not self.svc.may_change(user, row):
            raise Forbidden("case_not_yours", agent=row["agent_name"])

    # ---- suspension ---------------------------------------------------------------------------------
    def suspend(self, user: Principal, case_id: str, reason: str) -> dict:
        def check(row):
            if row["state"] not in RUNNING:
                raise Conflict("case_state", state=row["state"], action="suspend")
            self._own(user, row)

        return self._change(user, case_id, check,
                            lambda row, now: dict(state=S.SUSPENDED, suspended_at=now, suspended_from=row["state"],
                                                  suspend_reason=reason),
                            lambda row, new, now: [(row["site_code"], "case.suspended",
                                                    {"reason": reason, "state": S.SUSPENDED.value,
                                                     "promised_date": row["promised_date"].isoformat()})])

    def resume(self, user: Principal, case_id: str, note: str | None = None) -> dict:
        def check(row):
            if row["state"] != S.SUSPENDED:
                raise Conflict("case_state", state=row["state"], action="resume")
            self._own(user, row)

        def values(row, now):
            paused = paused_working_days(local_day(row["suspended_at"]), local_day(now), self.svc.holidays)
            promised = add_working_days(row["promised_date"], paused, self.svc.holidays)
            back = row["suspended_from"] or S.IN_PROGRESS
            return dict(state=back, suspended_at=None, suspended_from=None, suspend_reason=None,
                        paused_days=(row["paused_days"] or 0) + paused, promised_date=promised, overdue_level=0)

        def events(row, new, now):
            return [(row["site_code"], "case.resumed", {
                "state": new["state"], "note": note, "paused_working_days": new["paused_days"] - (row["paused_days"] or 0),
                "suspended_at": row["suspended_at"].isoformat(), "promised_date_before": row["promised_date"].isoformat(),
                "promised_date": new["promised_date"].isoformat()})]

        return self._change(user, case_id, check, values, events)

    # ---- transfer -------------------------------------------------------------------------------------
    def targets(self, user: Principal, case_id: str) -> dict:
        """Who the case may be offered to: the active staff of its site (not its agent) and the parent site."""
        with self.svc.db.read() as conn:
            row = self.svc._row(conn, user, case_id)
            self._own(user, row)
            agents = conn.execute(select(users.c.id, users.c.display_name).join(
                user_sites, user_sites.c.user_id == users.c.id).where(
                user_sites.c.site_code == row["site_code"], users.c.active, users.c.id != row["agent_id"])
                .order_by(users.c.display_name)).mappings().all()
            code = conn.execute(select(sites.c.parent_code).where(sites.c.code == row["site_code"])).scalar()
            parent = conn.execute(select(sites.c.code, sites.c.name).where(sites.c.code == code)).mappings().first()
        return {"agents": [dict(a) for a in agents], "parent": dict(parent) if parent else None}

    def transfer(self, user: Principal, case_id: str, *, agent_id: int | None, to_parent: bool, reason: str) -> dict:
        if (agent_id is None) == (not to_parent):
            raise Invalid("case_transfer_target")
        target: dict[str, Any] = {}

        def check(row):
            if row["state"] not in OPEN:
                raise Conflict("case_state", state=row["state"], action="transfer")
            self._own(user, row)
            if row["transfer_to_user"] is not None or row["transfer_to_site"] is not None:
                raise Conflict("case_transfer_pending", state=row["state"])
            with self.svc.db.read() as conn:
                if to_parent:
                    parent = conn.execute(select(sites.c.parent_code).where(sites.c.code == row["site_code"])).scalar()
                    if parent is None:
                        raise Invalid("case_no_parent", site=row["site_code"])
                    target["site"] = parent
                    return
                ok = conn.execute(select(users.c.display_name).join(user_sites, user_sites.c.user_id == users.c.id)
                                  .where(users.c.id == agent_id, users.c.active,
                                         user_sites.c.site_code == row["site_code"])).scalar()
                if ok is None or agent_id == row["agent_id"]:
                    raise NotFound("case_agent", id=agent_id)
                target["name"] = ok

        def values(row, now):
            return dict(transfer_to_user=agent_id, transfer_to_site=target.get("site"), transfer_reason=reason,
                        transfer_by=user.actor, transfer_at=now)

        def events(row, new, now):
            data = {"reason": reason, "to_agent": agent_id, "to_agent_name": target.get("name"),
                    "to_site": target.get("site")}
            return [(row["site_code"], "case.transfer_offered", data)] + (
                [(target["site"], "case.transfer_offered", data)] if target.get("site") else [])

        return self._change(user, case_id, check, values, events)

    def accept(self, user: Principal, case_id: str) -> dict:
        def check(row):
            if row["transfer_to_user"] is None and row["transfer_to_site"] is None:
                raise Conflict("case_no_transfer", state=row["state"])
            if not receiver(user, row):
                raise Forbidden("case_not_receiver")

        def values(row, now):
            moved = {"site_code": row["transfer_to_site"]} if row["transfer_to_site"] else {}
            return {**_CLEAR_TRANSFER, **moved, "agent_id": user.user_id}

        def events(row, new, now):
            data = {"from_agent": row["agent_id"], "from_agent_name": row["agent_name"], "to_agent": user.user_id,
                    "to_agent_name": user.display_name, "from_site": row["site_code"], "to_site": new["site_code"],
                    "offered_by": row["transfer_by"], "reason": row["transfer_reason"]}
            out = [(row["site_code"], "case.transferred", data)]
            return out + ([(new["site_code"], "case.transferred", data)] if new["site_code"] != row["site_code"] else [])

        return self._change(user, case_id, check, values, events)

    def decline(self, user: Principal, case_id: str, reason: str) -> dict:
        def check(row):
            if row["transfer_to_user"] is None and row["transfer_to_site"] is None:
                raise Conflict("case_no_transfer", state=row["state"])
            if not (receiver(user, row) or self.svc.may_change(user, row)):
                raise Forbidden("case_not_receiver")

        def events(row, new, now):
            data = {"reason": reason, "by_receiver": receiver(user, row), "to_agent": row["transfer_to_user"],
                    "to_site": row["transfer_to_site"]}
            return [(row["site_code"], "case.transfer_declined", data)] + (
                [(row["transfer_to_site"], "case.transfer_declined", data)] if row["transfer_to_site"] else [])

        return self._change(user, case_id, check, lambda row, now: dict(_CLEAR_TRANSFER), events)

