"""Escalation of unclaimed help requests, one pass (run by :class:`kiosk.queue.escalation.Background`).

Waiting requests past their site's time are flagged (level 1); those waiting much longer go to the parent
site (level 2). Conditional updates make it safe to run in several processes at once."""

from __future__ import annotations

from typing import Any

from kiosk.queue import store
from kiosk.queue.models import requests
from kiosk.queue.states import State


def escalate_due(service) -> int:
    """Flags waiting requests past their site's time (level 1) and sends those waiting much longer
    to the parent site (level 2). Safe to run in several processes at once. Returns how many moved."""
    now = service.clock()
    moved = 0
    with service._tx() as (conn, pending):
        for due in store.due_escalations(conn, now):
            parent = service._site(conn, due["site_code"])["parent_code"]
            level = 2 if due["escalate_up_at"] <= now else 1
            values: dict[str, Any] = {"escalation_level": level, "updated_at": now}
            if level == 2:
                values["escalated_to"] = parent
            cond = requests.c.escalation_level == due["escalation_level"]
            stmt = requests.update().where(requests.c.id == due["id"], requests.c.state == State.WAITING,
                                           cond).values(**values, version=requests.c.version + 1)
            if conn.execute(stmt).rowcount:
                moved += 1
                service._event(conn, pending, "request.escalated", "system:escalation", due["id"], now,
                              level=level, escalated_to=values.get("escalated_to"))
    return moved
