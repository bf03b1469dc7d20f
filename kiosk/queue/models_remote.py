"""Tables of central kiosk configuration and of sites' outgoing webhooks (registered in the shared metadata)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, String, Table

from kiosk.queue.model_base import UTCDateTime, metadata, serial_id

# central configuration: each version of a site's default or one kiosk's settings (kiosk/queue/remote_config.py)
kiosk_settings = Table(
    "kiosk_settings",
    metadata,
    serial_id(),
    Column("site_code", String(32), ForeignKey("sites.code"), nullable=False),
    Column("kiosk_id", String(64), ForeignKey("kiosks.kiosk_id"), nullable=True),  # None: the site default
    Column("version", Integer, nullable=False),  # 1, 2, … per site default / kiosk
    Column("settings", JSON, nullable=False),  # the whole override of this version
    Column("diff", JSON, nullable=False),  # {key: [before, after]}
    Column("author", String(96), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("rolled_back_at", UTCDateTime, nullable=True),  # a kiosk reported it invalid
    Column("rollback_reason", String(300), nullable=True),
    Index("ix_kiosk_settings_target", "site_code", "kiosk_id", "version"),
)

# outgoing notifications of a site (企业微信, 钉钉, 飞书, JSON): kiosk/queue/webhooks.py
webhooks = Table(
    "webhooks",
    metadata,
    serial_id(),
    Column("site_code", String(32), ForeignKey("sites.code"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # wecom | dingtalk | feishu | json
    Column("url", String(500), nullable=False),
    Column("secret_enc", LargeBinary, nullable=True),  # Fernet, like residents' identity
    Column("created_by", String(96), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("cursor", BigInteger, nullable=False),  # the newest event id handled
    Column("lease_owner", String(32), nullable=True),  # the server process sending for it now
    Column("lease_until", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),  # failed tries of the pending message
    Column("sent", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("dropped", Integer, nullable=False, default=0),  # events given up after every retry
    Column("last_ok_at", UTCDateTime, nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("last_error_at", UTCDateTime, nullable=True),
)
