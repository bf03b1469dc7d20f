"""PostgreSQL: a kiosk's create and a helper's claim, each one message to the server (one round trip).

Contract
- The message is ``BEGIN; SET LOCAL synchronous_commit TO OFF; SELECT kq_…(…); COMMIT;`` and the flush
  (:data:`kiosk.queue.pg_flush.FLUSH_SQL`) sent with the simple protocol on an autocommit connection (no separate BEGIN
  round trip). The event loop's writes send :data:`CREATE_COMMIT` / :data:`CLAIM_COMMIT`, without the flush,
  and wait for the group flush (:class:`kiosk.queue.pg_pool.GroupFlush`) before answering. The functions (migration 0016) do the whole write: the request row, its event in the
  site's hash chain (``kq_append_events``), and what the answer needs (queue position, the stored row
  for a replay, why a claim was refused). The last statement, a synchronous commit of a transaction of
  its own, returns once the WAL up to it is on disk (as :mod:`kiosk.queue.pg_append`): a 2xx still
  means stored.
- :func:`create_args` / :func:`claim_args` build the parameters; :func:`answer` parses the function's
  JSON answer (times back as aware UTC datetimes, ``resident_enc`` as bytes). :func:`call` sends on a
  plain ``psycopg.Connection``, :func:`call_async` on a ``psycopg.AsyncConnection``; on an error either
  rolls the transaction back before raising (the connection stays usable).
- Parameters are interpolated client-side (``ClientCursor``): nothing of SQLAlchemy runs on these paths.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg

from kiosk.queue.pg_flush import FLUSH_SQL
from kiosk.queue.store_raw import bind

# Without the flush: for :meth:`kiosk.queue.pg_pool.AsyncPool.call`, which waits for the group flush.
CREATE_COMMIT = "BEGIN; SET LOCAL synchronous_commit TO OFF; SELECT kq_create_request(%s::jsonb, %s::jsonb, ''); COMMIT;"
CLAIM_COMMIT = ("BEGIN; SET LOCAL synchronous_commit TO OFF; "
                "SELECT kq_claim_request(%s, %s, %s, %s, %s::text[], %s, ''); COMMIT;")
CREATE = CREATE_COMMIT + " " + FLUSH_SQL  # (a thread's write: flushes on its own connection)
CLAIM = CLAIM_COMMIT + " " + FLUSH_SQL
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


def _first_value(cur) -> Any:
    while cur.description is None:  # BEGIN, SET: no rows
        if not cur.nextset():
            raise RuntimeError("the function's answer is missing")
    return cur.fetchone()[0]


def call(raw: psycopg.Connection, sql: str, params: tuple) -> dict:
    cur = psycopg.ClientCursor(raw)
    try:
        cur.execute(sql, params)
        return answer(_first_value(cur))
    except BaseException:
        if raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR and not raw.closed:
            raw.execute("ROLLBACK")
        raise
    finally:
        cur.close()


async def call_async(raw: psycopg.AsyncConnection, sql: str, params: tuple) -> dict:
    cur = psycopg.AsyncClientCursor(raw)
    try:
        await cur.execute(sql, params)
        while cur.description is None:
            if not cur.nextset():
                raise RuntimeError("the function's answer is missing")
        return answer((await cur.fetchone())[0])
    except BaseException:
        if raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR and not raw.closed:
            await raw.execute("ROLLBACK")
        raise
    finally:
        await cur.close()
