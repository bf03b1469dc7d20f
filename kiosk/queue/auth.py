"""Who is calling: kiosk tokens, staff passwords (argon2), sessions, lock-out, sites each one may see.

Contract
- Kiosks present ``Authorization: Bearer kqk_…``; only the token's SHA-256 is stored. A kiosk acts only
  for itself and its site.
- Staff log in with a password (argon2id). Accounts are never locked: guessing is slowed down by
  :mod:`kiosk.queue.throttle` before this module is asked. A wrong name, a wrong password and a disabled
  account answer alike (:class:`~kiosk.queue.errors.Unauthorized` ``bad_login``, after a password check
  of the same cost). A login returns a session token (``kqs_…``, stored hashed) used as bearer token or as
  the ``kq_session`` cookie.
- :class:`Principal` says what a caller may see: helpers and managers their own sites, supervisors their
  sites and every site below them. Requests escalated to a site are visible there too (see store).
- Principals are cached per process for ``live_cache_s`` (5 minutes) while the process hears revocations
  (:mod:`kiosk.queue.auth_listen`: logout, deactivation, changed sites or roles in any process or tool
  take effect everywhere as soon as PostgreSQL delivers the NOTIFY, milliseconds, or the SQLite server's
  next look at migration 0017's counter, half a second), else for ``cache_s`` (a few seconds).
  A session is never answered from the cache past its expiry.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update

from kiosk.queue.auth_listen import AuthListener, SqliteAuthWatch
from kiosk.queue.crypto import KIOSK_TOKEN_PREFIX, SESSION_TOKEN_PREFIX, hash_token, new_token
from kiosk.queue.db import Database
from kiosk.queue.errors import Forbidden, Unauthorized
from kiosk.queue.models import sessions, sites, user_sites, users

_PG_SESSION = ("SELECT u.id, u.username, u.display_name, u.role, u.active, s.expires_at, "
               "ARRAY(SELECT site_code FROM user_sites WHERE user_id = u.id) "
               "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = %s")
# OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): strong, yet a login costs ~0.1 s on a small server.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_dummy: dict[PasswordHasher, str] = {}


def _dummy_hash() -> str:
    """A hash verified for unknown users, so their login takes as long as a wrong password."""
    if _hasher not in _dummy:
        _dummy[_hasher] = _hasher.hash("not a password: equalises timing for unknown users")
    return _dummy[_hasher]


@dataclass(frozen=True)
class Principal:
    kind: str  # "kiosk" | "user"
    site_code: str | None = None  # kiosks
    kiosk_id: str | None = None
    location: str = ""  # kiosks: where it stands in the hall
    user_id: int | None = None
    username: str | None = None
    display_name: str | None = None
    role: str | None = None
    sites: frozenset[str] = field(default_factory=frozenset)  # assigned
    visible: frozenset[str] = field(default_factory=frozenset)  # assigned + below (supervisors)
    expires_at: datetime | None = None  # staff: when this session ends

    @property
    def actor(self) -> str:
        return f"kiosk:{self.kiosk_id}" if self.kind == "kiosk" else f"user:{self.username}"

    @property
    def is_manager(self) -> bool:
        return self.role in ("manager", "supervisor")


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValueError("the password must have at least 8 characters")
    return _hasher.hash(password)


def descendants(conn, codes: frozenset[str]) -> frozenset[str]:
    """``codes`` plus every site below them (following parent_code)."""
    children: dict[str | None, list[str]] = {}
    for code, parent in conn.execute(select(sites.c.code, sites.c.parent_code)):
        children.setdefault(parent, []).append(code)
    out, todo = set(codes), list(codes)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return frozenset(out)


MAX_SESSIONS = 20  # one account's open sessions (phone, desk, spare browsers…); a login past it ends the oldest


class Authenticator:
    """Resolves tokens to principals and runs logins; one per server process."""

    def __init__(self, db: Database, clock: Callable[[], datetime], *, session_ttl_s: int = 12 * 3600,
                 cache_s: float = 5.0, live_cache_s: float = 300.0):
        self.db, self.clock = db, clock
        self.session_ttl_s, self.cache_s, self.live_cache_s = session_ttl_s, cache_s, live_cache_s
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()
        self.generation = 0  # revocations heard (a lookup begun before one is not cached)
        self._listener: AuthListener | SqliteAuthWatch | None = None
        if db.is_postgres:
            self._listener = AuthListener(db.conninfo(), self._changed)
        elif db.is_sqlite:
            self._listener = SqliteAuthWatch(db, self._changed)
        if self._listener is not None:
            db.on_dispose(self._listener.stop)

    @property
    def listening(self) -> bool:
        """Revocations made by any process reach this one (the long cache applies)."""
        return self._listener is not None and self._listener.listening

    def _changed(self, what: str) -> None:
        """A revocation heard (:mod:`kiosk.queue.auth_listen`): forget what it concerns."""
        with self._lock:
            self.generation += 1
            kind, _, key = what.partition(":")
            if kind == "token":
                self._cache.pop(key, None)
            elif kind == "user" and key.isdigit():
                for th in [th for th, (_, p) in self._cache.items() if p.user_id == int(key)]:
                    del self._cache[th]
            else:
                self._cache.clear()

    def _cached(self, token_hash: str) -> Principal | None:
        hit = self._cache.get(token_hash)
        if hit and hit[0] > time.monotonic():
            expires = hit[1].expires_at
            if expires is None or expires > self.clock():
                return hit[1]
        return None

    def _remember(self, token_hash: str, principal: Principal, generation: int) -> Principal:
        """Caches ``principal`` (this long: :attr:`live_cache_s` while revocations are heard, else
        :attr:`cache_s`; nothing when ``cache_s`` is 0), unless a revocation was heard since the lookup began."""
        ttl = max(self.cache_s, self.live_cache_s) if self.cache_s > 0 and self.listening else self.cache_s
        with self._lock:
            if generation != self.generation:
                return principal
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[token_hash] = (time.monotonic() + ttl, principal)
        return principal

    async def principal_async(self, token: str | None, run) -> Principal:
        """:meth:`principal` from the event loop: a cached caller answered at once, else looked up through
        ``run`` (the context's: a thread on PostgreSQL)."""
        if token:
            hit = self._cached(hash_token(token))
            if hit:
                return hit
        return await run(self.principal, token)

    def principal(self, token: str | None) -> Principal:
        """The caller behind ``token``; raises Unauthorized for a missing, unknown or expired token."""
        if not token:
            raise Unauthorized("no_token")
        th = hash_token(token)
        hit = self._cached(th)
        if hit:
            return hit
        if self._listener is not None and self.cache_s > 0:
            self._listener.start()  # (once)
        generation = self.generation
        if token.startswith(KIOSK_TOKEN_PREFIX):
            row = self._kiosk_row(th)
            if not row or not row["active"]:
                raise Unauthorized("bad_token")
            return self._remember(th, Principal("kiosk", site_code=row["site_code"], kiosk_id=row["kiosk_id"],
                                                location=row["location"], sites=frozenset([row["site_code"]])),
                                  generation)
        if token.startswith(SESSION_TOKEN_PREFIX) and self.db.is_postgres:  # one statement, no SQLAlchemy
            return self._remember(th, self._pg_session(th), generation)
        if token.startswith(SESSION_TOKEN_PREFIX):
            with self.db.read() as conn:
                row = conn.execute(
                    select(users, sessions.c.expires_at).join(sessions, sessions.c.user_id == users.c.id)
                    .where(sessions.c.token_hash == th)
                ).mappings().first()
                if not row or not row["active"] or row["expires_at"] <= self.clock():
                    raise Unauthorized("session_expired")
                return self._remember(th, self._user_principal(conn, row), generation)
        raise Unauthorized("bad_token")

    def _kiosk_row(self, token_hash: str) -> dict | None:
        """The kiosk holding this token (every kiosk call on a cache miss: plain sqlite3 on SQLite)."""
        if self.db.is_sqlite:
            with self.db.raw_read() as raw:
                found = raw.execute("SELECT site_code, kiosk_id, location, active FROM kiosks WHERE token_hash = ?",
                                    (token_hash,)).fetchone()
            return dict(zip(("site_code", "kiosk_id", "location", "active"), found, strict=True)) if found else None
        with self.db.raw_pg() as raw:
            found = raw.execute("SELECT site_code, kiosk_id, location, active FROM kiosks WHERE token_hash = %s",
                                (token_hash,)).fetchone()
        return dict(zip(("site_code", "kiosk_id", "location", "active"), found, strict=True)) if found else None

    def _pg_session(self, token_hash: str) -> Principal:
        """PostgreSQL: the session's user and their sites in one statement (psycopg, prepared once used)."""
        with self.db.raw_pg() as raw:
            found = raw.execute(_PG_SESSION, (token_hash,)).fetchone()
        if not found:
            raise Unauthorized("session_expired")
        row = dict(zip(("id", "username", "display_name", "role", "active", "expires_at", "sites"), found, strict=True))
        row["expires_at"] = row["expires_at"].replace(tzinfo=UTC)
        if not row["active"] or row["expires_at"] <= self.clock():
            raise Unauthorized("session_expired")
        assigned = frozenset(row["sites"])
        if row["role"] == "supervisor":
            with self.db.read() as conn:
                return self._user_principal(conn, row)
        return Principal("user", user_id=row["id"], username=row["username"], display_name=row["display_name"],
                         role=row["role"], sites=assigned, visible=assigned, expires_at=row["expires_at"])

    def _user_principal(self, conn, row) -> Principal:
        assigned = frozenset(conn.execute(
            select(user_sites.c.site_code).where(user_sites.c.user_id == row["id"])).scalars())
        visible = descendants(conn, assigned) if row["role"] == "supervisor" else assigned
        return Principal("user", user_id=row["id"], username=row["username"], display_name=row["display_name"],
                         role=row["role"], sites=assigned, visible=visible, expires_at=row.get("expires_at"))

    def login(self, username: str, password: str) -> tuple[str, datetime, Principal]:
        """Checks the password; returns (session token, expiry, principal). Raises Unauthorized
        ``bad_login`` for a wrong name, a wrong password or a disabled account alike."""
        now = self.clock()
        with self.db.read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
        if row is None or not row["active"]:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_dummy_hash(), password)
            raise Unauthorized("bad_login")
        try:
            _hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            raise Unauthorized("bad_login") from None
        token = new_token(SESSION_TOKEN_PREFIX)
        expires = now + timedelta(seconds=self.session_ttl_s)
        with self.db.write() as conn:
            conn.execute(update(users).where(users.c.id == row["id"]).values(
                failed_logins=0, locked_until=None, on_duty=True, last_seen_at=now))
            conn.execute(delete(sessions).where(sessions.c.user_id == row["id"], sessions.c.expires_at <= now))
            conn.execute(sessions.insert().values(token_hash=hash_token(token), user_id=row["id"],
                                                  created_at=now, expires_at=expires))
            _end_oldest(conn, row["id"], keep=hash_token(token))
            principal = self._user_principal(conn, {**row, "on_duty": True, "expires_at": expires})
        return token, expires, principal

    def logout(self, token: str) -> None:
        th = hash_token(token)
        with self.db.write() as conn:
            user_id = conn.execute(select(sessions.c.user_id).where(sessions.c.token_hash == th)).scalar()
            conn.execute(delete(sessions).where(sessions.c.token_hash == th))
            if user_id is not None:
                others = conn.execute(select(sessions.c.token_hash).where(sessions.c.user_id == user_id)).first()
                if others is None:
                    conn.execute(update(users).where(users.c.id == user_id).values(on_duty=False))
        with self._lock:
            self._cache.pop(th, None)


def _end_oldest(conn, user_id: int, keep: str) -> None:
    """Ends the account's oldest sessions beyond :data:`MAX_SESSIONS` (never ``keep``, the one just made):
    logins cannot pile up rows without end. The revocation reaches every process as a logout does."""
    others = conn.execute(select(sessions.c.token_hash).where(sessions.c.user_id == user_id,
                                                              sessions.c.token_hash != keep)
                          .order_by(sessions.c.created_at.desc(), sessions.c.expires_at.desc())).scalars().all()
    if len(others) >= MAX_SESSIONS:
        conn.execute(delete(sessions).where(sessions.c.token_hash.in_(others[MAX_SESSIONS - 1:])))


def require_user(p: Principal, *roles: str) -> Principal:
    """``p`` if it is a staff member (with one of ``roles`` when given); Forbidden otherwise."""
    if p.kind != "user":
        raise Forbidden("staff_only")
    if roles and p.role not in roles:
        raise Forbidden("role", roles="/".join(roles))
    return p


def require_kiosk(p: Principal) -> Principal:
    if p.kind != "kiosk":
        raise Forbidden("kiosk_only")
    return p


def issue_kiosk_token() -> tuple[str, str]:
    """(token shown once, hash to store)."""
    token = new_token(KIOSK_TOKEN_PREFIX)
    return token, hash_token(token)
