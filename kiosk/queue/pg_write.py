"""PostgreSQL: a kiosk's create and a helper's claim, each one message to the server (one round trip).

Contract
- The message is one statement, ``SELECT kq_…(…), set_config('synchronous_commit', 'off', true)``, on an
  autocommit connection: its implicit transaction commits at its end, without waiting for the disk (the
  setting, local to that transaction, is read at the commit). It is a prepared statement, parsed and
  planned once per connection and then sent as Bind/Execute with its parameters (no text parsed per
  write, no quoting of the JSON parameters): :data:`CREATE_COMMIT` / :data:`CLAIM_COMMIT`. (Until then
  the message was ``BEGIN; SET LOCAL synchronous_commit TO OFF; SELECT kq_…(…); COMMIT;``, four statements
  parsed for every write.) The caller, from a thread or the event loop
  alike, waits for its path's group flush (:class:`kiosk.queue.pg_flush.ThreadFlush`,
  :class:`kiosk.queue.pg_pool.GroupFlush`: a synchronous commit sent after it, which returns once the WAL
  up to it is on disk) before answering: a 2xx still means stored. The functions (migration 0016) do
  the whole write: the request row, its event in the site's hash chain (``kq_append_events``), and what
  the answer needs (queue position, the stored row for a replay, why a claim was refused).
- :func:`create_args` / :func:`claim_args` build the parameters; :func:`answer` parses the function's
  JSON answer (times back as aware UTC datetimes, ``resident_enc`` as bytes). :func:`call` sends on a
  plain ``psycopg.Connection``, :func:`call_async` on a ``psycopg.AsyncConnection``; after an error the
  connection is idle again (the implicit transaction rolled back), so it stays usable. Nothing of
  SQLAlchemy runs on these paths.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg

from kiosk.queue.store_raw import bind

# Without the flush: the caller waits for its path's group flush (kiosk.queue.service_pg.PgWrites).
_ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)"
CREATE_COMMIT = f"SELECT kq_create_request(%s::jsonb, %s::jsonb, ''), {_ASYNC_COMMIT}"
CLAIM_COMMIT = f"SELECT kq_claim_request(%s, %s::bigint, %s, %s, %s::text[], %s, ''), {_ASYNC_COMMIT}"
_TIMES = ("created_at", "received_at", "updated_at", "claimed_at", "arrived_at", "closed_at", "escalate_at",
          "escalate_up_at")


def _value(value: Any) -> Any:
    if isinstance(value, bytes):
        return "\\x" + value.hex()  # bytea input
    return bind(value)


def create_args(values: dict[str, Any], events_body: bytes) -> tuple[str, str]:
    """``kq_create_request``'s values (the request's columns, as stored) and events (``pg_append.payload``)."""
    return orjson.dumps({k: _value(v) for k, v in values.items()}).decode(), events_body.decode()


def claim_args(request_id: str, user, visible, at: datetime) -> tuple:
    return (request_id, user.user_id, user.actor, user.display_name, list(visible), bind(at))


def _row(row: dict | None) -> dict | None:
    if row is None:
        return None
    for key in _TIMES:
        if row.get(key) is not None:
            row[key] = datetime.fromisoformat(row[key]).replace(tzinfo=UTC)
    enc = row.get("resident_enc")
    if enc is not None:
        row["resident_enc"] = bytes.fromhex(enc[2:])
    return row


def answer(text: str) -> dict:
    out = orjson.loads(text)
    out["row"] = _row(out.get("row"))
    return out


def call(raw: psycopg.Connection, sql: str, params: tuple) -> dict:
    """``sql``: one statement whose first column is the function's answer (prepared on ``raw``)."""
    try:
        return answer(raw.execute(sql, params, prepare=True).fetchone()[0])
    except BaseException:
        if raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR and not raw.closed:
            raw.execute("ROLLBACK")  # (only inside a transaction someone else began)
        raise


async def call_async(raw: psycopg.AsyncConnection, sql: str, params: tuple) -> dict:
    try:
        cur = await raw.execute(sql, params, prepare=True)
        return answer((await cur.fetchone())[0])
    except BaseException:
        if raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR and not raw.closed:
            await raw.execute("ROLLBACK")
        raise
