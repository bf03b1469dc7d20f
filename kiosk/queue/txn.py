"""Write transactions that store live events and publish them once committed (requests and 代办 cases).

Contract
- :data:`PUSHED_TYPES` are the event types consoles get over the stream (``GET /api/v1/events/stream``)
  and on catch-up: every request change and kiosk note (``request.note``), and every 代办 case change
  including the deadline flags (``case.due_soon`` / ``case.overdue``). Audit-only events (identity views, exports) are
  stored, never pushed.
- :meth:`EventTx._tx` yields a write connection and a list; events appended to the list (dicts of the
  ``events`` columns) are stored as the transaction's last statements (on PostgreSQL sent with its
  COMMIT in one message: :mod:`kiosk.queue.pg_append`) and published to the live consoles only after
  the commit (PostgreSQL: a wake-up for every process's listener, :class:`kiosk.queue.events.PgPublisher`).
  Nothing is published for a rolled-back one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Connection

from kiosk.queue import pg_append, store
from kiosk.queue.db import Database

REQUEST_TYPES = ("request.created", "request.claimed", "request.arrived", "request.resolved",
                 "request.converted", "request.released", "request.cancelled", "request.escalated",
                 "request.note",  # a kiosk's note on its request (QueueService.add_note)
                 "request.assigned")  # handed to a colleague (kiosk/queue/assign.py)
CASE_TYPES = ("case.registered", "case.started", "case.moved", "case.completed", "case.returned",
              "case.withdrawn", "case.cancelled", "case.due_soon", "case.overdue", "case.suspended",
              "case.resumed", "case.transfer_offered", "case.transferred", "case.transfer_declined",
              "case.erased")
PUSHED_TYPES = REQUEST_TYPES + CASE_TYPES


class Publisher(Protocol):
    def in_tx(self, conn: Connection, events: list[dict]) -> None: ...
    def after_commit(self, events: list[dict]) -> None: ...


class NoPublisher:
    """Stores events for catch-up but pushes nothing live (tools and tests without consoles)."""

    def in_tx(self, conn: Connection, events: list[dict]) -> None:
        pass

    def after_commit(self, events: list[dict]) -> None:
        pass


class EventTx:
    """Base of the services whose writes produce pushed events; needs ``db``, ``publisher``, ``group``."""

    db: Database
    publisher: Publisher
    group = None  # a kiosk.queue.group.GroupCommit on SQLite servers (set by the app)

    @contextmanager
    def _tx(self, raw: bool = False) -> Iterator[tuple[Connection, list[dict]]]:
        """A write transaction and its list of pending events, stored as the transaction's last statements
        and published once it committed. With ``raw`` on SQLite the connection is the writer's plain
        ``sqlite3`` one (hot paths), inside the current group commit when there is one."""
        pending: list[dict] = []
        batch = self.group.current() if raw and self.group is not None else None
        if batch is not None:  # inside a group commit (kiosk.queue.group): a savepoint of its transaction
            conn, after = batch
            conn.execute("SAVEPOINT hot")
            try:
                yield conn, pending
                if pending:
                    store.add_events(conn, pending, lock=False)  # SQLite: one writer, ids in order
            except BaseException:
                conn.execute("ROLLBACK TO hot")
                conn.execute("RELEASE hot")
                raise
            conn.execute("RELEASE hot")
            if pending:
                after.append(lambda: self.publisher.after_commit(pending))
            return
        with self.db.raw_write() if raw and self.db.is_sqlite else self.db.write() as conn:
            yield conn, pending
            if pending:
                body = None
                if self.db.is_postgres:  # stored, chained and committed in one message
                    body = pg_append.payload(pending)
                    if body is not None:
                        pg_append.append_and_commit(conn, pending, "", body)
                if body is None:
                    store.add_events(conn, pending, lock=self.db.is_postgres)
                    self.publisher.in_tx(conn, pending)
        if pending:
            self.publisher.after_commit(pending)
