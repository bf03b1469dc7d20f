"""Indexes by time: a site's requests by creation (the 督查 figures and reports ask for a month of a year's
history), requests by closing (a helper's 今日已办, ``closed_since``), a site's cases by registration day.
Without them each of those reads walked every row of the sites asked for (the figures) or every closed
request (``closed_since``: on PostgreSQL the database's own CPU, which the read budget cannot see).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_requests_site_created", "requests", ["site_code", "created_at"])
    op.create_index("ix_requests_closed", "requests", ["closed_at"])
    op.create_index("ix_cases_site_registered", "cases", ["site_code", "registered_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_site_registered", table_name="cases")
    op.drop_index("ix_requests_closed", table_name="requests")
    op.drop_index("ix_requests_site_created", table_name="requests")
