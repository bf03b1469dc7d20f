"""Help requests carry the rating token the kiosk printed on its slip (好差评 by the slip's QR code).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("rating_token", sa.String(48), nullable=True))
        batch.create_unique_constraint("uq_requests_rating_token", ["rating_token"])


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_constraint("uq_requests_rating_token", type_="unique")
        batch.drop_column("rating_token")
