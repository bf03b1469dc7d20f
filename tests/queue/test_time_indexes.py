"""Reads by time use the indexes by time (migration 0019), on SQLite and PostgreSQL, once the database has its
planner statistics (SQLite: ``Database.refresh_stats``, which the server runs at start and every few hours;
PostgreSQL: autovacuum's ANALYZE, run here at once). Before, a helper's 今日已办 (``closed_since``) walked every
resolved request of her sites, and the 督查 figures for a month walked the sites' whole history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from tests.queue.conftest import auth
from tests.queue.test_attack_cheap_answers import _closed


def _statements(ctx, call) -> list[tuple[str, object]]:
    """The SQL statements (with their parameters) the server runs during ``call()``."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, parameters))

    engines = {ctx.db.engine, getattr(ctx.db, "read_engine", ctx.db.engine)}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
    return seen


def _plan(ctx, statement: str, parameters) -> str:
    with ctx.db.write() as conn:
        if ctx.db.is_postgres:
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            return "\n".join(r[0] for r in rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(r[-1]) for r in rows)


def _analyzed(ctx) -> None:
    if ctx.db.is_postgres:
        with ctx.db.write() as conn:
            conn.exec_driver_sql("ANALYZE requests")
            conn.exec_driver_sql("ANALYZE cases")
    else:
        ctx.db.refresh_stats()


def test_todays_closed_requests_are_read_by_closing_time(ctx, world, client, clock):
    _closed(ctx, world, 20_000, clock() - timedelta(days=1))  # yesterday's and older
    _analyzed(ctx)
    since = clock().isoformat().replace("+00:00", "Z")
    url = f"/api/v1/requests?mine=true&state=resolved&state=cancelled&closed_since={since}&limit=1000"
    got = []
    ran = _statements(ctx, lambda: got.append(client.get(url, headers=auth(world.token("li")))))
    assert got[0].status_code == 200 and got[0].json()["items"] == []
    reads = [(s, p) for s, p in ran if "closed_at >=" in s]
    assert len(reads) == 1, ran
    assert "ix_requests_closed" in _plan(ctx, *reads[0])


def test_a_months_figures_read_that_month_only(ctx, world, client, clock):
    _closed(ctx, world, 20_000, clock() - timedelta(days=200))  # an older half-year of history
    _analyzed(ctx)
    day = (clock() + timedelta(hours=8)).date()
    got = []
    ran = _statements(ctx, lambda: got.append(client.get(f"/api/v1/figures?since={day - timedelta(days=29)}&until={day}",
                                                        headers=auth(world.token("sup")))))
    assert got[0].status_code == 200, got[0].text
    window = [(s, p) for s, p in ran if "FROM requests" in s and "created_at >=" in s]
    assert window, ran
    assert all("ix_requests_site_created" in _plan(ctx, s, p) for s, p in window)
