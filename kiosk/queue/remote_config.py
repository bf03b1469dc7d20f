"""Central kiosk configuration: versions of a site's default and of one kiosk's settings, delivered in the
heartbeat answer, rolled back when a kiosk reports a version invalid.

Contract
- A target is a site's default (``kiosk_id`` None) or one kiosk. Each change stores the target's whole
  override as a new version (1, 2, …) with its author, time and diff (``{key: [before, after]}``): the
  audit trail. Only keys :func:`kiosk.config.remote.remote_key` allows; values are checked by the kiosk's
  own schema over a stand-in file of the site (:func:`kiosk.config.remote.validate`). A change names the
  version it was made from (``base_version``); another manager's change in between is a 409.
- A kiosk's effective settings are its site's default overlaid by its own, from the newest version of each
  that no kiosk rolled back; their label is ``"<site version>.<kiosk version>"`` (``"0.0"``: none).
- :func:`on_heartbeat` stores what the kiosk says it runs (version, software, ``applied``/``invalid``). A
  kiosk reporting the label it was sent as invalid rolls back the newer of the two versions behind it (with
  the kiosk's reason) when that is the kiosk's own; the next answer then carries the previous settings. A
  site default is never rolled back by one kiosk (a broken kiosk, or a stolen kiosk token, would undo the
  managers' changes for every kiosk of the site): that kiosk keeps what it ran (it ignores a version it
  refused) and shows ``invalid`` with its reason to the managers, who change the default or the kiosk.
- :func:`show` of a kiosk that is not the named site's answers 404 ``kiosk``: a manager of one site never
  reads another site's kiosk (what it runs, its errors) by naming her own site.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, select, update

from kiosk.config.remote import validate
from kiosk.queue.db import Database
from kiosk.queue.errors import NotFound
from kiosk.queue.models import kiosk_settings, kiosks, sites

T = kiosk_settings.c


def _target(kiosk_id: str | None):
    return T.kiosk_id.is_(None) if kiosk_id is None else T.kiosk_id == kiosk_id


def _latest(conn: Connection, site: str, kiosk_id: str | None, live_only: bool) -> dict | None:
    stmt = select(kiosk_settings).where(T.site_code == site, _target(kiosk_id))
    if live_only:
        stmt = stmt.where(T.rolled_back_at.is_(None))
    row = conn.execute(stmt.order_by(T.version.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def effective(conn: Connection, site: str, kiosk_id: str) -> dict:
    """``{version, settings, rows}`` a kiosk should run (rows: the versions behind it, for rollback)."""
    base, own = _latest(conn, site, None, True), _latest(conn, site, kiosk_id, True)
    settings = {**(base["settings"] if base else {}), **(own["settings"] if own else {})}
    label = f"{base['version'] if base else 0}.{own['version'] if own else 0}"
    return {"version": label, "settings": settings, "rows": [r for r in (base, own) if r]}


def _stand_in(conn: Connection, site: str, kiosk_id: str | None, lock: bool = False) -> dict:
    stmt = select(sites.c.code, sites.c.name, sites.c.level).where(sites.c.code == site)
    row = conn.execute(stmt.with_for_update() if lock else stmt).first()  # lock: one change of a site at a time
    if row is None:
        raise ValueError(f"没有站点 {site[:32]}")
    return {"kiosk_id": kiosk_id or "site-default", "site": {"code": row.code, "name": row.name, "level": row.level}}


def change(db: Database, site: str, kiosk_id: str | None, changes: dict, base_version: int | None, author: str,
           now: datetime) -> dict:
    """Stores a new version of the target with ``changes`` (a value None removes the key). Raises
    ``ValueError`` (problems, one a line) for a bad change and ``LookupError`` for a stale ``base_version``."""
    with db.write() as conn:
        if kiosk_id is not None:
            owner = conn.execute(select(kiosks.c.site_code).where(kiosks.c.kiosk_id == kiosk_id)).scalar()
            if owner != site:
                raise ValueError(f"站点 {site[:32]} 没有终端 {kiosk_id[:64]}")
        data = _stand_in(conn, site, kiosk_id, lock=True)  # PostgreSQL: concurrent changes wait, then see 409
        latest = _latest(conn, site, kiosk_id, False)
        version = latest["version"] if latest else 0
        if base_version is not None and base_version != version:
            raise LookupError(version)
        current = _latest(conn, site, kiosk_id, True)
        before = dict(current["settings"]) if current else {}
        after = {**before, **{k: v for k, v in changes.items() if v is not None}}
        for key in [k for k, v in changes.items() if v is None]:
            after.pop(key, None)
        inherited = effective(conn, site, kiosk_id)["settings"] if kiosk_id else {}
        problems = validate(data, {**inherited, **after}, kiosk_files=False) if after else []
        if problems:
            raise ValueError("\n".join(problems))
        diff = {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}
        if not diff:
            raise ValueError("没有改动 (nothing changed)")
        conn.execute(kiosk_settings.insert().values(site_code=site, kiosk_id=kiosk_id, version=version + 1,
                                                    settings=after, diff=diff, author=author[:96], created_at=now))
    return show(db, site, kiosk_id)


def show(db: Database, site: str, kiosk_id: str | None, history: int = 20) -> dict:
    """A target's current override, its version history (newest first) and, for a kiosk, what it runs."""
    with db.read() as conn:
        _stand_in(conn, site, kiosk_id)
        rows = conn.execute(select(kiosk_settings).where(T.site_code == site, _target(kiosk_id))
                            .order_by(T.version.desc()).limit(history)).mappings().all()
        current = _latest(conn, site, kiosk_id, True)
        out = {"site_code": site, "kiosk_id": kiosk_id, "version": rows[0]["version"] if rows else 0,
               "settings": current["settings"] if current else {},
               "history": [{k: r[k] for k in ("version", "diff", "author", "created_at", "rolled_back_at",
                                              "rollback_reason")} for r in rows]}
        if kiosk_id is not None:
            k = conn.execute(select(kiosks).where(kiosks.c.kiosk_id == kiosk_id)).mappings().first()
            if k is None or k["site_code"] != site:
                raise NotFound("kiosk", id=kiosk_id[:64])
            eff = effective(conn, site, kiosk_id)
            out.update(effective={"version": eff["version"], "settings": eff["settings"]},
                       running={"version": k["config_version"], "status": k["config_status"],
                                "error": k["config_error"], "software_version": k["software_version"],
                                "catalog_version": k["catalog_version"]})
    return out


def on_heartbeat(conn: Connection, site: str, kiosk_id: str, body, now: datetime) -> dict:
    """Stores what the kiosk runs, rolls back a version it found invalid; the answer's ``config``."""
    status = "invalid" if body.config_problems else ("applied" if body.config_version else None)
    error = "; ".join(body.config_problems)[:300] if body.config_problems else None
    values = {"config_status": status, "config_error": error}
    if body.config_version is not None:
        values["config_version"] = body.config_version
    if body.software_version is not None:
        values["software_version"] = body.software_version
    if body.catalog_version is not None:
        values["catalog_version"] = body.catalog_version
    conn.execute(update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(**values))
    eff = effective(conn, site, kiosk_id)
    if body.config_problems and body.config_rejected == eff["version"] and eff["rows"]:
        newest = max(eff["rows"], key=lambda r: r["id"])  # the later change
        if newest["kiosk_id"] == kiosk_id:  # the site's default is not one kiosk's to undo
            conn.execute(update(kiosk_settings).where(and_(T.id == newest["id"], T.rolled_back_at.is_(None)))
                         .values(rolled_back_at=now, rollback_reason=f"{kiosk_id}: {error}"[:300]))
            eff = effective(conn, site, kiosk_id)
    return {"version": eff["version"], "settings": eff["settings"]}
