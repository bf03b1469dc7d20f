"""Callers are cached long, yet a revocation made in any process takes effect in every process at once
(kiosk/queue/auth_listen.py; PostgreSQL: migration 0016's triggers notify, SQLite: 0017's triggers bump a
counter the server polls): logout, a deactivated user or kiosk, a user's sites changed. Two contexts on one
database stand for two processes (on SQLite: the server and a ``kiosk queue`` command beside it); each
caches for an hour, so only the revocation's wake-up can make the other refuse."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import delete, update

from kiosk.queue.crypto import hash_token
from kiosk.queue.errors import Unauthorized
from kiosk.queue.models import user_sites
from kiosk.queue.provision import set_kiosk_active, set_user_active

pytestmark = pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                                     indirect=True)
HOUR = 3600.0


@pytest.fixture
def other(ctx):
    """A second server process's context on the same database."""
    from kiosk.queue.api import build_context

    second = build_context(ctx.settings)
    yield second
    second.db.dispose()


def _long(*contexts) -> None:
    for c in contexts:
        c.auth.cache_s = c.auth.live_cache_s = HOUR


def _eventually(check, seconds: float = 15.0):
    """``check()`` until it returns a true value; the wake-up takes milliseconds, the margin is for a
    loaded machine (the cache would hold the caller for an hour)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def _cache_in(auth, token):
    """Looks ``token`` up in ``auth`` once it hears revocations (the first look-up starts its listener);
    it is then cached there."""
    auth.principal(token)
    assert _eventually(lambda: auth.listening)
    principal = auth.principal(token)
    assert auth._cached(hash_token(token)) == principal
    return principal


def _refused(auth, token) -> bool:
    try:
        auth.principal(token)
    except Unauthorized:
        return True
    return False


def test_logout_in_one_process_ends_the_session_in_the_other(ctx, other, world):
    _long(ctx, other)
    token = world.token("li")
    assert _cache_in(other.auth, token).username == "li"
    ctx.auth.logout(token)
    assert _eventually(lambda: _refused(other.auth, token))


def test_deactivated_user_and_kiosk_are_refused_in_every_process(ctx, other, world):
    _long(ctx, other)
    token, kiosk = world.token("wang"), world.kiosk_tokens["k2"]
    assert _cache_in(other.auth, token).username == "wang"
    assert _cache_in(other.auth, kiosk).kiosk_id == "k2"
    set_user_active(ctx.db, "wang", False)
    set_kiosk_active(ctx.db, "k2", False)
    assert _eventually(lambda: _refused(other.auth, token) and _refused(other.auth, kiosk))


def test_changed_sites_are_seen_in_every_process(ctx, other, world):
    _long(ctx, other)
    token = world.token("zhao")
    assert _cache_in(other.auth, token).visible == {"T2"}
    with ctx.db.write() as conn:
        conn.execute(delete(user_sites).where(user_sites.c.user_id == world.user_ids["zhao"]))
        conn.execute(user_sites.insert().values(user_id=world.user_ids["zhao"], site_code="T1"))
    assert _eventually(lambda: other.auth.principal(token).visible == {"T1"})


def test_a_heartbeat_does_not_empty_the_cache(ctx, other, world):
    """Kiosks' heartbeats and staff's last-seen times change those rows all the time: no wake-up."""
    from kiosk.queue.models import kiosks, users

    _long(ctx, other)
    kiosk = world.kiosk_tokens["k1"]
    _cache_in(other.auth, kiosk)
    generation = other.auth.generation
    with ctx.db.write() as conn:
        conn.execute(update(kiosks).values(last_seen_at=ctx.settings.clock()))
        conn.execute(update(users).values(last_seen_at=ctx.settings.clock(), on_duty=True))
    set_user_active(ctx.db, "li", False)  # then one that counts: the wake-ups arrive in commit order
    assert _eventually(lambda: other.auth.generation > generation)
    assert other.auth.generation == generation + 1
