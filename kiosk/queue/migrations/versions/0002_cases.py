"""代办 cases and their handover ledger: cases, case_events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.queue.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("site_code", sa.String(32), sa.ForeignKey("sites.code"), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=True, unique=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("matter_id", sa.String(64), nullable=True),
        sa.Column("matter_name", sa.String(128), nullable=False),
        sa.Column("time_limit_days", sa.Integer, nullable=False),
        sa.Column("applicant_enc", sa.LargeBinary, nullable=False),
        sa.Column("applicant_masked", sa.String(64), nullable=False),
        sa.Column("phone_masked", sa.String(32), nullable=False),
        sa.Column("auth_signed", sa.Boolean, nullable=False),
        sa.Column("auth_signed_at", UTCDateTime, nullable=True),
        sa.Column("auth_scanned", sa.Boolean, nullable=False),
        sa.Column("auth_note", sa.Text, nullable=True),
        sa.Column("materials", sa.JSON, nullable=False),
        sa.Column("agent_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("department", sa.String(128), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("registered_at", UTCDateTime, nullable=False),
        sa.Column("promised_date", sa.Date, nullable=False),
        sa.Column("completed_at", UTCDateTime, nullable=True),
        sa.Column("returned_at", UTCDateTime, nullable=True),
        sa.Column("return_note", sa.Text, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("close_reason", sa.String(200), nullable=True),
        sa.Column("overdue_level", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_cases_site_state", "cases", ["site_code", "state", "promised_date"])
    op.create_index("ix_cases_agent", "cases", ["agent_id", "state"])
    op.create_table(
        "case_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("site_code", sa.String(32), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(96), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_events_case_id", "case_events")
    op.drop_table("case_events")
    op.drop_index("ix_cases_agent", "cases")
    op.drop_index("ix_cases_site_state", "cases")
    op.drop_table("cases")
