"""好差评: ratings of help requests and 代办 cases, and each case's rating token (the return slip's QR).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from kiosk.queue.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("rating_token", sa.String(48), nullable=True))
        batch.create_unique_constraint("uq_cases_rating_token", ["rating_token"])
    conn = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.String), sa.column("rating_token", sa.String))
    for (case_id,) in conn.execute(sa.select(cases.c.id)).all():  # cases registered before: a token each
        conn.execute(sa.update(cases).where(cases.c.id == case_id).values(rating_token=secrets.token_urlsafe(24)))
    op.create_table(
        "ratings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("site_code", sa.String(32), sa.ForeignKey("sites.code"), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=True, unique=True),
        sa.Column("case_id", sa.String(40), nullable=True, unique=True),
        sa.Column("helper_id", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_ratings_site_created", "ratings", ["site_code", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_ratings_site_created", table_name="ratings")
    op.drop_table("ratings")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("uq_cases_rating_token", type_="unique")
        batch.drop_column("rating_token")
