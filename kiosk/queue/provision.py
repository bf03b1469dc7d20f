"""Provisioning of sites, kiosks and staff accounts (used by ``kiosk queue add-…`` and by tests).

Contract: each function validates its input and raises ValueError with a message that says what was
wrong and what to do; nothing is half-written (one transaction each). Kiosk tokens are returned once
and only their hash is stored. Resetting a password (``add_user(update_existing=True)``) or disabling an
account ends every session of that user in the same transaction; a disabled kiosk's token stops working.
Servers hear it within a second (kiosk/queue/auth_listen.py; ``auth_cache_s``, 5 s, while they cannot)
and end open event streams too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update

from kiosk.config.levels import SITE_LEVELS, normal_level
from kiosk.queue.auth import hash_password, issue_kiosk_token
from kiosk.queue.db import Database
from kiosk.queue.models import kiosks, sessions, sites, user_sites, users
from kiosk.queue.states import ROLES

LEVELS = SITE_LEVELS
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
_PHONE = re.compile(r"^(|\+?[0-9][0-9 \-转]{2,30})$")  # a hall's number, extension with 转
_KIOSK = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def _site_exists(conn, code: str) -> bool:
    return conn.execute(select(sites.c.code).where(sites.c.code == code)).first() is not None


def add_site(db: Database, code: str, name: str, level: str, now: datetime, *, parent: str | None = None,
             escalate_after_s: int = 180, escalate_up_after_s: int = 600, expected_claim_s: int = 60,
             phone: str | None = None) -> bool:
    """Creates the site, or updates it when it exists (returns True when created). ``level`` is one of
    :data:`LEVELS` (a legacy spelling is stored as its current one: see :mod:`kiosk.config.levels`).
    ``phone``: the hall's public number printed on 代办 slips; None keeps the stored one, "" removes it."""
    if not _CODE.match(code):
        raise ValueError(f"site code '{code}' must be 1-32 letters, digits, '.', '_' or '-' (e.g. 421303)")
    if not name.strip() or len(name) > 64:
        raise ValueError("the site name must have 1-64 characters")
    level, _ = normal_level(level)
    if not (10 <= escalate_after_s < escalate_up_after_s <= 86400):
        raise ValueError("need 10 ≤ escalate-after < escalate-up-after ≤ 86400 seconds")
    values = dict(name=name.strip(), level=level, parent_code=parent, escalate_after_s=escalate_after_s,
                  escalate_up_after_s=escalate_up_after_s, expected_claim_s=expected_claim_s)
    if phone is not None:
        phone = phone.strip()
        if not _PHONE.match(phone):
            raise ValueError(f"site phone '{phone}' must be 3-32 digits, spaces, '-', '+' or 转 (e.g. 0722-3251234)")
        values["phone"] = phone or None
    with db.write() as conn:
        if parent is not None and (parent == code or not _site_exists(conn, parent)):
            raise ValueError(f"parent site '{parent}' does not exist; add it first with `kiosk queue add-site`")
        if _site_exists(conn, code):
            conn.execute(update(sites).where(sites.c.code == code).values(**values))
            return False
        conn.execute(sites.insert().values(code=code, created_at=now, **values))
        return True


def add_kiosk(db: Database, kiosk_id: str, site: str, now: datetime, *, location: str = "",
              rotate: bool = False, heartbeat_interval_s: int = 30) -> str:
    """Registers a kiosk and returns its new token (shown once). An existing kiosk gets a new token
    only with ``rotate`` (the old one stops working)."""
    if not _KIOSK.match(kiosk_id):
        raise ValueError(f"kiosk id '{kiosk_id}' must be 1-64 letters, digits, '.', '_' or '-'")
    if len(location) > 128:
        raise ValueError("the location must have at most 128 characters")
    token, token_hash = issue_kiosk_token()
    with db.write() as conn:
        if not _site_exists(conn, site):
            raise ValueError(f"site '{site}' does not exist; add it first with `kiosk queue add-site`")
        exists = conn.execute(select(kiosks.c.kiosk_id).where(kiosks.c.kiosk_id == kiosk_id)).first()
        if exists and not rotate:
            raise ValueError(f"kiosk '{kiosk_id}' exists; use --rotate to issue a new token (the old one stops)")
        values = dict(site_code=site, location=location, token_hash=token_hash, active=True,
                      heartbeat_interval_s=heartbeat_interval_s)
        if exists:
            conn.execute(update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(**values))
        else:
            conn.execute(kiosks.insert().values(kiosk_id=kiosk_id, created_at=now, **values))
    return token


def add_user(db: Database, username: str, role: str, site_codes: Iterable[str], password: str, now: datetime,
             *, display_name: str | None = None, update_existing: bool = False) -> int:
    """Creates a staff account (or, with ``update_existing``, resets its password, role and sites)."""
    codes = sorted({c.strip() for c in site_codes if c.strip()})
    if not _CODE.match(username) or len(username) > 64:
        raise ValueError(f"username '{username}' must be 1-32 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise ValueError(f"role '{role}' is not one of {', '.join(ROLES)}")
    if not codes:
        raise ValueError("give at least one site with --sites CODE[,CODE…]")
    display = (display_name or username).strip()[:64]
    pw_hash = hash_password(password)
    with db.write() as conn:
        missing = [c for c in codes if not _site_exists(conn, c)]
        if missing:
            raise ValueError(f"site(s) {', '.join(missing)} do not exist; add them with `kiosk queue add-site`")
        user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
        values = dict(display_name=display, role=role, password_hash=pw_hash, active=True,
                      failed_logins=0, locked_until=None)
        if user_id is not None:
            if not update_existing:
                raise ValueError(f"user '{username}' exists; use --update to reset password, role and sites")
            conn.execute(update(users).where(users.c.id == user_id).values(**values, on_duty=False))
            conn.execute(delete(user_sites).where(user_sites.c.user_id == user_id))
            conn.execute(delete(sessions).where(sessions.c.user_id == user_id))  # the old password's sessions end
        else:
            user_id = conn.execute(users.insert().values(username=username, created_at=now, on_duty=False,
                                                         **values)).inserted_primary_key[0]
        conn.execute(user_sites.insert(), [{"user_id": user_id, "site_code": c} for c in codes])
    return int(user_id)


def set_user_active(db: Database, username: str, active: bool) -> int:
    """Disables (ending every session at once) or enables a staff account; returns how many sessions ended."""
    with db.write() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
        if user_id is None:
            raise ValueError(f"no user '{username}'; see who exists with the console's staff list")
        values = {"active": active} if active else {"active": False, "on_duty": False}
        conn.execute(update(users).where(users.c.id == user_id).values(**values))
        return 0 if active else conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount


def set_kiosk_active(db: Database, kiosk_id: str, active: bool) -> None:
    """Disables a kiosk (its token stops working; it leaves the health page) or enables it again."""
    with db.write() as conn:
        if not conn.execute(update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(active=active)).rowcount:
            raise ValueError(f"no kiosk '{kiosk_id}'; register it with `kiosk queue add-kiosk`")
