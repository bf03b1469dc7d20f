"""Alembic migrations of the queue server's database (run programmatically by :mod:`kiosk.queue.db`)."""
