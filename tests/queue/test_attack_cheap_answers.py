"""Attack (load review): reads whose answer is small but whose work is not cost one unit of the read budget.

The read budget (kiosk/queue/reads.py) counted a read 1 unit plus its answer's bytes. ``GET /requests
?state=resolved&closed_since=<a date in 2099>`` answers nothing, yet the database looked at every closed
request of the caller's sites to find that out (no index by closing time; migration 0019 added one, which
SQLite uses once it has its statistics: the index is dropped here to keep a read this costly to test the charge
with, as other costly reads remain): 80 ms of SQLite's event loop
at 200,000 closed requests, for 1 unit. A stolen session could spend its 1,200 units a minute on them:
96 s of work a minute, more than the loop has, for everyone. Now the CPU a read's service calls took in
the server is charged too, a unit per 3 ms, so such a loop is throttled like a loop of big pages. (On
PostgreSQL the scan is the database's CPU, which the server does not see: not charged, see reads.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from kiosk.queue.models import requests
from kiosk.queue.reads import ReadBudget
from tests.queue.conftest import auth
from tests.queue.test_attack_reads import Mono


def _closed(ctx, world, n: int, now) -> None:
    """``n`` resolved requests of T1 written straight into the table (a district's months)."""
    rows = [dict(id=f"r{i:07d}", kind="assist", site_code="T1", kiosk_id="k1", step="matter", priority="normal",
                 priority_rank=1, state="resolved", created_at=now - timedelta(seconds=n - i), received_at=now,
                 updated_at=now, claimed_by=world.user_ids["li"], closed_at=now - timedelta(seconds=n - i),
                 escalate_at=now, escalate_up_at=now, escalation_level=0, version=1, outcome="answered")
            for i in range(n)]
    with ctx.db.write() as conn:
        for i in range(0, n, 5000):
            conn.execute(insert(requests), rows[i:i + 5000])


def test_a_loop_of_empty_but_costly_reads_is_throttled(ctx, world, client, clock):
    if ctx.db.is_postgres:
        pytest.skip("the scan is PostgreSQL's CPU there, not the server's: not charged (kiosk/queue/reads.py)")
    _closed(ctx, world, 60_000, clock())
    with ctx.db.write() as conn:  # see the docstring: a read as costly as it was before migration 0019
        conn.exec_driver_sql("DROP INDEX ix_requests_closed")
    try:
        _throttled(ctx, world, client, clock)
    finally:  # the database is the session's: the next tests get the schema back
        with ctx.db.write() as conn:
            conn.exec_driver_sql("CREATE INDEX ix_requests_closed ON requests (closed_at)")


def _throttled(ctx, world, client, clock) -> None:
    mono = Mono()
    ctx.reads = ReadBudget(60, clock=mono)
    thief, colleague = world.token("li"), world.token("wang")
    since = clock().isoformat().replace("+00:00", "Z")  # none closed since: an empty answer, every row looked at
    url = f"/api/v1/requests?state=resolved&closed_since={since}&limit=1000"
    codes = []
    for _ in range(40):  # 40 units at one a read: all would pass a 60-unit budget
        r = client.get(url, headers=auth(thief))
        codes.append(r.status_code)
        assert r.status_code == 429 or r.json()["items"] == []
    served = codes.count(200)
    assert codes == [200] * served + [429] * (40 - served) and served < 30, codes
    assert client.get("/api/v1/requests", headers=auth(colleague)).status_code == 200  # others are served
    mono.advance(60)
    assert client.get(url, headers=auth(thief)).status_code == 200  # the next minute
