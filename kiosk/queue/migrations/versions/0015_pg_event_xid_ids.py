"""PostgreSQL: event ids from the writing transaction's id, read below the oldest running transaction.

Event-writing transactions no longer pass one lock. An event's id is ``xid << 16 | n`` (``xid`` the
transaction's ``pg_current_xact_id()``, ``n`` its n-th event); readers take only events with an id below
:func:`kq_event_horizon` (the oldest transaction still running, ``pg_snapshot_xmin``, shifted the same
way): every transaction below it has ended, none can start below it, so ids below the horizon are final
and ``id > cursor`` never skips a late commit (kiosk/queue/events.py). Each site's hash chain is kept
linear by a row lock on its ``ledger_heads`` row, held to commit: writers of different sites run in
parallel. ``kq_append_events`` (migration 0012) is replaced by one without the lock (it NOTIFYs only
when given a channel: servers send their wake-ups apart from the writers' commits, kiosk/queue/events.py).
SQLite: nothing (one writer, ids in commit order).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

EVENT_ID = r"""
CREATE OR REPLACE FUNCTION kq_event_id() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    n integer := coalesce(nullif(current_setting('kq.event_n', true), ''), '0')::integer;
BEGIN
    IF n >= 65536 THEN
        RAISE EXCEPTION 'more than 65536 events in one transaction';
    END IF;
    PERFORM set_config('kq.event_n', (n + 1)::text, true);  -- this transaction's counter (reset at its end)
    RETURN (pg_current_xact_id()::text::bigint << 16) + n;
END
$fn$
"""

HORIZON = r"""
CREATE OR REPLACE FUNCTION kq_event_horizon() RETURNS bigint LANGUAGE sql STABLE AS $fn$
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 16
$fn$
"""

APPEND = r"""
CREATE OR REPLACE FUNCTION kq_append_events(p_channel text, p_events jsonb)
RETURNS TABLE (o_id bigint, o_seq bigint, o_prev text, o_hash text)
LANGUAGE plpgsql AS $fn$
DECLARE
    e jsonb;
    v_sites text[];
    v_site text;
    v_seq bigint;
    v_prev text;
    v_hash text;
    v_id bigint;
BEGIN
    SELECT array_agg(DISTINCT x->>'site' ORDER BY x->>'site') INTO v_sites FROM jsonb_array_elements(p_events) x;
    -- the sites' chain heads, locked in one order (no two writers wait on each other in a circle)
    INSERT INTO ledger_heads (site_code, seq, hash) SELECT s, 0, repeat('0', 64) FROM unnest(v_sites) s
        ORDER BY s ON CONFLICT (site_code) DO NOTHING;
    PERFORM 1 FROM ledger_heads WHERE site_code = ANY (v_sites) ORDER BY site_code FOR UPDATE;
    FOR e IN SELECT value FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(value, n) ORDER BY n LOOP
        v_site := e->>'site';
        SELECT h.seq, h.hash INTO v_seq, v_prev FROM ledger_heads h WHERE h.site_code = v_site;
        v_seq := v_seq + 1;
        v_hash := encode(sha256(convert_to(v_prev || E'\n' || (e->>'pre') || v_seq::text || (e->>'post'), 'UTF8')),
                         'hex');
        INSERT INTO events (request_id, site_code, escalated_to, type, actor, at, data, chain_seq, prev_hash,
                            hash, salt)
        VALUES (e->>'request_id', v_site, e->>'escalated_to', e->>'type', e->>'actor', (e->>'at')::timestamp,
                (e->>'data')::json, v_seq, v_prev, v_hash, NULL)
        RETURNING events.id INTO v_id;
        UPDATE ledger_heads SET seq = v_seq, hash = v_hash WHERE site_code = v_site;
        o_id := v_id;
        o_seq := v_seq;
        o_prev := v_prev;
        o_hash := v_hash;
        RETURN NEXT;
    END LOOP;
    IF p_channel <> '' AND v_id IS NOT NULL THEN
        PERFORM pg_notify(p_channel, v_id::text);  -- a wake-up: listeners read the table below the horizon
    END IF;
END
$fn$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(EVENT_ID)
    op.execute(HORIZON)
    op.execute("DROP FUNCTION IF EXISTS kq_append_events(integer, text, jsonb)")
    op.execute(APPEND)
    op.execute("ALTER TABLE events ALTER COLUMN id SET DEFAULT kq_event_id()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("SELECT setval('events_id_seq', greatest((SELECT max(id) FROM events), 1))")
    op.execute("ALTER TABLE events ALTER COLUMN id SET DEFAULT nextval('events_id_seq')")
    op.execute("DROP FUNCTION IF EXISTS kq_append_events(text, jsonb)")
    op.execute(importlib.import_module("kiosk.queue.migrations.versions.0012_pg_event_append").FUNCTION)
    op.execute("DROP FUNCTION IF EXISTS kq_event_horizon()")
    op.execute("DROP FUNCTION IF EXISTS kq_event_id()")
