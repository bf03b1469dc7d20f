"""The in-process fan-out: filtering by site, one serialisation per event and one join per audience, and a
slow console that gets ``resync`` instead of growing memory or delaying the others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from kiosk.queue.events import to_live
from kiosk.queue.fanout import EventBus


def event(i: int, site: str, escalated_to: str | None = None, type_: str = "request.created") -> dict:
    return {"id": i, "type": type_, "at": datetime(2026, 11, 28, tzinfo=UTC), "actor": "kiosk:k1",
            "site_code": site, "escalated_to": escalated_to, "data": {"request": {"id": f"r{i}", "note": "张三"}}}


def ids(data: bytes) -> list[int]:
    return [int(line[4:]) for line in data.split(b"\r\n") if line.startswith(b"id: ")]


def run(scenario):
    return asyncio.run(scenario())


def test_delivery_by_site_and_escalation_target():
    async def scenario():
        bus = EventBus()
        bus.bind(asyncio.get_running_loop())
        town, district = bus.subscribe(frozenset({"T1"})), bus.subscribe(frozenset({"D"}))
        both = bus.subscribe(frozenset({"T1", "D"}))  # a supervisor: the escalated event once, not twice
        bus.publish([to_live(event(1, "T1")), to_live(event(2, "T1", escalated_to="D")), to_live(event(3, "T2"))])
        await asyncio.sleep(0.05)
        woken = town.wake.is_set(), district.wake.is_set()
        got = ids(bus.take(town)), ids(bus.take(district)), ids(bus.take(both))
        for sub in (town, district, both):
            bus.unsubscribe(sub)
        return woken, got, bus.subscribers, bus.audiences

    assert run(scenario) == ((True, True), ([1, 2], [2], [1, 2]), 0, 0)


def test_only_pushed_types_are_kept():
    async def scenario():
        bus = EventBus(types={"request.created"})
        bus.bind(asyncio.get_running_loop())
        sub = bus.subscribe(frozenset({"T1"}))
        bus.publish([to_live(event(1, "T1", type_="kiosk.heartbeat")), to_live(event(2, "T1"))])
        await asyncio.sleep(0.05)
        return ids(bus.take(sub))

    assert run(scenario) == [2]


def test_json_is_made_once_and_keeps_chinese():
    live = to_live(event(7, "T1"))
    assert live.sites == ("T1",) and '"note":"张三"' in live.json and '"at":"2026-11-28T00:00:00Z"' in live.json
    assert live.frame.startswith(b"id: 7\r\nevent: request.created\r\ndata: {") and live.frame.endswith(b"\r\n\r\n")


def test_consoles_of_one_audience_share_one_log_and_one_joined_write():
    async def scenario():
        bus = EventBus()
        bus.bind(asyncio.get_running_loop())
        subs = [bus.subscribe(frozenset({"T1"})) for _ in range(50)]
        bus.publish([to_live(event(i, "T1")) for i in range(1, 6)])
        await asyncio.sleep(0.05)
        writes = [bus.take(s) for s in subs]
        return bus.audiences, bus.backlog, {id(w) for w in writes}, ids(writes[0])

    audiences, backlog, distinct, got = run(scenario)
    assert audiences == 1 and backlog == 5  # five frames held once, not 250
    assert len(distinct) == 1  # the same bytes object handed to all fifty consoles
    assert got == [1, 2, 3, 4, 5]


def test_a_slow_console_gets_resync_and_the_others_every_event_with_memory_bounded():
    async def scenario():
        bus = EventBus(max_lag=10)
        bus.bind(asyncio.get_running_loop())
        slow, fast = bus.subscribe(frozenset({"T1"})), bus.subscribe(frozenset({"T1"}))
        got_fast: list[int] = []
        held = 0
        for i in range(1, 201):
            bus.publish([to_live(event(i, "T1"))])
            await asyncio.sleep(0)
            got_fast += ids(bus.take(fast))  # the fast console keeps up; the slow one reads nothing
            held = max(held, bus.backlog)
        first = bus.take(slow)  # it comes back: a resync, not 200 stale frames
        bus.publish([to_live(event(201, "T1"))])
        await asyncio.sleep(0)
        return got_fast, held, first, ids(bus.take(slow)), slow.resyncs, bus.resyncs, bus.subscribers

    got_fast, held, first, after, slow_resyncs, resyncs, subscribers = run(scenario)
    assert got_fast == list(range(1, 201))  # never delayed or cut by the slow one
    assert held <= 20  # the log is bounded (2 × max_lag) whatever a console does
    assert b"event: resync" in first and ids(first) == [200]  # Last-Event-ID moves to the newest skipped
    assert after == [201]  # live again after the resync
    assert (slow_resyncs, resyncs, subscribers) == (1, 1, 2)


def test_a_restarted_stream_skips_what_it_already_read_from_the_table():
    async def scenario():
        bus = EventBus()
        bus.bind(asyncio.get_running_loop())
        sub = bus.subscribe(frozenset({"T1"}))
        bus.publish([to_live(event(i, "T1")) for i in (4, 5, 6)])
        await asyncio.sleep(0.05)
        sub.after = 5  # the backlog read from the table reached id 5
        return ids(bus.take(sub))

    assert run(scenario) == [6]


def test_a_console_whose_oldest_unsent_event_is_too_old_gets_resync():
    async def scenario():
        bus = EventBus(max_delay_s=0.05)
        bus.bind(asyncio.get_running_loop())
        late, prompt = bus.subscribe(frozenset({"T1"})), bus.subscribe(frozenset({"T1"}))
        bus.publish([to_live(event(1, "T1")), to_live(event(2, "T1"))])
        await asyncio.sleep(0.01)
        first = ids(bus.take(prompt))  # written at once: fine
        await asyncio.sleep(0.2)  # the other console was busy (its socket full) for longer than allowed
        return first, bus.take(late)

    first, late = run(scenario)
    assert first == [1, 2] and b"event: resync" in late and ids(late) == [2]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_under_overload_a_console_behind_gets_one_resync_not_every_stale_event():
    """Overload (set by kiosk.queue.metrics from the loop's lag) tightens the bound on a frame's wait in the
    bus from ``max_delay_s`` to ``overload_delay_s``: what waited longer is shed, one resync stands for it."""
    async def scenario():
        clock = Clock()
        bus = EventBus(max_delay_s=5.0, overload_delay_s=1.0, clock=clock)
        bus.bind(asyncio.get_running_loop())
        behind, prompt = bus.subscribe(frozenset({"T1"})), bus.subscribe(frozenset({"T1"}))
        bus._dispatch([to_live(event(i, "T1")) for i in range(1, 51)])
        clock.now += 2.0  # two seconds later: within max_delay_s, so without overload still delivered
        calm = ids(bus.take(prompt))
        bus._dispatch([to_live(event(i, "T1")) for i in range(51, 101)])
        clock.now += 2.0
        bus.overloaded = True  # now the loop lags: frames 51-100 have waited 2 s > overload_delay_s
        shed = bus.take(behind)  # 100 frames waiting: one resync instead
        again = bus.take(behind)  # nothing more: the console reloads, then is live from here
        bus._dispatch([to_live(event(101, "T1"))])
        fresh = ids(bus.take(behind))
        return calm, shed, again, fresh, bus.shed_frames, bus.resyncs, bus.push_delay.n

    calm, shed, again, fresh, shed_frames, resyncs, writes_timed = run(scenario)
    assert calm == list(range(1, 51))
    assert b"event: resync" in shed and ids(shed) == [100] and again == b""
    assert fresh == [101]
    assert (shed_frames, resyncs) == (100, 1)  # counted for /metrics: dropped frames, consoles told to reload
    assert writes_timed == 2  # each write's wait in the bus is observed (the resync is not a write of frames)


def test_the_delays_of_events_are_observed_on_their_way_to_the_consoles():
    async def scenario():
        clock = Clock()
        bus = EventBus(clock=clock, wall=lambda: datetime(2026, 11, 28, 0, 0, 3, tzinfo=UTC).timestamp())
        bus.bind(asyncio.get_running_loop())
        sub = bus.subscribe(frozenset({"T1"}))
        bus._dispatch([to_live(event(1, "T1"))])  # its time: 00:00:00, reached the bus at 00:00:03
        clock.now += 0.3
        bus.take(sub)
        return bus.to_bus, bus.push_delay

    to_bus, push_delay = run(scenario)
    assert (to_bus.n, round(to_bus.total, 3)) == (1, 3.0)  # the event's time -> this process's bus
    assert (push_delay.n, round(push_delay.total, 3)) == (1, 0.3)  # in the bus -> written to a console
