"""On duty (在岗) or not (离岗): what it allows, checked where claims are made and events are named.

- :func:`require_on_duty`: claims (``claim``, ``claim-next``, being handed a request) need the staff member
  on duty; off duty is a pause, answered 409 ``off_duty``.
- :func:`actor_names`: ``{"user:li": "李四", …}`` for the staff actors among ``actors`` (histories show
  names, not user names).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from kiosk.queue.auth import Principal, require_user
from kiosk.queue.errors import Conflict
from kiosk.queue.models import users


def require_on_duty(db, user: Principal, when: bool = True, conn=None) -> None:
    """A staff member (else Forbidden ``staff_only``) on duty (else Conflict ``off_duty``), when ``when``;
    read on ``conn`` when given (a transaction already open: no connection of its own)."""
    require_user(user)
    if when and conn is not None:
        if not conn.execute(select(users.c.on_duty).where(users.c.id == user.user_id)).scalar():
            raise Conflict("off_duty")
    elif when:
        with db.read() as read:
            require_on_duty(db, user, when, read)


def actor_names(conn, actors: Iterable[str]) -> dict[str, str]:
    names = sorted({a[5:] for a in actors if a.startswith("user:")})
    if not names:
        return {}
    rows = conn.execute(select(users.c.username, users.c.display_name).where(users.c.username.in_(names)))
    return {f"user:{u}": d for u, d in rows.all()}
