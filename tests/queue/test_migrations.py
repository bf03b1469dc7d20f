"""The Alembic migrations build exactly the schema the code expects, on both backends, idempotently."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiosk.queue.db import Database
from kiosk.queue.models import metadata


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from kiosk.queue.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None and head >= "0004"
    return head


def test_migrated_schema_matches_the_models(db_url):
    db = Database(db_url)
    try:
        assert db.migrate() == _head()  # already at head: a no-op
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == [], diff
    finally:
        db.dispose()


def test_sqlite_runs_in_wal_mode(sqlite_url):
    db = Database(sqlite_url)
    try:
        with db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()
