"""Outgoing webhooks per site, and central kiosk configuration (versions, and what each kiosk runs).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.queue.models import UTCDateTime

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("config_version", sa.String(32), nullable=True))
        batch.add_column(sa.Column("config_status", sa.String(16), nullable=True))
        batch.add_column(sa.Column("config_error", sa.String(300), nullable=True))
        batch.add_column(sa.Column("software_version", sa.String(32), nullable=True))
        batch.add_column(sa.Column("catalog_version", sa.String(64), nullable=True))
    op.create_table(
        "kiosk_settings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("site_code", sa.String(32), sa.ForeignKey("sites.code"), nullable=False),
        sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.kiosk_id"), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("diff", sa.JSON, nullable=False),
        sa.Column("author", sa.String(96), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("rolled_back_at", UTCDateTime, nullable=True),
        sa.Column("rollback_reason", sa.String(300), nullable=True),
    )
    op.create_index("ix_kiosk_settings_target", "kiosk_settings", ["site_code", "kiosk_id", "version"])
    op.create_table(
        "webhooks",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("site_code", sa.String(32), sa.ForeignKey("sites.code"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary, nullable=True),
        sa.Column("created_by", sa.String(96), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("cursor", sa.BigInteger, nullable=False),
        sa.Column("lease_owner", sa.String(32), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("sent", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("dropped", sa.Integer, nullable=False),
        sa.Column("last_ok_at", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("last_error_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_webhooks_site_code", "webhooks", ["site_code"])


def downgrade() -> None:
    op.drop_index("ix_webhooks_site_code", table_name="webhooks")
    op.drop_table("webhooks")
    op.drop_index("ix_kiosk_settings_target", table_name="kiosk_settings")
    op.drop_table("kiosk_settings")
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("catalog_version")
        batch.drop_column("software_version")
        batch.drop_column("config_error")
        batch.drop_column("config_status")
        batch.drop_column("config_version")
