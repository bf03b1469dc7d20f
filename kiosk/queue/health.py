"""Kiosk heartbeats and device health, one-time notices, staff on duty, and the periodic purge of old data.

Contract
- :meth:`HealthService.heartbeat` is idempotent by the heartbeat's id; it stores the history row and
  the kiosk's latest state (last seen, devices, outbox backlog).
- :meth:`HealthService.notice` records a one-time notice (一次性告知单) a kiosk printed, idempotent by its
  id, for the supervision figures; it holds no resident data.
- A kiosk is *quiet* when it sent nothing for more than 3 heartbeat intervals. Problems are machine
  codes (``quiet``, ``paper_near_end``, ``paper_out``, ``reader_not_answering``, ``<device>_<state>``);
  the console translates them.
- :meth:`HealthService.purge` bounds what is kept: heartbeat history older than ``heartbeat_days``,
  expired sessions, and residents' encrypted identity ``identity_hours`` after a request closed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from kiosk.queue import store
from kiosk.queue.auth import Principal, require_kiosk, require_user
from kiosk.queue.db import Database
from kiosk.queue.errors import Conflict, Forbidden, NotFound
from kiosk.queue.inputs import safe_json
from kiosk.queue.models import heartbeats, kiosks, notices, requests, sessions, user_sites, users
from kiosk.queue.replay import check_notice
from kiosk.queue.states import ACTIVE_STATES

MAX_CLOCK_SKEW = timedelta(hours=12)  # as for requests: a kiosk clock further off is clamped
READER_DEVICES = ("idcard", "reader", "id_reader", "idcard_reader")


HISTORY_FLOOR = timedelta(seconds=1)  # a change of state is kept at most once a second


def _history_gap(interval_s: int | None) -> timedelta:
    """Unchanged beats are kept in the history at most every max(5 s, interval / 2): a kiosk's story needs
    no more, and a stolen kiosk token cannot fill the disk with beats (tests/queue/test_attack_heartbeat_history.py)."""
    return timedelta(seconds=max(5.0, (interval_s or 30) / 2))


def _kept_at(latest: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(latest["kept_at"]) if latest.get("kept_at") else None
    except (TypeError, ValueError):
        return None


def _newer(sent_at: datetime, latest: dict) -> bool:
    try:
        return not latest.get("sent_at") or sent_at > datetime.fromisoformat(latest["sent_at"])
    except (TypeError, ValueError):  # a row an older server stored, or naive against aware: take the beat
        return True


def stored_devices(latest: object) -> list[dict]:
    """The devices of a stored heartbeat, each within the bounds the API now enforces on the way in (rows
    stored by an older server may hold anything: one bad row must never break the health page)."""
    devices = latest.get("devices") if isinstance(latest, dict) else None
    out = []
    for dev in devices if isinstance(devices, list) else []:
        if not isinstance(dev, dict):
            continue
        state = dev.get("state")
        out.append({"device": str(dev.get("device") or "?")[:32],
                    "state": state if state in ("connected", "disconnected", "error", "disabled") else "error",
                    "reason": str(dev.get("reason") or "")[:200],
                    "detail": safe_json(dev.get("detail")) if isinstance(dev.get("detail"), dict) else {}})
    return out[:32]


def problems(kiosk: dict, now: datetime) -> tuple[bool, list[str]]:
    """(quiet, problem codes) for a kiosk row."""
    quiet, found = device_problems(kiosk, now)
    return quiet, [code for code, _device in found]


def device_problems(kiosk: dict, now: datetime) -> tuple[bool, list[tuple[str, str]]]:
    """(quiet, [(problem code, the device it is about: "" for ``quiet``)]) for a kiosk row."""
    seen = kiosk["last_seen_at"]
    quiet = seen is None or (now - seen).total_seconds() > 3 * kiosk["heartbeat_interval_s"]
    out = [("quiet", "")] if quiet else []
    for dev in stored_devices(kiosk["last_heartbeat"]):
        name, state = dev.get("device", "?"), dev.get("state")
        paper = (dev.get("detail") or {}).get("paper")
        if name == "printer" and paper in ("near_end", "out"):
            out.append((f"paper_{paper}", name))
        if name in READER_DEVICES and state in ("error", "disconnected"):
            out.append(("reader_not_answering", name))
        elif state in ("error", "disconnected"):
            out.append((f"{name}_{state}", name))
    return quiet, out


class HealthService:
    def __init__(self, db: Database, clock: Callable[[], datetime], *, heartbeat_days: int = 7,
                 identity_hours: float = 1.0):
        self.db, self.clock = db, clock
        self.heartbeat_days, self.identity_hours = heartbeat_days, identity_hours

    def heartbeat(self, kiosk: Principal, body) -> dict:
        """Stores the heartbeat; answers the settings the kiosk should run (kiosk/queue/remote_config.py)."""
        from kiosk.queue.remote_config import on_heartbeat

        require_kiosk(kiosk)
        if body.kiosk_id != kiosk.kiosk_id:
            raise Forbidden("kiosk_mismatch", kiosk=kiosk.kiosk_id, site=kiosk.site_code)
        now = self.clock()
        devices = [d.model_dump() for d in body.devices]
        with self.db.write() as conn:
            row = conn.execute(select(kiosks.c.last_heartbeat, kiosks.c.heartbeat_interval_s)
                               .where(kiosks.c.kiosk_id == body.kiosk_id)).first()
            before = row.last_heartbeat if row is not None and isinstance(row.last_heartbeat, dict) else {}
            kept_at = _kept_at(before)
            latest = {"devices": devices, "outbox_pending": body.outbox_pending, "sent_at": body.sent_at.isoformat(),
                      "kept_at": kept_at.isoformat() if kept_at else None}
            gap = _history_gap(body.interval_s or (row.heartbeat_interval_s if row is not None else None))
            changed = (before.get("devices"), before.get("outbox_pending")) != (devices, body.outbox_pending)
            due = kept_at is None or now - kept_at >= (HISTORY_FLOOR if changed else gap)
            values = dict(id=body.id, kiosk_id=body.kiosk_id, sent_at=body.sent_at, received_at=now,
                          outbox_pending=body.outbox_pending, devices=devices)
            stored = due and store.insert_ignore(conn, heartbeats, values, "id")
            if stored:
                latest["kept_at"] = now.isoformat()
            if stored or _newer(body.sent_at, before):  # a replay or a late beat from the outbox leaves the state
                kv: dict = {"last_seen_at": now, "last_heartbeat": latest}
                if body.interval_s:
                    kv["heartbeat_interval_s"] = body.interval_s
                conn.execute(update(kiosks).where(kiosks.c.kiosk_id == body.kiosk_id).values(**kv))
            return on_heartbeat(conn, kiosk.site_code, kiosk.kiosk_id, body, now)

    def notice(self, kiosk: Principal, body) -> dict:
        """Stores a printed one-time notice; ``created`` is False for a replay of a stored id."""
        require_kiosk(kiosk)
        if body.kiosk_id != kiosk.kiosk_id:
            raise Forbidden("kiosk_mismatch", kiosk=kiosk.kiosk_id, site=kiosk.site_code)
        now = self.clock()
        at = max(min(body.created_at, now), now - MAX_CLOCK_SKEW)
        with self.db.write() as conn:
            created = store.insert_ignore(conn, notices, dict(
                id=body.id, site_code=kiosk.site_code, kiosk_id=kiosk.kiosk_id, matter_id=body.matter_id,
                matter_name=body.matter_name, missing=body.missing, created_at=at, received_at=now), "id")
            if not created:  # a replay: the same notice, or 409 id_reused
                row = conn.execute(select(notices).where(notices.c.id == body.id)).mappings().first()
                if row["kiosk_id"] != kiosk.kiosk_id:
                    raise Conflict("id_taken", id=body.id)
                check_notice(row, body, MAX_CLOCK_SKEW)
        return {"id": body.id, "created": created}

    def kiosks(self, user: Principal, site_code: str | None = None) -> list[dict]:
        """Every kiosk of the manager's visible sites with its health, problems first."""
        require_user(user, "manager", "supervisor")
        scope = user.visible if site_code is None else {site_code} & user.visible
        now = self.clock()
        with self.db.read() as conn:
            rows = conn.execute(select(kiosks).where(kiosks.c.site_code.in_(list(scope)), kiosks.c.active)
                                .order_by(kiosks.c.site_code, kiosks.c.kiosk_id)).mappings().all()
        out = []
        for k in rows:
            quiet, found = device_problems(dict(k), now)
            probs = [code for code, _device in found]
            latest = k["last_heartbeat"] if isinstance(k["last_heartbeat"], dict) else {}
            pending = latest.get("outbox_pending")
            out.append({"kiosk_id": k["kiosk_id"], "site_code": k["site_code"], "location": k["location"],
                        "last_seen_at": k["last_seen_at"], "quiet": quiet,
                        "outbox_pending": pending if isinstance(pending, int) else None,
                        "devices": stored_devices(latest),
                        "problems": probs, "problem_devices": [device for _code, device in found],
                        "config_version": k["config_version"],
                        "config_status": k["config_status"], "config_error": k["config_error"],
                        "software_version": k["software_version"], "catalog_version": k["catalog_version"]})
        out.sort(key=lambda k: not k["problems"])
        return out

    def history(self, user: Principal, kiosk_id: str, limit: int = 50) -> list[dict]:
        require_user(user, "manager", "supervisor")
        with self.db.read() as conn:
            site = conn.execute(select(kiosks.c.site_code).where(kiosks.c.kiosk_id == kiosk_id)).scalar()
            if site is None or site not in user.visible:
                raise NotFound("kiosk", id=kiosk_id)
            rows = conn.execute(select(heartbeats).where(heartbeats.c.kiosk_id == kiosk_id)
                                .order_by(heartbeats.c.received_at.desc()).limit(limit)).mappings().all()
        return [dict(r) | {"devices": stored_devices({"devices": r["devices"]})} for r in rows]

    def staff(self, user: Principal) -> list[dict]:
        """Helpers and managers of the visible sites: on duty first, with the requests they hold."""
        require_user(user, "manager", "supervisor")
        with self.db.read() as conn:
            members = conn.execute(
                select(users.c.id, users.c.username, users.c.display_name, users.c.role, users.c.on_duty,
                       users.c.last_seen_at, user_sites.c.site_code)
                .join(user_sites, user_sites.c.user_id == users.c.id)
                .where(user_sites.c.site_code.in_(list(user.visible)), users.c.active)
            ).mappings().all()
            ids = {m["id"] for m in members}
            held = conn.execute(select(requests.c.id, requests.c.claimed_by).where(
                requests.c.claimed_by.in_(list(ids)), requests.c.state.in_([str(s) for s in ACTIVE_STATES])
            )).all()
        people: dict[int, dict] = {}
        for m in members:
            p = people.setdefault(m["id"], {k: m[k] for k in ("id", "username", "display_name", "role",
                                                              "on_duty", "last_seen_at")}
                                  | {"sites": [], "active_requests": []})
            p["sites"].append(m["site_code"])
        for request_id, helper in held:
            people[helper]["active_requests"].append(request_id)
        return sorted(people.values(), key=lambda p: (not p["on_duty"], p["display_name"]))

    def set_duty(self, user: Principal, on_duty: bool) -> None:
        require_user(user)
        with self.db.write() as conn:
            conn.execute(update(users).where(users.c.id == user.user_id).values(
                on_duty=on_duty, last_seen_at=self.clock()))

    def duty(self, user: Principal) -> bool:
        with self.db.read() as conn:
            return bool(conn.execute(select(users.c.on_duty).where(users.c.id == user.user_id)).scalar())

    def touch(self, user: Principal) -> None:
        with self.db.write() as conn:
            conn.execute(update(users).where(users.c.id == user.user_id).values(last_seen_at=self.clock()))

    def purge(self) -> dict[str, int]:
        now = self.clock()
        with self.db.write() as conn:
            hb = conn.execute(delete(heartbeats).where(
                heartbeats.c.received_at < now - timedelta(days=self.heartbeat_days))).rowcount
            ss = conn.execute(delete(sessions).where(sessions.c.expires_at <= now)).rowcount
            ids = conn.execute(update(requests).where(
                requests.c.resident_enc.is_not(None), requests.c.closed_at.is_not(None),
                requests.c.closed_at < now - timedelta(hours=self.identity_hours)).values(resident_enc=None)).rowcount
        return {"heartbeats": hb, "sessions": ss, "identities": ids}
