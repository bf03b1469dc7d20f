"""PostgreSQL: one server-side function appends a transaction's request events (ids, hash chain, NOTIFY).

The event-order critical section (kiosk/queue/pg_append.py) becomes one statement sent together with its
COMMIT: the advisory lock is held only while PostgreSQL works, never across a client round trip.
SQLite: nothing (one writer).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Each element of p_events: site, request_id, escalated_to, type, actor, at (naive UTC text), data (JSON
# text), pre and post (the entry's canonical content before and after its chain number: kiosk.queue.chain)
# and notify (the NOTIFY payload's parts, joined by the new id; absent: no NOTIFY).
FUNCTION = r"""
CREATE OR REPLACE FUNCTION kq_append_events(p_lock integer, p_channel text, p_events jsonb)
RETURNS TABLE (o_id bigint, o_seq bigint, o_prev text, o_hash text)
LANGUAGE plpgsql AS $fn$
DECLARE
    e jsonb;
    v_site text;
    v_seq bigint;
    v_prev text;
    v_hash text;
    v_id bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock, hashtext(current_schema()));  -- per schema (chain.ledger_lock)
    FOR e IN SELECT value FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(value, n) ORDER BY n LOOP
        v_site := e->>'site';
        SELECT h.seq, h.hash INTO v_seq, v_prev FROM ledger_heads h WHERE h.site_code = v_site;
        IF NOT FOUND THEN
            v_seq := 0;
            v_prev := repeat('0', 64);
            INSERT INTO ledger_heads (site_code, seq, hash) VALUES (v_site, 0, v_prev);
        END IF;
        v_seq := v_seq + 1;
        v_hash := encode(sha256(convert_to(v_prev || E'\n' || (e->>'pre') || v_seq::text || (e->>'post'), 'UTF8')),
                         'hex');
        INSERT INTO events (request_id, site_code, escalated_to, type, actor, at, data, chain_seq, prev_hash,
                            hash, salt)
        VALUES (e->>'request_id', v_site, e->>'escalated_to', e->>'type', e->>'actor', (e->>'at')::timestamp,
                (e->>'data')::json, v_seq, v_prev, v_hash, NULL)
        RETURNING events.id INTO v_id;
        UPDATE ledger_heads SET seq = v_seq, hash = v_hash WHERE site_code = v_site;
        IF e ? 'notify' THEN
            PERFORM pg_notify(p_channel, array_to_string(ARRAY(
                SELECT x FROM jsonb_array_elements_text(e->'notify') WITH ORDINALITY AS p(x, n) ORDER BY n),
                v_id::text));
        END IF;
        o_id := v_id;
        o_seq := v_seq;
        o_prev := v_prev;
        o_hash := v_hash;
        RETURN NEXT;
    END LOOP;
END
$fn$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS kq_append_events(integer, text, jsonb)")
