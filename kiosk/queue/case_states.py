"""代办 case states, the actions between them (ONE dict), and deadlines: promised date and due status.

:data:`TRANSITIONS` maps each state to the actions allowed in it and the state each leads to; the
service (:mod:`kiosk.queue.cases`) changes a case only through it. Days are China Standard Time days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from sqlalchemy import RowMapping

from kiosk.catalog.workdays import Holidays, add_working_days, is_workday

CHINA = timezone(timedelta(hours=8), "CST")


class CaseState(StrEnum):
    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    SUSPENDED = "suspended"  # waiting for the applicant (补正材料): the working-day clock stops
    COMPLETED = "completed"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


S = CaseState
TRANSITIONS: dict[CaseState, dict[str, CaseState]] = {
    S.REGISTERED: {"start": S.IN_PROGRESS, "suspend": S.SUSPENDED, "withdraw": S.WITHDRAWN,
                   "cancel": S.CANCELLED},
    S.IN_PROGRESS: {"move": S.IN_PROGRESS, "complete": S.COMPLETED, "suspend": S.SUSPENDED,
                    "withdraw": S.WITHDRAWN, "cancel": S.CANCELLED},
    # resume goes back to the state the case was suspended from (cases.suspended_from), see case_moves
    S.SUSPENDED: {"resume": S.IN_PROGRESS, "withdraw": S.WITHDRAWN, "cancel": S.CANCELLED},
    S.COMPLETED: {"return": S.RETURNED, "withdraw": S.WITHDRAWN},
    S.RETURNED: {},
    S.WITHDRAWN: {},
    S.CANCELLED: {},
}
OPEN = frozenset(s for s, a in TRANSITIONS.items() if a)
RUNNING = frozenset({S.REGISTERED, S.IN_PROGRESS})  # the promise still binds: can become overdue
EVENT = {"start": "case.started", "move": "case.moved", "complete": "case.completed",
         "return": "case.returned", "withdraw": "case.withdrawn", "cancel": "case.cancelled",
         "suspend": "case.suspended", "resume": "case.resumed"}
# handing a case on: not a change of state; offered in any open state, accepted or declined by the receiver
TRANSFER_ACTIONS = ("transfer", "accept", "decline")


def local_day(at: datetime) -> date:
    """The calendar day in the halls (China Standard Time) of an aware UTC instant."""
    return at.astimezone(CHINA).date()


def promised_date(registered_at: datetime, days: int, holidays: Holidays | None = None) -> date:
    return add_working_days(local_day(registered_at), days, holidays)


def paused_working_days(suspended: date, resumed: date, holidays: Holidays | None = None) -> int:
    """The working days a suspension stopped the clock: those strictly between the day it was suspended
    and the day it resumed (both of which count as worked). Weekends and holidays in between cost nothing,
    as they would not have counted anyway."""
    days, day = 0, suspended + timedelta(days=1)
    while day < resumed:
        days += is_workday(day, holidays)
        day += timedelta(days=1)
    return days


def due_status(row: RowMapping | dict, now: datetime, holidays: Holidays | None, soon_days: int) -> str:
    """on_track / due_soon / overdue while running; suspended (clock stopped); on_time / late once
    completed; closed otherwise."""
    promised = row["promised_date"]
    if row["state"] == S.SUSPENDED:
        return "suspended"
    if row["state"] in RUNNING:
        today = local_day(now)
        if today > promised:
            return "overdue"
        return "due_soon" if add_working_days(today, soon_days, holidays) >= promised else "on_track"
    if row["completed_at"] is not None and row["state"] != S.WITHDRAWN:
        return "on_time" if local_day(row["completed_at"]) <= promised else "late"
    return "closed"
