"""PostgreSQL: a kiosk's create and a helper's claim each in one server-side function (one round trip).

``kq_create_request(values, events, channel)`` inserts the request (``ON CONFLICT (id) DO NOTHING``); when
it stored it, it appends the given events (``kq_append_events``, migration 0015) and answers the queue
position; otherwise it answers the stored row for the caller's replay checks. ``kq_claim_request(…)``
checks the helper is on duty, moves the request from ``waiting`` to ``claimed`` if one of the helper's
sites sees it, builds the ``request.claimed`` event (the masked staff view, serialised exactly as
:func:`kiosk.queue.chain.data_json` does: :func:`kq_canon`) and appends it; otherwise it answers why not
(and the row) for the caller's error. Both answer one JSON text (:mod:`kiosk.queue.pg_write`).
Revocations: triggers on ``sessions``, ``kiosks``, ``users``, ``user_sites`` and ``sites`` ``pg_notify``
``kq_auth_channel()`` when what a cached caller stands for changes (kiosk/queue/auth_listen.py), so
every server process can cache callers for long and still refuse a revoked one at once.
SQLite: nothing (its writes run in-process: kiosk/queue/group.py; one process).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# orjson's compact output with sorted keys (OPT_SORT_KEYS: code point order = "C" collation of UTF-8),
# for the values a request view holds (strings, integers, booleans, null, arrays, objects).
CANON = r"""
CREATE OR REPLACE FUNCTION kq_canon(j jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    CASE jsonb_typeof(j)
    WHEN 'object' THEN
        RETURN '{' || coalesce((SELECT string_agg(to_json(k)::text || ':' || kq_canon(v), ',' ORDER BY k COLLATE "C")
                                FROM jsonb_each(j) AS t(k, v)), '') || '}';
    WHEN 'array' THEN
        RETURN '[' || coalesce((SELECT string_agg(kq_canon(v), ',' ORDER BY n)
                                FROM jsonb_array_elements(j) WITH ORDINALITY AS t(v, n)), '') || ']';
    WHEN 'string' THEN
        RETURN to_json(j #>> '{}')::text;
    ELSE
        RETURN j::text;
    END CASE;
END
$fn$
"""

# Python's ``datetime.isoformat()`` of an aware UTC time with "+00:00" as "Z" (no fraction when 0 µs).
ISO = r"""
CREATE OR REPLACE FUNCTION kq_iso(t timestamp) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE WHEN t IS NULL THEN NULL
                WHEN date_trunc('second', t) = t THEN to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                ELSE to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END
$fn$
"""

CREATE = r"""
CREATE OR REPLACE FUNCTION kq_create_request(p_values jsonb, p_events jsonb, p_channel text)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    r requests;
    v_events jsonb;
    v_position bigint;
    v_row jsonb;
BEGIN
    INSERT INTO requests SELECT * FROM jsonb_populate_record(NULL::requests, p_values)
        ON CONFLICT (id) DO NOTHING RETURNING * INTO r;
    IF FOUND THEN
        SELECT jsonb_agg(jsonb_build_array(o_id, o_seq, o_prev, o_hash)) INTO v_events
            FROM kq_append_events(p_channel, p_events);
    ELSE
        SELECT * INTO r FROM requests WHERE id = p_values->>'id';
        SELECT to_jsonb(r) || jsonb_build_object('helper_name', u.display_name, 'kiosk_location', k.location)
            INTO v_row FROM kiosks k LEFT JOIN users u ON u.id = r.claimed_by WHERE k.kiosk_id = r.kiosk_id;
    END IF;
    IF r.state = 'waiting' THEN
        SELECT count(*) + 1 INTO v_position FROM requests q
            WHERE q.site_code = r.site_code AND q.state = 'waiting' AND (q.priority_rank < r.priority_rank
                OR (q.priority_rank = r.priority_rank AND q.created_at < r.created_at)
                OR (q.priority_rank = r.priority_rank AND q.created_at = r.created_at AND q.id < r.id));
    END IF;
    RETURN jsonb_build_object('created', v_row IS NULL, 'events', v_events, 'row', v_row,
                              'position', v_position)::text;
END
$fn$
"""

CLAIM = r"""
CREATE OR REPLACE FUNCTION kq_claim_request(p_id text, p_user bigint, p_actor text, p_helper text,
                                            p_visible text[], p_at text, p_channel text)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    r requests;
    v_now timestamp := p_at::timestamp;
    v_created jsonb;
    v_location text;
    v_view jsonb;
    v_data text;
    v_events jsonb;
BEGIN
    IF NOT coalesce((SELECT on_duty FROM users WHERE id = p_user), false) THEN
        RETURN jsonb_build_object('status', 'off_duty')::text;
    END IF;
    SELECT * INTO r FROM requests WHERE id = p_id;
    IF FOUND AND (r.note IS NOT NULL OR r.materials IS NOT NULL) THEN
        -- the note (ID numbers masked) and materials as the creation's view shows them: they never change
        SELECT e.data::jsonb->'request' INTO v_created FROM events e
            WHERE e.request_id = p_id AND e.type = 'request.created' ORDER BY e.id LIMIT 1;
        IF v_created IS NULL THEN
            RETURN jsonb_build_object('status', 'python')::text;  -- the caller takes the general path
        END IF;
    END IF;
    UPDATE requests SET state = 'claimed', claimed_by = p_user, claimed_at = v_now, updated_at = v_now,
                        version = version + 1
        WHERE id = p_id AND state = 'waiting' AND (site_code = ANY (p_visible) OR escalated_to = ANY (p_visible))
        RETURNING * INTO r;
    IF NOT FOUND THEN
        SELECT * INTO r FROM requests WHERE id = p_id;
        IF NOT FOUND THEN
            RETURN jsonb_build_object('status', 'missing')::text;
        END IF;
        RETURN jsonb_build_object('status', 'refused', 'row', to_jsonb(r) || jsonb_build_object(
            'helper_name', (SELECT display_name FROM users WHERE id = r.claimed_by)))::text;
    END IF;
    SELECT location INTO v_location FROM kiosks WHERE kiosk_id = r.kiosk_id;
    v_view := jsonb_build_object(
        'id', r.id, 'kind', r.kind, 'site_code', r.site_code, 'kiosk_id', r.kiosk_id,
        'kiosk_location', coalesce(v_location, ''), 'step', r.step, 'matter_id', r.matter_id,
        'matter_name', r.matter_name, 'ticket_no', r.ticket_no, 'priority', r.priority,
        'note', v_created->'note', 'resident_masked', r.resident_masked, 'has_identity', r.resident_enc IS NOT NULL,
        'materials', v_created->'materials', 'state', r.state, 'created_at', kq_iso(r.created_at),
        'updated_at', kq_iso(r.updated_at),
        'wait_s', greatest(0, trunc(extract(epoch FROM (r.claimed_at - r.created_at))))::bigint,
        'claimed_by', jsonb_build_object('id', r.claimed_by, 'display_name', p_helper),
        'claimed_at', kq_iso(r.claimed_at), 'arrived_at', kq_iso(r.arrived_at), 'closed_at', kq_iso(r.closed_at),
        'outcome', r.outcome, 'cancel_reason', r.cancel_reason, 'case_id', r.case_id,
        'escalation_level', r.escalation_level, 'escalated_to', r.escalated_to, 'version', r.version);
    v_data := kq_canon(jsonb_build_object('request', v_view));
    SELECT jsonb_agg(jsonb_build_array(o_id, o_seq, o_prev, o_hash)) INTO v_events
        FROM kq_append_events(p_channel, jsonb_build_array(jsonb_build_object(
            'site', r.site_code, 'request_id', r.id, 'escalated_to', r.escalated_to, 'type', 'request.claimed',
            'actor', p_actor, 'at', p_at, 'data', v_data,
            'pre', '[' || to_json(r.site_code)::text || ',',
            'post', ',"events",' || to_json(r.id)::text || ',"request.claimed",' || to_json(p_actor)::text || ','
                    || to_json(p_at)::text || ',' || coalesce(to_json(r.escalated_to)::text, 'null') || ']'
                    || E'\n' || v_data)));
    RETURN jsonb_build_object('status', 'ok', 'row', to_jsonb(r) || jsonb_build_object('kiosk_location', v_location),
                              'events', v_events)::text;
END
$fn$
"""


AUTH_CHANNEL = r"""
CREATE OR REPLACE FUNCTION kq_auth_channel() RETURNS text LANGUAGE sql STABLE AS $fn$
    SELECT left('kq_auth_' || lower(regexp_replace(current_schema(), '[^a-zA-Z0-9]', '_', 'g')), 63)
$fn$
"""

AUTH_CHANGED = r"""
CREATE OR REPLACE FUNCTION kq_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    v_row record := CASE WHEN TG_OP = 'INSERT' THEN NEW ELSE OLD END;
    v_what text;
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'sessions', 'kiosks' THEN v_what := 'token:' || v_row.token_hash;
    WHEN 'users' THEN v_what := 'user:' || v_row.id;
    WHEN 'user_sites' THEN v_what := 'user:' || v_row.user_id;
    ELSE v_what := '*';
    END CASE;
    PERFORM pg_notify(kq_auth_channel(), v_what);
    RETURN NULL;
END
$fn$
"""

# (table, trigger event, WHEN condition or ""): only changes to what a cached caller stands for
AUTH_TRIGGERS = (
    ("sessions", "UPDATE OR DELETE", ""),
    ("kiosks", "DELETE", ""),
    ("kiosks", "UPDATE", "OLD.token_hash IS DISTINCT FROM NEW.token_hash OR OLD.active IS DISTINCT FROM NEW.active "
                         "OR OLD.site_code IS DISTINCT FROM NEW.site_code OR OLD.location IS DISTINCT FROM NEW.location"),
    ("users", "DELETE", ""),
    ("users", "UPDATE", "OLD.active IS DISTINCT FROM NEW.active OR OLD.role IS DISTINCT FROM NEW.role "
                        "OR OLD.username IS DISTINCT FROM NEW.username OR OLD.display_name IS DISTINCT FROM "
                        "NEW.display_name OR OLD.password_hash IS DISTINCT FROM NEW.password_hash"),
    ("user_sites", "INSERT OR UPDATE OR DELETE", ""),
    ("sites", "INSERT OR UPDATE OF parent_code OR DELETE", ""),
)


def _trigger(n: int, table: str) -> str:
    return f"kq_auth_{table}_{n}"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for sql in (CANON, ISO, CREATE, CLAIM, AUTH_CHANNEL, AUTH_CHANGED):
        op.execute(sql)
    for n, (table, when_, condition) in enumerate(AUTH_TRIGGERS):
        where = f" WHEN ({condition})" if condition else ""
        op.execute(f"CREATE TRIGGER {_trigger(n, table)} AFTER {when_} ON {table} FOR EACH ROW{where} "
                   "EXECUTE FUNCTION kq_auth_changed()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for n, (table, _, _) in enumerate(AUTH_TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {_trigger(n, table)} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS kq_auth_changed()")
    op.execute("DROP FUNCTION IF EXISTS kq_auth_channel()")
    op.execute("DROP FUNCTION IF EXISTS kq_claim_request(text, bigint, text, text, text[], text, text)")
    op.execute("DROP FUNCTION IF EXISTS kq_create_request(jsonb, jsonb, text)")
    op.execute("DROP FUNCTION IF EXISTS kq_iso(timestamp)")
    op.execute("DROP FUNCTION IF EXISTS kq_canon(jsonb)")
