"""The in-process event bus: filtering by site, one serialisation, slow consoles cut off."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from kiosk.queue.events import CLOSE, EventBus, to_live


def event(i: int, site: str, escalated_to: str | None = None) -> dict:
    return {"id": i, "type": "request.created", "at": datetime(2026, 11, 28, tzinfo=UTC), "actor": "kiosk:k1",
            "site_code": site, "escalated_to": escalated_to, "data": {"request": {"id": f"r{i}", "note": "张三"}}}


def test_delivery_by_site_and_escalation_target():
    async def scenario():
        bus = EventBus()
        bus.bind(asyncio.get_running_loop())
        town, district = bus.subscribe(frozenset({"T1"})), bus.subscribe(frozenset({"D"}))
        bus.publish([to_live(event(1, "T1")), to_live(event(2, "T1", escalated_to="D")), to_live(event(3, "T2"))])
        await asyncio.sleep(0.05)
        got_town = [town.queue.get_nowait().id for _ in range(town.queue.qsize())]
        got_district = [district.queue.get_nowait().id for _ in range(district.queue.qsize())]
        bus.unsubscribe(town)
        bus.unsubscribe(district)
        return got_town, got_district, bus.subscribers

    assert asyncio.run(scenario()) == ([1, 2], [2], 0)


def test_json_is_made_once_and_keeps_chinese():
    live = to_live(event(7, "T1"))
    assert live.sites == ("T1",) and '"note":"张三"' in live.json and '"at":"2026-11-28T00:00:00Z"' in live.json


def test_a_console_that_falls_behind_is_closed_not_blocking_others():
    async def scenario():
        bus = EventBus(queue_size=3)
        bus.bind(asyncio.get_running_loop())
        slow, fast = bus.subscribe(frozenset({"T1"})), bus.subscribe(frozenset({"T1"}))
        for i in range(5):
            bus.publish([to_live(event(i, "T1"))])
            await asyncio.sleep(0.01)
            if fast.queue.qsize():
                fast.queue.get_nowait()
        items = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        return items[-1] is CLOSE, bus.subscribers

    closed, remaining = asyncio.run(scenario())
    assert closed and remaining == 1
