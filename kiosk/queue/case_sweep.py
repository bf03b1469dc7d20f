"""The 代办 deadline sweep: running cases that became due soon or overdue are flagged once per level.

Contract: :func:`sweep` reads the running cases (registered / in progress; a suspended case's clock stands),
computes each one's due status on the service's clock and holidays, and raises ``overdue_level`` to 1
(``case.due_soon``) or 2 (``case.overdue``) with a conditional update, so concurrent sweeps in several
processes flag each case once per level; each flag is a ledger entry and a pushed event.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from kiosk.queue.case_states import RUNNING, due_status
from kiosk.queue.models import cases


def sweep(svc) -> int:
    """Flags running cases of ``svc`` (a CaseService) that became due soon or overdue; returns how many."""
    now = svc.clock()
    with svc.db.read() as conn:
        running = conn.execute(select(cases.c.id, cases.c.seq, cases.c.site_code, cases.c.state,
                                      cases.c.agent_id, cases.c.matter_name, cases.c.promised_date,
                                      cases.c.completed_at, cases.c.overdue_level)
                               .where(cases.c.state.in_(sorted(RUNNING)), cases.c.overdue_level < 2)).mappings().all()
    due = []
    for r in running:
        level = {"due_soon": 1, "overdue": 2}.get(due_status(r, now, svc.holidays, svc.due_soon_days), 0)
        if level > r["overdue_level"]:
            due.append((r, level))
    if not due:
        return 0
    flagged = 0
    with svc._tx() as (conn, pending):
        for r, level in due:
            stmt = cases.update().where(cases.c.id == r["id"], cases.c.overdue_level < level,
                                        or_(*[cases.c.state == s for s in RUNNING]))
            if conn.execute(stmt.values(overdue_level=level)).rowcount:
                flagged += 1
                type_ = "case.overdue" if level == 2 else "case.due_soon"
                svc._event(conn, r["id"], r["site_code"], type_, "system:deadline", now,
                            promised_date=r["promised_date"].isoformat())
                svc._push(pending, type_, "system:deadline", now, r)
    return flagged
