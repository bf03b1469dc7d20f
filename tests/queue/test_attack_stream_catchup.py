"""Attack (load review): an event stream opened far behind read the events table from its id to the end.

A stream's catch-up (``Last-Event-ID`` or ``?after=``) asked for the console's next 1,001 events *of its
sites*. The table has no index by site, so a console of a quiet site — or a stolen session asking
``?after=1`` — made the database walk every event of every other site since then to find its few: 90 ms
on the event loop (SQLite) for 200,000 events, seconds for a year's, for one read unit. A session
reopening the stream in a loop, or a storm of consoles of quiet sites reconnecting after an outage, kept
the server from everyone. Now the catch-up looks through at most ``store.CATCH_UP_SCAN`` events (of any
site): a console further behind is sent ``resync`` at once (it reloads its lists, as for 1,000 missed).
"""

from __future__ import annotations

import httpx
from sqlalchemy import func, insert, select

from kiosk.queue import store
from kiosk.queue.models import events
from tests.queue.conftest import auth


def _seed(ctx, site: str, n: int, now) -> None:
    """``n`` pushed events of ``site`` written straight into the table (a busy neighbour's day)."""
    rows = [dict(request_id=f"r{i}", site_code=site, type="request.created", actor="kiosk:k1", at=now,
                 data={"id": f"r{i}"}) for i in range(n)]
    with ctx.db.write() as conn:
        for i in range(0, n, 5000):
            conn.execute(insert(events), rows[i:i + 5000])


def _first_frames(url: str, token: str, after: int) -> list[tuple[str, str]]:
    """The (event, id) pairs of the stream's first write (its catch-up), then hangs up."""
    with httpx.stream("GET", f"{url}/api/v1/events/stream?after={after}", headers=auth(token), timeout=20) as r:
        assert r.status_code == 200, r.read()
        text = next(r.iter_text())
    frames, current = [], {}
    for line in text.split("\r\n"):
        if not line:
            if current:
                frames.append((current.get("event", ""), current.get("id", "")))
            current = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(":")
            current[key] = value.strip()
    return frames


def test_a_stream_far_behind_gets_resync_without_a_walk_through_the_table(ctx, world, live, clock):
    _seed(ctx, "T1", 10, clock())
    with ctx.db.read() as conn:
        quiet_start = store.last_event_id(conn)
    _seed(ctx, "T1", store.CATCH_UP_SCAN + 50, clock())  # the busy neighbour
    with ctx.db.read() as conn:
        newest = store.last_event_id(conn)
        behind = conn.execute(select(func.count()).where(events.c.id > quiet_start)).scalar()
    assert behind > store.CATCH_UP_SCAN

    zhao, li = world.token("zhao"), world.token("li")  # T2 (quiet), T1 (busy)
    assert _first_frames(live.url, zhao, quiet_start) == [("resync", str(newest))]
    assert _first_frames(live.url, zhao, 1) == [("resync", str(newest))]  # a stolen session's ?after=1
    # within the bound a console still gets its own missed events, not a reload
    with ctx.db.read() as conn:
        five_back = conn.execute(select(events.c.id).order_by(events.c.id.desc()).offset(5).limit(1)).scalar()
    frames = _first_frames(live.url, li, five_back)
    assert [e for e, _ in frames] == ["request.created"] * 5 and frames[-1][1] == str(newest)
    assert _first_frames(live.url, zhao, newest) == []  # up to date: nothing to catch up (a ping)
