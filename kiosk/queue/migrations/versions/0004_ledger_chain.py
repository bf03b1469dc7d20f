"""Tamper evidence: a hash chain per site over events and case_events (kiosk/queue/chain.py).

Adds ``chain_seq``, ``prev_hash``, ``hash`` and ``salt`` to both tables and the ``ledger_heads`` table, then
chains the entries already stored, per site in the order they were written (time, then requests' events
before case events, then id), so an upgraded ledger verifies from its first entry on.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import heapq

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = (("chain_seq", sa.BigInteger), ("prev_hash", sa.String(64)), ("hash", sa.String(64)),
            ("salt", sa.String(32)))


def upgrade() -> None:
    for table in ("events", "case_events"):
        with op.batch_alter_table(table) as batch:
            for name, type_ in _COLUMNS:
                batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_table(
        "ledger_heads",
        sa.Column("site_code", sa.String(32), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    _backfill(op.get_bind())


def _backfill(conn) -> None:
    """Chains every stored entry (a fresh database has none)."""
    import secrets

    from kiosk.queue.chain import GENESIS, entry_hash, needs_salt
    from kiosk.queue.models import case_events, events, ledger_heads

    sites = {s for (s,) in conn.execute(sa.select(events.c.site_code).distinct())}
    sites |= {s for (s,) in conn.execute(sa.select(case_events.c.site_code).distinct())}
    for site in sorted(sites):
        logs = []
        for order, (log, table) in enumerate((("events", events), ("case_events", case_events))):
            cols = [c for c in table.c if c.name not in ("chain_seq", "prev_hash", "hash", "salt")]
            rows = conn.execute(sa.select(*cols).where(table.c.site_code == site).order_by(table.c.at, table.c.id))
            logs.append([(r["at"], order, r["id"], log, table, dict(r)) for r in rows.mappings()])
        seq, prev = 0, GENESIS
        for _at, _order, row_id, log, table, row in heapq.merge(*logs, key=lambda t: t[:3]):
            seq += 1
            row["salt"] = secrets.token_hex(16) if needs_salt(log, row["data"] or {}) else None
            digest = entry_hash(prev, log, row, seq)
            conn.execute(sa.update(table).where(table.c.id == row_id).values(
                chain_seq=seq, prev_hash=prev, hash=digest, salt=row["salt"]))
            prev = digest
        conn.execute(sa.insert(ledger_heads).values(site_code=site, seq=seq, hash=prev))


def downgrade() -> None:
    op.drop_table("ledger_heads")
    for table in ("events", "case_events"):
        with op.batch_alter_table(table) as batch:
            for name, _ in reversed(_COLUMNS):
                batch.drop_column(name)
