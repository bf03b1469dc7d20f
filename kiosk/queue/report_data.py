"""What the daily and monthly 督查 report says, computed once for its HTML, xlsx and PDF forms.

Contract
- :func:`parse_period` takes ``2026-12`` (a month) or ``2026-12-03`` (a day); anything else raises
  ``ValueError`` saying what to give.
- :func:`build` answers, for a site and every site below it (the district: all its towns) over the period's
  China days: ``figures`` — exactly :func:`kiosk.queue.figures.figures` for that scope and range, the very
  numbers ``GET /api/v1/figures?since=&until=`` gives a supervisor of the site — plus a per-day series
  (requests, claimed, 代办 registered), the kiosks' downtime, and the daily anchors of the ledger (the hash
  of each site's last entry written before the period's last day ended; a day not over yet has none).
- Kiosk downtime comes from the heartbeat history the server keeps (``heartbeat_days``, 7 by default; set it
  above 31 for monthly reports): a kiosk counts as down while no heartbeat came for more than three of its
  intervals, and before its first / after its last heartbeat within the period. ``covered_since`` says from
  when history exists; time before it is reported as unknown, never as down.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, func, select

from kiosk.queue.auth import descendants
from kiosk.queue.case_states import CHINA, local_day
from kiosk.queue.figures import figures
from kiosk.queue.models import cases, heartbeats, kiosks, requests, sites
from kiosk.queue.verify import anchor

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    kind: str  # "day" | "month"
    since: date
    until: date

    @property
    def label(self) -> str:
        return f"{self.since:%Y年%m月%d日}" if self.kind == "day" else f"{self.since:%Y年%m月}"

    @property
    def slug(self) -> str:
        return f"{self.since:%Y-%m-%d}" if self.kind == "day" else f"{self.since:%Y-%m}"


def parse_period(text: str) -> Period:
    """``YYYY-MM`` (a month) or ``YYYY-MM-DD`` (a day), between 2000 and 2100."""
    text = (text or "").strip()
    try:
        if m := _MONTH.match(text):
            year, month = int(m.group(1)), int(m.group(2))
            first = date(year, month, 1)
            period = Period("month", first, date(year, month, calendar.monthrange(year, month)[1]))
        elif m := _DAY.match(text):
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            period = Period("day", day, day)
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"period '{text}' is neither a month (2026-12) nor a day (2026-12-03)") from None
    if not date(2000, 1, 1) <= period.since <= date(2100, 12, 31):
        raise ValueError(f"period '{text}' is outside 2000–2100")
    return period


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, CHINA)


def daily(conn: Connection, scope: list[str], period: Period) -> list[dict]:
    """Per China day: requests created, of which claimed, and 代办 cases registered."""
    days = {period.since + timedelta(days=n): {"requests": 0, "claimed": 0, "cases": 0}
            for n in range((period.until - period.since).days + 1)}
    start, end = _start(period.since), _start(period.until + timedelta(days=1))
    r = requests.c
    for created, claimed in conn.execute(select(r.created_at, r.claimed_at).where(
            r.site_code.in_(scope), r.created_at >= start, r.created_at < end)):
        bucket = days[local_day(created)]
        bucket["requests"] += 1
        bucket["claimed"] += claimed is not None
    for (registered,) in conn.execute(select(cases.c.registered_at).where(
            cases.c.site_code.in_(scope), cases.c.registered_at >= start, cases.c.registered_at < end)):
        days[local_day(registered)]["cases"] += 1
    return [{"day": d, **v} for d, v in sorted(days.items())]


def downtime(conn: Connection, scope: list[str], start: datetime, end: datetime, now: datetime) -> dict:
    """Each active kiosk's time without heartbeats (see the module docstring), longest first."""
    end = min(end, now)
    covered = conn.execute(select(func.min(heartbeats.c.received_at))).scalar()
    since = max(start, covered) if covered else end
    rows = conn.execute(select(kiosks.c.kiosk_id, kiosks.c.site_code, kiosks.c.location, kiosks.c.created_at,
                               kiosks.c.heartbeat_interval_s).where(kiosks.c.site_code.in_(scope), kiosks.c.active)
                        .order_by(kiosks.c.kiosk_id)).mappings().all()
    beats: dict[str, list[datetime]] = defaultdict(list)
    if rows and since < end:
        for kiosk_id, at in conn.execute(select(heartbeats.c.kiosk_id, heartbeats.c.received_at).where(
                heartbeats.c.kiosk_id.in_([k["kiosk_id"] for k in rows]), heartbeats.c.received_at >= since,
                heartbeats.c.received_at < end).order_by(heartbeats.c.received_at)):
            beats[kiosk_id].append(at)
    out = []
    for k in rows:
        lo = max(since, k["created_at"])
        if lo >= end:
            continue
        quiet = timedelta(seconds=3 * k["heartbeat_interval_s"])
        down, last = 0.0, lo
        for at in beats[k["kiosk_id"]] + [end]:
            if at - last > quiet:
                down += (at - last).total_seconds()
            last = at
        out.append({"kiosk_id": k["kiosk_id"], "site_code": k["site_code"], "location": k["location"],
                    "down_s": round(down), "watched_s": round((end - lo).total_seconds())})
    out.sort(key=lambda k: (-k["down_s"], k["kiosk_id"]))
    return {"covered_since": since if since < end else None, "until": end, "kiosks": out}


def build(conn: Connection, svc, site_code: str, period: Period, now: datetime,
          visible: frozenset[str] | None = None) -> dict:
    """Everything the report shows for ``site_code`` and the sites below it (of those, only ``visible``
    ones when given: a caller's); ``svc`` a CaseService. Unknown site: ``LookupError``."""
    site = conn.execute(select(sites).where(sites.c.code == site_code)).mappings().first()
    if site is None:
        raise LookupError(site_code)
    scope = descendants(conn, frozenset({site_code}))
    if visible is not None:
        scope &= visible
    ordered = sorted(scope)
    start, end = _start(period.since), _start(period.until + timedelta(days=1))
    anchors = []
    if end <= now:
        names = dict(conn.execute(select(sites.c.code, sites.c.name).where(sites.c.code.in_(ordered))).all())
        for code in ordered:
            found = anchor(conn, code, period.until)
            if found:
                anchors.append({"site_code": code, "site_name": names.get(code, code), "day": period.until,
                                "seq": found[0], "hash": found[1]})
    return {"site": {"code": site["code"], "name": site["name"], "level": site["level"]}, "period": period,
            "generated_at": now, "figures": figures(conn, svc, scope, period.since, period.until, now),
            "daily": daily(conn, ordered, period), "downtime": downtime(conn, ordered, start, end, now),
            "anchors": anchors}
