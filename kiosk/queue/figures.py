"""Supervision figures (督查): per site and per helper, response and completion times and 代办 deadlines.

Contract
- Requests count by the day they were created (China time) within ``[since, until]``; response time is
  created → claimed (the claim that stuck: a released claim does not count), completion time is
  claimed → closed for requests resolved or turned into a 代办 case. Percentiles are nearest-rank, in
  seconds, ``None`` when there is nothing to measure.
- 代办 cases count by registration day: ``on_time`` / ``late`` (completed by / after the promised date),
  ``overdue`` (running past it), ``due_soon``, ``open`` and ``closed`` (withdrawn / cancelled).
- Counts are aggregated by the database per (site, helper) and durations computed there as seconds, so a
  district-month (50,000 requests, 2,000 cases) answers in well under a second on SQLite
  (``bench/bench_figures.py``).
- ``ratings`` (好差评, :mod:`kiosk.queue.ratings`): by the day they were given, per site and per helper
  (the one who claimed the request or runs the case): ``n``, ``by_score``, ``unsatisfied`` (不满意: score
  ≤ 2), ``unsatisfied_share`` (None without ratings) and the ``reasons`` given, counted.
- ``notices``: the one-time notices (一次性告知单) kiosks printed, by the day they were printed:
  ``printed`` and ``missing_items`` (materials listed, summed) per site and in total; ``None`` for a
  helper (a notice is the kiosk's, not a helper's).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Float, and_, case, cast, func, literal_column, select

from kiosk.queue import ratings
from kiosk.queue.cases import CHINA, CaseService, due_status
from kiosk.queue.models import notices, requests, sites, users


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of ``values`` (``p`` in 0–100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)


def _seconds(conn: Connection, a, b):
    """``b - a`` in seconds, computed by the database (SQLite: julianday; PostgreSQL: epoch)."""
    if conn.dialect.name == "sqlite":
        return (func.julianday(b) - func.julianday(a)) * literal_column("86400.0")
    return cast(func.extract("epoch", b - a), Float)


def _times(values: list[float]) -> dict:
    return {"n": len(values), "p50_s": percentile(values, 50), "p90_s": percentile(values, 90)}


def _bucket(notices: bool = True) -> dict:
    return {"requests": 0, "claimed": 0, "resolved": 0, "converted": 0, "cancelled": 0, "escalated": 0,
            "response": [], "completion": [],
            "cases": {"total": 0, "on_time": 0, "late": 0, "overdue": 0, "due_soon": 0, "open": 0, "closed": 0},
            "notices": {"printed": 0, "missing_items": 0} if notices else None, "ratings": ratings.empty()}


def _finish(b: dict) -> dict:
    return {**b, "response": _times(b["response"]), "completion": _times(b["completion"]),
            "ratings": ratings.finish(b["ratings"])}


def figures(conn: Connection, svc: CaseService, visible: frozenset[str], since: date, until: date,
            now: datetime) -> dict:
    """The figures for ``visible`` sites between ``since`` and ``until`` (inclusive, China days)."""
    start = datetime.combine(since, datetime.min.time(), CHINA)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), CHINA)
    scope = sorted(visible)
    per_site: dict[str, dict] = defaultdict(_bucket)
    per_helper: dict[int, dict] = defaultdict(lambda: _bucket(notices=False))
    r = requests.c
    closed = r.state.in_(("resolved", "converted"))
    done = and_(closed, r.claimed_at.is_not(None), r.closed_at.is_not(None))
    n = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731 - a conditional count
    window = and_(r.site_code.in_(scope), r.created_at >= start, r.created_at < end)
    # Counts are aggregated by the database per (site, helper): a few dozen rows, not one per request.
    counted = conn.execute(select(
        r.site_code, r.claimed_by, func.count(), n(r.escalation_level > 0), n(r.state == "resolved"),
        n(r.state == "converted"), n(r.state == "cancelled"), n(r.claimed_at.is_not(None)),
    ).where(window).group_by(r.site_code, r.claimed_by)).all()
    for site, helper, total, escalated, resolved, converted, cancelled, claimed in counted:
        for b in [per_site[site]] + ([per_helper[helper]] if helper else []):
            for k, v in (("requests", total), ("escalated", escalated), ("resolved", resolved),
                         ("converted", converted), ("cancelled", cancelled), ("claimed", claimed)):
                b[k] += int(v or 0)
    # Durations come back as plain seconds computed in SQL (no datetime objects per row).
    timed = conn.execute(select(r.site_code, r.claimed_by, _seconds(conn, r.created_at, r.claimed_at),
                                case((done, _seconds(conn, r.claimed_at, r.closed_at)), else_=None))
                         .where(window, r.claimed_at.is_not(None)))
    for site, helper, response, completion in timed:
        for b in (per_site[site], per_helper[helper]) if helper else (per_site[site],):
            b["response"].append(response)
            if completion is not None:
                b["completion"].append(completion)
    for one in svc.rows(conn, visible, since=since, until=until):
        due = due_status(one, now, svc.holidays, svc.due_soon_days)
        for b in (per_site[one["site_code"]], per_helper[one["agent_id"]]):
            c = b["cases"]
            c["total"] += 1
            if due in ("on_time", "late", "overdue", "due_soon"):
                c[due] += 1
            if due in ("overdue", "due_soon", "on_track", "suspended") or one["state"] == "completed":
                c["open"] += 1
            if due == "closed":
                c["closed"] += 1
    nt = notices.c
    for site, printed, missing in conn.execute(
            select(nt.site_code, func.count(), func.sum(nt.missing))
            .where(nt.site_code.in_(scope), nt.created_at >= start, nt.created_at < end).group_by(nt.site_code)):
        per_site[site]["notices"] = {"printed": int(printed), "missing_items": int(missing or 0)}
    rated_sites, rated_helpers = ratings.aggregate(conn, scope, start, end)
    for code, b in rated_sites.items():
        per_site[code]["ratings"] = b
    for uid, b in rated_helpers.items():
        per_helper[uid]["ratings"] = b
    names = dict(conn.execute(select(sites.c.code, sites.c.name).where(sites.c.code.in_(scope))).all())
    helpers = {}
    if per_helper:
        helpers = {u["id"]: u for u in conn.execute(select(users.c.id, users.c.username, users.c.display_name)
                                                   .where(users.c.id.in_(list(per_helper)))).mappings()}
    total = _bucket()
    for b in per_site.values():
        for k in ("requests", "claimed", "resolved", "converted", "cancelled", "escalated"):
            total[k] += b[k]
        for k in total["cases"]:
            total["cases"][k] += b["cases"][k]
        for k in total["notices"]:
            total["notices"][k] += b["notices"][k]
        ratings.add(total["ratings"], b["ratings"])
    for b in per_site.values():
        total["response"] += b["response"]
        total["completion"] += b["completion"]
    return {
        "since": since, "until": until, "generated_at": now,
        "total": _finish(total),
        "sites": [{"site_code": code, "site_name": names.get(code, code), **_finish(per_site[code])}
                  for code in sorted(per_site)],
        "helpers": [{"user_id": uid, "username": helpers.get(uid, {}).get("username"),
                     "display_name": helpers.get(uid, {}).get("display_name"), **_finish(b)}
                    for uid, b in sorted(per_helper.items(), key=lambda kv: -kv[1]["requests"])],
    }
