"""The outbox's SQLite schema, and the rebuild of an outbox an older kiosk left (see ``outbox.py``)."""

from __future__ import annotations

import sqlite3

KINDS = ("request", "heartbeat", "cancel", "note", "notice", "rating")
STATES = ("pending", "sent", "dead")

TABLE = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('request', 'heartbeat', 'cancel', 'note', 'notice', 'rating')),
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    last_error TEXT,
    sent_at REAL,
    visit_id TEXT,
    ref_id TEXT,
    closed INTEGER NOT NULL DEFAULT 0,
    server_status TEXT
)"""
INDEXES = """
CREATE INDEX IF NOT EXISTS items_state_seq ON items (state, seq);
CREATE INDEX IF NOT EXISTS items_visit ON items (visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_sent_at ON items (sent_at) WHERE state = 'sent';
"""
SCHEMA = TABLE + ";" + INDEXES


def create(db: sqlite3.Connection) -> None:
    """Brings the outbox at ``db`` to the current schema (idempotent: run on every open)."""
    upgrade(db)
    db.executescript(SCHEMA)


def upgrade(db: sqlite3.Connection) -> None:
    """Rebuilds an outbox made by an older kiosk (its ``kind`` CHECK lacks a kind added since: 'note',
    'notice', 'rating'), keeping every row and the ``seq`` counter, in one transaction."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='items'").fetchone()
    if row is None or all(f"'{kind}'" in row[0] for kind in KINDS):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        last = db.execute("SELECT seq FROM sqlite_sequence WHERE name='items'").fetchone()
        db.execute("ALTER TABLE items RENAME TO items_before_upgrade")
        db.execute(TABLE)
        db.execute("INSERT INTO items SELECT * FROM items_before_upgrade")
        db.execute("DROP TABLE items_before_upgrade")
        if last is not None:
            db.execute("UPDATE sqlite_sequence SET seq=max(seq, ?) WHERE name='items'", (last[0],))
        for statement in filter(str.strip, INDEXES.split(";")):
            db.execute(statement)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
