"""One-time notices (一次性告知单) printed at kiosks, for the supervision figures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.queue.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("site_code", sa.String(32), sa.ForeignKey("sites.code"), nullable=False),
        sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.kiosk_id"), nullable=False),
        sa.Column("matter_id", sa.String(64), nullable=True),
        sa.Column("matter_name", sa.String(128), nullable=True),
        sa.Column("missing", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_notices_site_created", "notices", ["site_code", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_notices_site_created", table_name="notices")
    op.drop_table("notices")
