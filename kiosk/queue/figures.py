"""Supervision figures (督查): per site and per helper, response and completion times and 代办 deadlines.

Contract
- Requests count by the day they were created (China time) within ``[since, until]``; response time is
  created → claimed (the claim that stuck: a released claim does not count), completion time is
  claimed → closed for requests resolved or turned into a 代办 case. Percentiles are nearest-rank, in
  seconds, ``None`` when there is nothing to measure.
- 代办 cases count by registration day: ``on_time`` / ``late`` (completed by / after the promised date),
  ``overdue`` (running past it), ``due_soon``, ``open`` and ``closed`` (withdrawn / cancelled).
- ``notices`` (一次性告知单 printed) are counted at the kiosk, not reported to this server: ``None``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, select

from kiosk.queue.cases import CHINA, CaseService, due_status
from kiosk.queue.models import requests, sites, users


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of ``values`` (``p`` in 0–100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)


def _times(values: list[float]) -> dict:
    return {"n": len(values), "p50_s": percentile(values, 50), "p90_s": percentile(values, 90)}


def _bucket() -> dict:
    return {"requests": 0, "claimed": 0, "resolved": 0, "converted": 0, "cancelled": 0, "escalated": 0,
            "response": [], "completion": [],
            "cases": {"total": 0, "on_time": 0, "late": 0, "overdue": 0, "due_soon": 0, "open": 0, "closed": 0}}


def _finish(b: dict) -> dict:
    return {**b, "response": _times(b["response"]), "completion": _times(b["completion"]), "notices": None}


def figures(conn: Connection, svc: CaseService, visible: frozenset[str], since: date, until: date,
            now: datetime) -> dict:
    """The figures for ``visible`` sites between ``since`` and ``until`` (inclusive, China days)."""
    start = datetime.combine(since, datetime.min.time(), CHINA)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), CHINA)
    scope = sorted(visible)
    per_site: dict[str, dict] = defaultdict(_bucket)
    per_helper: dict[int, dict] = defaultdict(_bucket)
    r = requests.c
    rows = conn.execute(select(r.site_code, r.state, r.created_at, r.claimed_at, r.closed_at, r.claimed_by,
                               r.escalation_level)
                        .where(r.site_code.in_(scope), r.created_at >= start, r.created_at < end)).mappings()
    for row in rows:
        buckets = [per_site[row["site_code"]]] + ([per_helper[row["claimed_by"]]] if row["claimed_by"] else [])
        for b in buckets:
            b["requests"] += 1
            b["escalated"] += row["escalation_level"] > 0
            if row["state"] in ("resolved", "converted", "cancelled"):
                b[row["state"]] += 1
            if row["claimed_at"] is not None:
                b["claimed"] += 1
                b["response"].append((row["claimed_at"] - row["created_at"]).total_seconds())
                if row["state"] in ("resolved", "converted") and row["closed_at"] is not None:
                    b["completion"].append((row["closed_at"] - row["claimed_at"]).total_seconds())
    for case in svc.rows(conn, visible, since=since, until=until):
        due = due_status(case, now, svc.holidays, svc.due_soon_days)
        for b in (per_site[case["site_code"]], per_helper[case["agent_id"]]):
            c = b["cases"]
            c["total"] += 1
            if due in ("on_time", "late", "overdue", "due_soon"):
                c[due] += 1
            if due in ("overdue", "due_soon", "on_track") or case["state"] == "completed":
                c["open"] += 1
            if due == "closed":
                c["closed"] += 1
    names = dict(conn.execute(select(sites.c.code, sites.c.name).where(sites.c.code.in_(scope))).all())
    helpers = {}
    if per_helper:
        helpers = {u["id"]: u for u in conn.execute(select(users.c.id, users.c.username, users.c.display_name)
                                                   .where(users.c.id.in_(list(per_helper)))).mappings()}
    total = _bucket()
    for b in per_site.values():
        for k in ("requests", "claimed", "resolved", "converted", "cancelled", "escalated"):
            total[k] += b[k]
        total["response"] += b["response"]
        total["completion"] += b["completion"]
        for k in total["cases"]:
            total["cases"][k] += b["cases"][k]
    return {
        "since": since, "until": until, "generated_at": now,
        "total": _finish(total),
        "sites": [{"site_code": code, "site_name": names.get(code, code), **_finish(per_site[code])}
                  for code in sorted(per_site)],
        "helpers": [{"user_id": uid, "username": helpers.get(uid, {}).get("username"),
                     "display_name": helpers.get(uid, {}).get("display_name"), **_finish(b)}
                    for uid, b in sorted(per_helper.items(), key=lambda kv: -kv[1]["requests"])],
    }
