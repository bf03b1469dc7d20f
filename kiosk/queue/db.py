"""Database access: engine set-up for SQLite and PostgreSQL, migrations, read and write transactions.

Contract
- :class:`Database` is created once per server process; :meth:`Database.migrate` is called once at
  start (never per request) and brings the schema to the newest Alembic revision.
- :meth:`Database.write` yields a connection in a transaction that commits on exit. On SQLite, writes
  are serialised by one process-wide lock and start with ``BEGIN IMMEDIATE`` (a single writer: no
  "database is locked" storms, WAL lets readers run alongside). On PostgreSQL, transactions run
  concurrently; exclusivity comes from conditional updates and row locks in the store. PostgreSQL
  durability: a write commits with ``synchronous_commit = off`` (its locks, the event-order lock among
  them, are released without waiting for the disk), gives its connection back, then waits for a
  synchronous commit begun after it (:class:`ThreadFlush`, one per process, shared by the writers
  waiting together): :meth:`write` returns only once the transaction is on disk (the kiosk's 2xx still
  means stored), or raises the flush's error (a 503). Another session may see the rows a moment
  before they are flushed; only a crash of PostgreSQL itself in that moment could take them back, and
  then their writer was never answered (a kiosk's outbox sends again).
- SQLite durability: WAL with ``synchronous=NORMAL`` by default: a commit survives the server process
  being killed (the kiosk's 2xx means stored); only a power cut or kernel crash can lose the last
  commits. ``sqlite_synchronous="FULL"`` fsyncs every commit (safe against power loss, ~10x slower).
- :meth:`Database.raw_write` (SQLite only) is the same write transaction on the writer's plain
  ``sqlite3`` connection, for the hot paths (see :mod:`kiosk.queue.store_raw`).
  :meth:`Database.raw_read` is a pooled plain connection for one-statement reads on those paths.
- :meth:`Database.read` yields a connection for reads: on SQLite a deferred transaction rolled back on
  exit; on PostgreSQL autocommit (each statement its own snapshot, as READ COMMITTED gives anyway,
  without the BEGIN and ROLLBACK round trips), or a transaction when asked (``transaction=True``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text

from kiosk.queue.pg_flush import FLUSH_SQL, ThreadFlush  # noqa: F401 (FLUSH_SQL: also read from here)

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
COMMITTED = "kq_committed"  # Connection.info: kiosk.queue.pg_append committed the transaction
_PG_MIGRATION_LOCK = 72_620_011  # pg_advisory_xact_lock key: one migrator at a time across processes


def normalise_url(url: str) -> str:
    """Accepts ``postgresql://…`` / ``postgres://…`` and picks the psycopg 3 driver; other URLs unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(state_dir: Path) -> str:
    return f"sqlite:///{(state_dir / 'queue.sqlite3').resolve()}"


class Database:
    """One engine plus the transaction discipline described in the module docstring."""

    def __init__(self, url: str, *, pool_size: int = 20, sqlite_synchronous: str = "NORMAL"):
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.is_postgres = self.url.startswith("postgresql")
        if sqlite_synchronous.upper() not in ("NORMAL", "FULL"):
            raise ValueError(f"sqlite synchronous mode '{sqlite_synchronous}' is not NORMAL or FULL")
        if not (self.is_sqlite or self.is_postgres):
            raise ValueError(f"database URL '{url}' is neither sqlite:/// nor postgresql+psycopg://")
        self._write_lock = threading.Lock()
        self._writer: Connection | None = None
        self._on_dispose: list = []
        if self.is_sqlite:
            if ":memory:" in self.url or self.url in ("sqlite://", "sqlite:///"):
                raise ValueError("an in-memory SQLite database cannot be shared; give a file path")
            self.engine = self._sqlite_engine(pool_size, sqlite_synchronous.upper())
        else:
            self.flusher = ThreadFlush(self.conninfo)
            # No ping per checkout (a round trip each time): a connection found dead when used fails that
            # one request, and the pool then drops every connection older than it (PostgreSQL restarted).
            self.engine = create_engine(self.url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=3600,
                                        hide_parameters=True)  # errors in logs never carry personal data
            # reads: autocommit connections of their own (switching a connection per read costs CPU)
            # (also the service threads' one-message writes, kiosk.queue.pg_write; the hot paths' own come from
            # kiosk.queue.pg_pool on the event loop)
            self.read_engine = create_engine(self.url, pool_size=pool_size // 2, max_overflow=pool_size // 2,
                                             pool_recycle=3600, hide_parameters=True, isolation_level="AUTOCOMMIT")

    def _sqlite_engine(self, pool_size: int, synchronous: str) -> Engine:
        engine = create_engine(
            self.url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
            hide_parameters=True,  # errors in logs never carry personal data
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (pysqlite's own is too late)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.connection.dbapi_connection.execute(f"BEGIN {mode}")  # straight to sqlite3: hot path

        return engine

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; commits when the block ends, rolls back on an exception."""
        if self.is_sqlite:
            with self._write_lock:  # the one writer keeps one connection: no pool round trip per write
                conn = self._writer
                if conn is None or conn.closed or conn.invalidated:
                    conn = self._writer = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    yield conn
        else:
            with self.engine.connect() as conn:
                conn.info.pop(COMMITTED, None)
                with conn.begin():
                    yield conn
                    # The ordering lock (store.add_events, chain.append) is held until commit; committing
                    # without waiting for the disk releases it at once, so writers do not queue behind
                    # each other's fsync. Durable all the same before anyone hears of it: the group
                    # flush below, begun after this commit, covers it (the WAL is sequential). (Set at the end: the setting at COMMIT counts,
                    # and the transaction's first statement goes out without a round trip before it.)
                    if not conn.info.get(COMMITTED):
                        conn.execute(_ASYNC_COMMIT)
                conn.info.pop(COMMITTED, None)
            self.flusher.wait()  # (the connection back first: the wait holds none of the pool's)

    @contextmanager
    def raw_write(self) -> Iterator[sqlite3.Connection]:
        """SQLite: ``BEGIN IMMEDIATE`` … ``COMMIT`` on the single writer's ``sqlite3`` connection, under the
        same process-wide lock as :meth:`write`; rolls back on an exception."""
        if not self.is_sqlite:
            raise RuntimeError("raw_write is for SQLite; use write()")
        with self._write_lock:
            conn = self._writer
            if conn is None or conn.closed or conn.invalidated:
                conn = self._writer = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
            raw = conn.connection.dbapi_connection
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield raw
            except BaseException:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    @contextmanager
    def raw_read(self) -> Iterator[sqlite3.Connection]:
        """SQLite: a pooled plain ``sqlite3`` connection for single-statement reads (autocommit)."""
        if not self.is_sqlite:
            raise RuntimeError("raw_read is for SQLite; use read()")
        proxy = self.engine.raw_connection()
        try:
            yield proxy.dbapi_connection
        finally:
            proxy.close()

    def conninfo(self) -> str:
        """PostgreSQL: the libpq connection string of this database (psycopg's own connections)."""
        return self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    @contextmanager
    def raw_pg(self) -> Iterator:
        """PostgreSQL: a pooled autocommit ``psycopg`` connection, for writes sent as one message that
        opens and commits its own transaction (:mod:`kiosk.queue.pg_write`)."""
        if not self.is_postgres:
            raise RuntimeError("raw_pg is for PostgreSQL")
        proxy = self.read_engine.raw_connection()
        try:
            yield proxy.dbapi_connection
        except BaseException:
            if proxy.dbapi_connection is not None and proxy.dbapi_connection.closed:
                proxy.invalidate()  # (dead: PostgreSQL restarted)
            raise
        finally:
            proxy.close()

    @contextmanager
    def read(self, transaction: bool = False) -> Iterator[Connection]:
        """``transaction``: on PostgreSQL too (one snapshot; what server-side cursors need)."""
        engine = self.read_engine if self.is_postgres and not transaction else self.engine
        with engine.connect() as conn:  # PostgreSQL: each statement on its own, as READ COMMITTED sees it
            yield conn  # anyway, without the BEGIN and ROLLBACK round trips

    def migrate(self) -> str:
        """Upgrades the schema to the newest revision; returns that revision id."""
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.connect() as conn:
            if self.is_postgres:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                if self.is_postgres:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                    conn.commit()
        head = ScriptDirectory.from_config(cfg).get_current_head()
        log.info("queue database at revision %s (%s)", head, self.engine.url.render_as_string(hide_password=True))
        return head or ""

    def refresh_stats(self) -> None:
        """SQLite: the query planner's statistics (``ANALYZE``: 166 ms at 300,000 requests, ``python3
        bench/bench_figures.py --requests 300000 --days 180``). Without them SQLite guessed: a helper's 今日已办
        (``closed_since``) walked every resolved request by state instead of the closing-time index (a sampling
        ANALYZE, ``analysis_limit=2000``, still chose wrong). The server runs it at start and every few hours
        (kiosk/queue/escalation.py). PostgreSQL's autovacuum keeps its own statistics: nothing to do."""
        if not self.is_sqlite:
            return
        with self.write() as conn:
            conn.exec_driver_sql("ANALYZE")

    def on_dispose(self, callback) -> None:
        """``callback()`` runs first when :meth:`dispose` is called (threads holding connections of their own)."""
        self._on_dispose.append(callback)

    def dispose(self) -> None:
        callbacks, self._on_dispose = self._on_dispose, []
        for callback in callbacks:
            callback()
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        if self.is_postgres:
            self.flusher.close()
        self.engine.dispose()
        if self.is_postgres:
            self.read_engine.dispose()
