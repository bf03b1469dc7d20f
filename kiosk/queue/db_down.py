"""The database out of reach (link cut, PostgreSQL restarting or full of clients, SQLite locked past its busy
timeout): every endpoint answers 503 ``database_unavailable`` with ``Retry-After``, in words, never a bare 500
or a dropped connection. Kiosks' outboxes retry 5xx answers, so nothing a kiosk sent is lost; the pools
drop the dead links and the server serves again by itself once the database is back.

The log says so at most once per :data:`LOG_EVERY_S`, with the driver's first line only (never the SQL's
parameters, which can hold personal data)."""

from __future__ import annotations

import logging
import sqlite3
import time

import sqlalchemy.exc

from kiosk.queue.errors import Unavailable

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5
LOG_EVERY_S = 10.0
_logged_at = [float("-inf")]


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                                               sqlite3.OperationalError)
    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        return errors
    return (*errors, psycopg.OperationalError, psycopg.InterfaceError)


DOWN_ERRORS = _driver_errors()


def database_down(exc: BaseException) -> bool:
    """A failure to reach or use the database now, not a broken schema: SQLite's "no such table" and syntax
    errors are operational errors too, and stay 500s with their traceback (a bug or a damaged file)."""
    if not isinstance(exc, DOWN_ERRORS):
        return False
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).lower()
    return not (isinstance(cause, sqlite3.OperationalError) and (text.startswith("no such ") or "syntax error" in text))


def unavailable(exc: BaseException) -> Unavailable:
    """The 503 to answer for ``exc``, logged (rate-limited)."""
    now = time.monotonic()
    if now - _logged_at[0] >= LOG_EVERY_S:
        _logged_at[0] = now
        cause = getattr(exc, "orig", None) or exc
        first = (str(cause).strip().splitlines() or [""])[0][:200]
        log.warning("database out of reach, answering 503: %s: %s", type(cause).__name__, first)
    return Unavailable("database_unavailable", retry_after=RETRY_AFTER_S)
