"""The queue server's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Times are stored as UTC and always come back timezone-aware (:class:`UTCDateTime`). Residents' identity
is only ever stored encrypted (``resident_enc``, Fernet); lists use ``resident_masked``. The schema is
created and changed only by the Alembic migrations in ``kiosk/queue/migrations``; keep both in step.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from kiosk.queue.model_base import BigId, UTCDateTime, metadata, serial_id  # noqa: F401 - re-exported


def event_log(name: str, *own: Column) -> Table:
    """An append-only history table: ``id``, the table's ``own`` columns, then ``site_code``, ``type``,
    ``actor``, ``at`` and ``data`` (JSON) — requests' ``events`` and cases' ``case_events`` — and the
    entry's place in its site's hash chain (``chain_seq``, ``prev_hash``, ``hash``, ``salt``: see
    :mod:`kiosk.queue.chain`)."""
    return Table(name, metadata, serial_id(), *own,
                 Column("site_code", String(32), nullable=False),
                 Column("type", String(32), nullable=False),
                 Column("actor", String(96), nullable=False),
                 Column("at", UTCDateTime, nullable=False),
                 Column("data", JSON, nullable=False),
                 Column("chain_seq", BigInteger, nullable=True),
                 Column("prev_hash", String(64), nullable=True),
                 Column("hash", String(64), nullable=True),
                 Column("salt", String(32), nullable=True))



sites = Table(
    "sites",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("level", String(16), nullable=False),  # district | town | village (kiosk.config.levels)
    Column("parent_code", String(32), ForeignKey("sites.code"), nullable=True),
    Column("escalate_after_s", Integer, nullable=False, default=180),
    Column("escalate_up_after_s", Integer, nullable=False, default=600),
    Column("expected_claim_s", Integer, nullable=False, default=60),
    Column("created_at", UTCDateTime, nullable=False),
    # the 代办 window's receipt printer (tcp://HOST:PORT): kiosk/queue/case_paper.py
    Column("window_printer", String(200), nullable=True),
    Column("window_paper_mm", Integer, nullable=False, default=80),
    Column("phone", String(32), nullable=True),  # 咨询电话 on the 代办 slips (migration 0018)
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("kiosk_id", String(64), primary_key=True),
    Column("site_code", String(32), ForeignKey("sites.code"), nullable=False, index=True),
    Column("location", String(128), nullable=False, default=""),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=True),
    Column("heartbeat_interval_s", Integer, nullable=False, default=30),
    Column("last_heartbeat", JSON, nullable=True),
    # central configuration (kiosk/queue/remote_config.py): what the kiosk says it runs
    Column("config_version", String(32), nullable=True),
    Column("config_status", String(16), nullable=True),  # applied | invalid
    Column("config_error", String(300), nullable=True),
    Column("software_version", String(32), nullable=True),
    Column("catalog_version", String(64), nullable=True),  # the matters catalogue it runs
)

users = Table(
    "users",
    metadata,
    serial_id(),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("role", String(16), nullable=False),  # helper | manager | supervisor
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("on_duty", Boolean, nullable=False, default=False),
    Column("last_seen_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

user_sites = Table(
    "user_sites",
    metadata,
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_code", String(32), ForeignKey("sites.code"), primary_key=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

requests = Table(
    "requests",
    metadata,
    Column("id", String(36), primary_key=True),  # client-generated uuid4
    Column("kind", String(16), nullable=False),
    Column("site_code", String(32), ForeignKey("sites.code"), nullable=False),
    Column("kiosk_id", String(64), ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("step", String(16), nullable=False),
    Column("matter_id", String(64), nullable=True),
    Column("matter_name", String(128), nullable=True),
    Column("ticket_no", String(16), nullable=True),
    Column("priority", String(16), nullable=False),
    Column("priority_rank", Integer, nullable=False),
    Column("note", Text, nullable=True),
    Column("resident_enc", LargeBinary, nullable=True),
    Column("resident_masked", String(64), nullable=True),
    Column("materials", Text, nullable=True),  # JSON: kiosk/queue/request_materials.py
    Column("rating_token", String(48), nullable=True, unique=True),  # the kiosk slip's QR: /r/<token>
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),  # the resident pressed (kiosk clock, clamped)
    Column("received_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("claimed_by", BigId, ForeignKey("users.id"), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("arrived_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("cancel_reason", String(16), nullable=True),
    Column("case_id", String(64), nullable=True),
    Column("escalation_level", Integer, nullable=False, default=0),
    Column("escalate_at", UTCDateTime, nullable=False),
    Column("escalate_up_at", UTCDateTime, nullable=False),
    Column("escalated_to", String(32), nullable=True),
    Column("version", Integer, nullable=False, default=1),
    Index("ix_requests_queue", "site_code", "state", "priority_rank", "created_at"),
    Index("ix_requests_escalation", "state", "escalation_level", "escalate_at"),
    Index("ix_requests_escalated_to", "escalated_to"),
    Index("ix_requests_claimed_by", "claimed_by", "state"),
    Index("ix_requests_site_created", "site_code", "created_at"),  # figures and reports by period (0019)
    Index("ix_requests_closed", "closed_at"),  # closed_since: a helper's 今日已办 (0019)
)

events = event_log(
    "events",
    Column("request_id", String(36), nullable=True, index=True),
    Column("escalated_to", String(32), nullable=True),
)

heartbeats = Table(
    "heartbeats",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kiosk_id", String(64), ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("outbox_pending", Integer, nullable=False, default=0),
    Column("devices", JSON, nullable=False),
    Index("ix_heartbeats_kiosk_received", "kiosk_id", "received_at"),
)

# one-time notices (一次性告知单) printed at kiosks: what supervisors count, no resident data
notices = Table(
    "notices",
    metadata,
    Column("id", String(36), primary_key=True),  # client-generated uuid4
    Column("site_code", String(32), ForeignKey("sites.code"), nullable=False),
    Column("kiosk_id", String(64), ForeignKey("kiosks.kiosk_id"), nullable=False),
    Column("matter_id", String(64), nullable=True),
    Column("matter_name", String(128), nullable=True),
    Column("missing", Integer, nullable=False),  # how many materials the notice lists
    Column("created_at", UTCDateTime, nullable=False),  # printed (kiosk clock, clamped)
    Column("received_at", UTCDateTime, nullable=False),
    Index("ix_notices_site_created", "site_code", "created_at"),
)

# ---- 代办 cases and their handover ledger (台账); see kiosk/queue/cases.py -------------------------------
cases = Table(
    "cases",
    metadata,
    Column("id", String(40), primary_key=True),  # DB-YYYYMMDD-XXXXXXXX
    Column("site_code", String(32), ForeignKey("sites.code"), nullable=False),
    Column("request_id", String(36), nullable=True, unique=True),  # the help request it came from
    Column("seq", Integer, nullable=False),  # 序号 within the site and year
    Column("matter_id", String(64), nullable=True),
    Column("matter_name", String(128), nullable=False),
    Column("time_limit_days", Integer, nullable=False),
    Column("applicant_enc", LargeBinary, nullable=False),  # Fernet: name, id_number, phone
    Column("applicant_masked", String(64), nullable=False),
    Column("phone_masked", String(32), nullable=False, default=""),
    Column("auth_signed", Boolean, nullable=False),
    Column("auth_signed_at", UTCDateTime, nullable=True),
    Column("auth_scanned", Boolean, nullable=False, default=False),
    Column("auth_note", Text, nullable=True),
    Column("materials", JSON, nullable=False),  # [{name, form: original|copy, count}]
    Column("agent_id", BigId, ForeignKey("users.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("department", String(128), nullable=True),
    Column("note", Text, nullable=True),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("promised_date", Date, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
    Column("returned_at", UTCDateTime, nullable=True),
    Column("return_note", Text, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("close_reason", String(200), nullable=True),
    Column("overdue_level", Integer, nullable=False, default=0),  # 0 on track, 1 due soon, 2 overdue
    # suspension (the clock stops) and hand-over to another agent or the parent site: kiosk/queue/case_moves.py
    Column("suspended_at", UTCDateTime, nullable=True),
    Column("suspended_from", String(16), nullable=True),
    Column("suspend_reason", String(200), nullable=True),
    Column("paused_days", Integer, nullable=False, default=0),  # working days added by suspensions
    Column("transfer_to_user", BigId, ForeignKey("users.id"), nullable=True),
    Column("transfer_to_site", String(32), ForeignKey("sites.code"), nullable=True),
    Column("transfer_reason", String(200), nullable=True),
    Column("transfer_by", String(96), nullable=True),
    Column("transfer_at", UTCDateTime, nullable=True),
    Column("erased_at", UTCDateTime, nullable=True),  # personal data erased (kiosk/queue/retention.py)
    Column("rating_token", String(48), nullable=True, unique=True),  # the return slip's QR: /r/<token>
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Index("ix_cases_site_state", "site_code", "state", "promised_date"),
    Index("ix_cases_agent", "agent_id", "state"),
    Index("ix_cases_site_registered", "site_code", "registered_at"),  # figures and reports by period (0019)
)

case_events = event_log(
    "case_events",
    Column("case_id", String(40), nullable=True, index=True),  # None: a ledger-wide event (export)
)

# the newest entry of each site's hash chain over events and case_events (kiosk/queue/chain.py)
ledger_heads = Table(
    "ledger_heads",
    metadata,
    Column("site_code", String(32), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# 好差评: a resident's rating of a help request (at the kiosk) or a 代办 case (the return slip's QR code)
ratings = Table(
    "ratings",
    metadata,
    Column("id", String(36), primary_key=True),  # the kiosk's uuid4 (idempotency key), or the server's
    Column("site_code", String(32), ForeignKey("sites.code"), nullable=False),
    Column("request_id", String(36), nullable=True, unique=True),
    Column("case_id", String(40), nullable=True, unique=True),
    Column("helper_id", BigId, ForeignKey("users.id"), nullable=True),  # who served: claimer or agent
    Column("score", Integer, nullable=False),  # 5 非常满意 … 1 非常不满意
    Column("reasons", JSON, nullable=False),  # codes of kiosk/queue/ratings.py REASONS
    Column("comment", Text, nullable=True),  # ID numbers and phones masked
    Column("channel", String(8), nullable=False),  # kiosk | qr
    Column("created_at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Index("ix_ratings_site_created", "site_code", "created_at"),
)

# central configuration and webhooks: their own module (kept small), the same metadata
from kiosk.queue.models_remote import kiosk_settings, webhooks  # noqa: E402,F401

# SQLite: one row counting revocations (migration 0017's triggers bump it in the revoking transaction, whichever
# process made it; kiosk/queue/auth_listen.py polls it). PostgreSQL notifies instead and leaves it empty.
auth_changes = Table(
    "auth_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("n", BigId, nullable=False),
)
