"""Attack: sessions pile up. Every login added a sessions row and nothing bounded how many one account
held, so a script with one helper's password could add rows without end (and fill the login cache, which
empties itself at 10,000 tokens). Each account now keeps its newest ``MAX_SESSIONS`` sessions; a login
past that ends the oldest, which then answers 401 like any logged-out session."""

from __future__ import annotations

import pytest

from kiosk.queue.errors import Unauthorized
from tests.queue.conftest import PASSWORD


def _rows(ctx, user_id: int) -> int:
    from sqlalchemy import func, select

    from kiosk.queue.models import sessions

    with ctx.db.read() as conn:
        return conn.execute(select(func.count()).select_from(sessions).where(sessions.c.user_id == user_id)).scalar()


def test_one_account_holds_at_most_max_sessions_and_the_oldest_ends_first(ctx, world, clock):
    from kiosk.queue.auth import MAX_SESSIONS

    tokens = []
    for _ in range(MAX_SESSIONS + 5):
        tokens.append(ctx.auth.login("li", PASSWORD)[0])
        clock.advance(1)
    assert _rows(ctx, world.user_ids["li"]) == MAX_SESSIONS
    for old in tokens[:5]:
        with pytest.raises(Unauthorized):
            ctx.auth.principal(old)
    assert all(ctx.auth.principal(t).username == "li" for t in tokens[5:])
    assert _rows(ctx, world.user_ids["wang"]) == 0  # another account's sessions are not touched
    wang = ctx.auth.login("wang", PASSWORD)[0]
    assert ctx.auth.principal(wang).username == "wang"


def test_logins_in_the_same_instant_keep_the_newest_session(ctx, world):
    from kiosk.queue.auth import MAX_SESSIONS

    # the injected clock does not move: every session has the same created_at, and the one just made
    # must still be the one that survives
    for _ in range(MAX_SESSIONS + 3):
        token = ctx.auth.login("li", PASSWORD)[0]
        assert ctx.auth.principal(token).username == "li"
    assert _rows(ctx, world.user_ids["li"]) == MAX_SESSIONS
