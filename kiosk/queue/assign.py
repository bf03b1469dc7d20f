"""Handing a help request to a colleague: 交接班 (the holder gives what she holds to someone on duty) and
改派 / 派单 (a manager gives any open request of the site to a helper).

Contract
- :func:`assignees` lists who may take request ``id``: active staff (helpers and managers) of its site —
  or of the site it was escalated to — other than the holder, on duty first, each with how many open
  requests they hold.
- :func:`assign` gives the request to ``helper_id``. The holder may give hers; a manager may give any open
  request of her sites (a waiting one becomes claimed by the receiver: dispatch). The receiver must be one
  of :func:`assignees` (404 ``helper``) and on duty (409 ``helper_off_duty``). The state stays (claimed /
  arrived), the claim time stays (response times are not reset), and the event ``request.assigned``
  (``from``, ``to``: display names; pushed live) records who gave it to whom. Someone else acting at the
  same moment makes it a 409 from the request's rules.
"""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk.queue import store
from kiosk.queue.auth import Principal, require_user
from kiosk.queue.errors import Conflict, Forbidden, NotFound
from kiosk.queue.models import requests, user_sites, users
from kiosk.queue.states import ACTIVE_STATES, State

OPEN = (State.WAITING, State.CLAIMED, State.ARRIVED)


def _row(svc, conn, user: Principal, request_id: str):
    row = svc._staff_row(conn, user, request_id)
    if row["state"] not in OPEN:
        raise Conflict("wrong_state", state=row["state"], action="assign")
    return row


def _candidates(conn, row) -> list[dict]:
    sites = [s for s in (row["site_code"], row["escalated_to"]) if s]
    held = (select(requests.c.claimed_by, func.count().label("n"))
            .where(requests.c.state.in_([str(s) for s in ACTIVE_STATES])).group_by(requests.c.claimed_by).subquery())
    rows = conn.execute(
        select(users.c.id, users.c.display_name, users.c.on_duty, func.coalesce(held.c.n, 0).label("holding"))
        .join(user_sites, user_sites.c.user_id == users.c.id)
        .outerjoin(held, held.c.claimed_by == users.c.id)
        .where(user_sites.c.site_code.in_(sites), users.c.active.is_(True), users.c.role.in_(["helper", "manager"]))
        .distinct()).mappings().all()
    holder = row["claimed_by"] if row["state"] in ACTIVE_STATES else None
    out = [{"id": r["id"], "display_name": r["display_name"], "on_duty": bool(r["on_duty"]), "holding": int(r["holding"])}
           for r in rows if r["id"] != holder]
    return sorted(out, key=lambda x: (not x["on_duty"], x["holding"], x["display_name"]))


def assignees(svc, user: Principal, request_id: str) -> list[dict]:
    require_user(user)
    with svc.db.read() as conn:
        return _candidates(conn, _row(svc, conn, user, request_id))


def assign(svc, user: Principal, request_id: str, helper_id: int) -> dict:
    require_user(user)
    now = svc.clock()
    with svc._tx() as (conn, pending):
        row = _row(svc, conn, user, request_id)
        holder = row["claimed_by"] if row["state"] in ACTIVE_STATES else None
        if holder != user.user_id and not user.is_manager:
            raise Forbidden("not_yours", helper=row["helper_name"] or "?")
        target = next((c for c in _candidates(conn, row) if c["id"] == helper_id), None)
        if target is None:
            raise NotFound("helper", id=helper_id)
        if not target["on_duty"]:
            raise Conflict("helper_off_duty", helper=target["display_name"])
        values = {"claimed_by": helper_id, "updated_at": now}
        if row["state"] == State.WAITING:
            values.update(state=State.CLAIMED, claimed_at=now)
        if not store.change_state(conn, row["id"], [row["state"]], values, expect_helper=holder):
            raise svc._conflict(store.get_request(conn, row["id"]), "assign")
        fresh = store.get_request(conn, row["id"])
        svc._event(conn, pending, "request.assigned", user.actor, row["id"], now, fresh,
                   **{"from": row["helper_name"] if holder else None, "to": target["display_name"]})
        return store.staff_view(fresh, now)
