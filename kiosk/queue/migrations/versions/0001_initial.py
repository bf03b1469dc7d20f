"""Initial schema: sites, kiosks, users, sessions, requests, events, heartbeats.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.queue.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(32), sa.ForeignKey("sites.code"), nullable=True),
        sa.Column("escalate_after_s", sa.Integer, nullable=False),
        sa.Column("escalate_up_after_s", sa.Integer, nullable=False),
        sa.Column("expected_claim_s", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "kiosks",
        sa.Column("kiosk_id", sa.String(64), primary_key=True),
        sa.Column("site_code", sa.String(32), sa.ForeignKey("sites.code"), nullable=False, index=True),
        sa.Column("location", sa.String(128), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=True),
        sa.Column("heartbeat_interval_s", sa.Integer, nullable=False),
        sa.Column("last_heartbeat", sa.JSON, nullable=True),
    )
    op.create_table(
        "users",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime, nullable=True),
        sa.Column("on_duty", sa.Boolean, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "user_sites",
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("site_code", sa.String(32), sa.ForeignKey("sites.code"), primary_key=True),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("site_code", sa.String(32), sa.ForeignKey("sites.code"), nullable=False),
        sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.kiosk_id"), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("matter_id", sa.String(64), nullable=True),
        sa.Column("matter_name", sa.String(128), nullable=True),
        sa.Column("ticket_no", sa.String(16), nullable=True),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("priority_rank", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("resident_enc", sa.LargeBinary, nullable=True),
        sa.Column("resident_masked", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("claimed_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("claimed_at", UTCDateTime, nullable=True),
        sa.Column("arrived_at", UTCDateTime, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("cancel_reason", sa.String(16), nullable=True),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        sa.Column("escalate_at", UTCDateTime, nullable=False),
        sa.Column("escalate_up_at", UTCDateTime, nullable=False),
        sa.Column("escalated_to", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_requests_queue", "requests", ["site_code", "state", "priority_rank", "created_at"])
    op.create_index("ix_requests_escalation", "requests", ["state", "escalation_level", "escalate_at"])
    op.create_index("ix_requests_escalated_to", "requests", ["escalated_to"])
    op.create_index("ix_requests_claimed_by", "requests", ["claimed_by", "state"])
    op.create_table(
        "events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), nullable=True, index=True),
        sa.Column("site_code", sa.String(32), nullable=False),
        sa.Column("escalated_to", sa.String(32), nullable=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(96), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "heartbeats",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.kiosk_id"), nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("outbox_pending", sa.Integer, nullable=False),
        sa.Column("devices", sa.JSON, nullable=False),
    )
    op.create_index("ix_heartbeats_kiosk_received", "heartbeats", ["kiosk_id", "received_at"])


def downgrade() -> None:
    for table in ("heartbeats", "events", "requests", "sessions", "user_sites", "users", "kiosks", "sites"):
        op.drop_table(table)
