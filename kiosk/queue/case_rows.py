"""Which 代办 cases a list or the ledger reads, and in what order (one query for the service, the ledger export
and the figures)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Select, or_
from sqlalchemy import case as sql_case

from kiosk.queue.case_states import CHINA, OPEN
from kiosk.queue.models import cases


def case_rows(conn: Connection, stmt: Select, sites: frozenset[str], *, states: list[str] | None = None,
              agent_id: int | None = None, since: date | None = None, until: date | None = None,
              newest: int | None = None) -> list:
    """Cases of ``sites`` (or being transferred to one of them) selected by ``stmt``, in ledger order (site,
    序号); ``since``/``until`` bound the registration day. ``newest``: at most this many: the open ones (not
    returned, withdrawn or cancelled) by promised date, then the most recently registered of the rest (the
    caller sorts what it gets)."""
    stmt = stmt.where(or_(cases.c.site_code.in_(sorted(sites)), cases.c.transfer_to_site.in_(sorted(sites))))
    if states:
        stmt = stmt.where(cases.c.state.in_(states))
    if agent_id is not None:
        stmt = stmt.where(cases.c.agent_id == agent_id)
    if since is not None:
        stmt = stmt.where(cases.c.registered_at >= datetime.combine(since, datetime.min.time(), CHINA))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), datetime.min.time(), CHINA)
        stmt = stmt.where(cases.c.registered_at < end)
    if newest is not None:
        is_open = cases.c.state.in_(sorted(OPEN))
        order = (sql_case((is_open, 0), else_=1), sql_case((is_open, cases.c.promised_date), else_=None),
                 cases.c.registered_at.desc())
        return list(conn.execute(stmt.order_by(*order).limit(newest)).mappings())
    return list(conn.execute(stmt.order_by(cases.c.site_code, cases.c.registered_at, cases.c.seq)).mappings())
