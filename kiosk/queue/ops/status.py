"""``kiosk queue status``: what a district's IT asks first. Version; the database and its migrations
(current against the newest this version knows); the running server (asked over HTTP(S) with the
operator token: consoles connected to it now); each kiosk's last heartbeat and problems; the queue's
lengths per site and state; open 代办 cases. :func:`gather` returns data, :func:`render` the text."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from kiosk import __version__
from kiosk.queue.db import Database
from kiosk.queue.health import problems
from kiosk.queue.models import cases, kiosks, requests, users
from kiosk.queue.ops.inspect import head_revision, revision
from kiosk.queue.states import OPEN_STATES


def _ask_live(url: str, token: str | None, ca_file: str | None) -> dict:
    import ssl

    import httpx

    from kiosk.queue.ops.live import PATH

    verify = ssl.create_default_context(cafile=ca_file) if ca_file else True
    try:
        r = httpx.get(url.rstrip("/") + PATH, headers={"Authorization": f"Bearer {token or ''}"}, timeout=5,
                      verify=verify)
    except httpx.HTTPError as err:
        return {"url": url, "error": f"not reachable ({err.__class__.__name__}: {err})"}
    if r.status_code != 200:
        return {"url": url, "error": f"answered {r.status_code} (another server, or another key?)"}
    return {"url": url, **r.json()}


def gather(db_url: str, *, now: datetime | None = None, server_urls: list[str] = (), token: str | None = None,
           ca_file: str | None = None) -> dict:
    """Everything :func:`render` shows, as data (the ``--json`` output)."""
    now = now or datetime.now(UTC)
    db = Database(db_url)
    try:
        current, head = revision(db), head_revision()
        if current is None:
            return {"version": __version__, "database": _where(db), "revision": None, "head_revision": head}
        with db.read() as conn:
            kiosk_rows = [dict(r) for r in conn.execute(select(kiosks).where(kiosks.c.active)
                                                        .order_by(kiosks.c.site_code, kiosks.c.kiosk_id)).mappings()]
            open_requests = conn.execute(select(requests.c.site_code, requests.c.state, func.count())
                                         .where(requests.c.state.in_([str(s) for s in OPEN_STATES]))
                                         .group_by(requests.c.site_code, requests.c.state)).all()
            open_cases = conn.execute(select(cases.c.state, func.count()).where(cases.c.closed_at.is_(None))
                                      .group_by(cases.c.state)).all()
            on_duty = conn.execute(select(func.count()).select_from(users)
                                   .where(users.c.on_duty, users.c.active)).scalar_one()
    finally:
        db.dispose()
    out_kiosks = []
    for k in kiosk_rows:
        quiet, codes = problems(k, now)
        seen = k["last_seen_at"]
        out_kiosks.append({"kiosk_id": k["kiosk_id"], "site": k["site_code"], "location": k["location"],
                           "last_heartbeat": seen.isoformat() if seen else None,
                           "seconds_ago": round((now - seen).total_seconds()) if seen else None,
                           "connected": not quiet, "problems": [c for c in codes if c != "quiet"]})
    queue: dict[str, Counter] = {}
    for site, state, n in open_requests:
        queue.setdefault(site, Counter())[state] = n
    return {"version": __version__, "database": _where(db), "revision": current, "head_revision": head,
            "up_to_date": current == head, "kiosks": out_kiosks,
            "queue": {site: dict(states) for site, states in sorted(queue.items())},
            "cases_open": dict(open_cases), "staff_on_duty": on_duty,
            "servers": [_ask_live(url, token, ca_file) for url in server_urls]}


def _where(db: Database) -> str:
    if db.is_sqlite:
        path = Path(db.engine.url.database)
        size = path.stat().st_size if path.exists() else 0
        return f"sqlite {path} ({size / 1e6:.1f} MB)"
    return f"postgresql {db.engine.url.render_as_string(hide_password=True)}"


def _ago(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def render(s: dict) -> str:
    lines = [f"kiosk {s['version']}", f"database: {s['database']}"]
    if s["revision"] is None:
        lines.append(f"migrations: none applied (newest {s['head_revision']}); `kiosk queue serve` migrates at start")
        return "\n".join(lines) + "\n"
    state = "up to date" if s["up_to_date"] else "BEHIND: restart the server (it migrates at start)"
    lines.append(f"migrations: {s['revision']} (newest {s['head_revision']}: {state})")
    for server in s["servers"]:
        if "error" in server:
            lines.append(f"server {server['url']}: {server['error']}")
        else:
            up = _ago(round(datetime.now(UTC).timestamp() - server["started_at"])).replace(" ago", "")
            lines.append(f"server {server['url']}: running (pid {server['pid']}, up {up}, kiosk "
                         f"{server['version']}), {server['consoles']} console(s) connected"
                         + (f" across its machine's {n} processes" if (n := len(server.get("processes", []))) > 1 else ""))
    connected = sum(k["connected"] for k in s["kiosks"])
    lines.append(f"kiosks: {connected} of {len(s['kiosks'])} connected (a heartbeat within 3 intervals)")
    for k in s["kiosks"]:
        flag = "ok" if k["connected"] and not k["problems"] else ", ".join(
            (["quiet"] if not k["connected"] else []) + k["problems"])
        lines.append(f"  {k['kiosk_id']:<16} {k['site']:<12} last heartbeat {_ago(k['seconds_ago']):<12} {flag}")
    lines.append(f"staff on duty: {s['staff_on_duty']}")
    if not s["queue"]:
        lines.append("queue: empty")
    for site, states in s["queue"].items():
        parts = ", ".join(f"{state} {n}" for state, n in sorted(states.items()))
        lines.append(f"queue {site}: {parts}")
    if s["cases_open"]:
        lines.append("代办 cases open: " + ", ".join(f"{k} {v}" for k, v in sorted(s["cases_open"].items())))
    return "\n".join(lines) + "\n"
