"""SQLite: revocations made by any process reach the server, so callers can be cached for long there too.

PostgreSQL has done this since 0016 (triggers ``pg_notify``). SQLite has no NOTIFY: here the same changes
bump a counter, ``auth_changes`` (one row, id 1), in the revoking transaction — whichever process made it
(the server, or ``kiosk queue`` commands run beside it). The server polls that one row
(kiosk/queue/auth_listen.py) and forgets its cached callers when it moved. The triggers fire on exactly
the changes 0016's do: a session ended, a kiosk's token, state, site or place, a user's name, role,
password or state, their sites, the site tree. Heartbeats and last-seen times do not count.

The table exists on both backends (one schema); PostgreSQL leaves it empty.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BUMP = ("INSERT OR REPLACE INTO auth_changes (id, n) "
        "VALUES (1, COALESCE((SELECT n FROM auth_changes WHERE id = 1), 0) + 1);")

# (table, event, WHEN condition or ""): SQLite takes one event per trigger; the conditions are 0016's
TRIGGERS = (
    ("sessions", "UPDATE", ""),
    ("sessions", "DELETE", ""),
    ("kiosks", "DELETE", ""),
    ("kiosks", "UPDATE", "OLD.token_hash IS NOT NEW.token_hash OR OLD.active IS NOT NEW.active "
                         "OR OLD.site_code IS NOT NEW.site_code OR OLD.location IS NOT NEW.location"),
    ("users", "DELETE", ""),
    ("users", "UPDATE", "OLD.active IS NOT NEW.active OR OLD.role IS NOT NEW.role "
                        "OR OLD.username IS NOT NEW.username OR OLD.display_name IS NOT NEW.display_name "
                        "OR OLD.password_hash IS NOT NEW.password_hash"),
    ("user_sites", "INSERT", ""),
    ("user_sites", "UPDATE", ""),
    ("user_sites", "DELETE", ""),
    ("sites", "INSERT", ""),
    ("sites", "UPDATE OF parent_code", ""),
    ("sites", "DELETE", ""),
)


def _name(n: int, table: str) -> str:
    return f"kq_auth_{table}_{n}"


def upgrade() -> None:
    op.create_table("auth_changes", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("n", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False))
    if op.get_bind().dialect.name != "sqlite":
        return
    for n, (table, event, condition) in enumerate(TRIGGERS):
        where = f" WHEN {condition}" if condition else ""
        op.execute(f"CREATE TRIGGER {_name(n, table)} AFTER {event} ON {table} FOR EACH ROW{where} BEGIN {BUMP} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for n, (table, _, _) in enumerate(TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {_name(n, table)}")
    op.drop_table("auth_changes")
