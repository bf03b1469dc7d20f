"""代办 cases that pause and move: suspension (the clock stops) and transfer with the receiver's acceptance.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.queue.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("suspended_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("suspended_from", sa.String(16), nullable=True))
        batch.add_column(sa.Column("suspend_reason", sa.String(200), nullable=True))
        batch.add_column(sa.Column("paused_days", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("transfer_to_user", BigId, nullable=True))
        batch.add_column(sa.Column("transfer_to_site", sa.String(32), nullable=True))
        batch.add_column(sa.Column("transfer_reason", sa.String(200), nullable=True))
        batch.add_column(sa.Column("transfer_by", sa.String(96), nullable=True))
        batch.add_column(sa.Column("transfer_at", UTCDateTime, nullable=True))
        batch.create_foreign_key("fk_cases_transfer_to_user", "users", ["transfer_to_user"], ["id"])
        batch.create_foreign_key("fk_cases_transfer_to_site", "sites", ["transfer_to_site"], ["code"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("fk_cases_transfer_to_site", type_="foreignkey")
        batch.drop_constraint("fk_cases_transfer_to_user", type_="foreignkey")
        for name in ("transfer_at", "transfer_by", "transfer_reason", "transfer_to_site", "transfer_to_user",
                     "paused_days", "suspend_reason", "suspended_from", "suspended_at"):
            batch.drop_column(name)
