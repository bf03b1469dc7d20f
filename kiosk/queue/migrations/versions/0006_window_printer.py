"""The 代办 window's receipt printer per site (受理回执 and 材料归还单 printed by the server).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("window_printer", sa.String(200), nullable=True))
        batch.add_column(sa.Column("window_paper_mm", sa.Integer, nullable=False, server_default="80"))


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("window_paper_mm")
        batch.drop_column("window_printer")
