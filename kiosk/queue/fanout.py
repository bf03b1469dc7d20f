"""The in-process fan-out of live events to SSE consoles: one shared log per audience, a cursor per console.

Contract
- An *audience* is a set of visible sites; every console whose caller sees the same sites shares one.
  Each published event (its SSE frame encoded once, :class:`kiosk.queue.events.Live`) is appended once to
  the log of every audience that sees one of its sites (the request's site or the site it was escalated
  to); a console holds only a cursor into its audience's log. Publishing costs O(audiences), not
  O(consoles); a console is woken once however many events arrived meanwhile (coalesced), and consoles
  at the same cursor are handed the very same joined bytes (joined once per audience).
- Bounded memory and delay: an audience keeps at most ``2 × max_lag`` frames. A console more than
  ``max_lag`` frames behind, or whose oldest unsent frame is older than ``max_delay_s`` (5 s), could not
  keep up (a slow network, a stalled browser): it is not waited for and keeps nothing queued; its next
  write is a ``resync`` (the console reloads its lists) and its cursor jumps to the end. Others are
  never delayed by it. (The stream also keeps the socket's send buffer small, so what a slow console
  has in flight is bounded too: kiosk/queue/stream.py.)
- Publish from any thread (:meth:`EventBus.publish`); everything else runs on the bound event loop.
- Coalescing under load: :attr:`EventBus.coalesce_s` (set by :mod:`kiosk.queue.metrics` from the loop's
  lag) is the least time between two writes to one console; 0 when the server is not busy.
- Shedding under overload: while :attr:`EventBus.overloaded` (set by :mod:`kiosk.queue.metrics` after a
  second of overload), the bound on a frame's wait in the bus drops from ``max_delay_s`` to
  ``overload_delay_s`` (1 s): a console behind by more gets one ``resync`` for all of them (``shed_frames`` counts the frames dropped, ``resyncs``
  the consoles told to reload), so what is delivered stays fresh however far past capacity the process is.
- Observed for ``/metrics``: ``to_bus`` (an event's time, when its write began, to this process's bus:
  its transaction, commit and, on PostgreSQL, the wake-up and the read below the horizon) and
  ``push_delay`` (a write's oldest frame: its wait in the bus until written to a console).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from kiosk.queue.events import Live, sse_frame
from kiosk.queue.metrics import DELAY_BUCKETS, Histogram

MAX_WRITE = 256  # frames in one write to a console at most
MAX_WRITE_BYTES = 256 * 1024  # and bytes (past the first frame): what one slow console can hold in buffers


def resync_frame(last_id: int) -> bytes:
    """``resync``: the console reloads; its ``Last-Event-ID`` moves to the newest event it skipped."""
    return sse_frame(last_id, "resync", b'{"type":"resync","id":%d}' % last_id)


class Audience:
    __slots__ = ("sites", "log", "times", "base", "subs", "_chunk")

    def __init__(self, sites: frozenset[str]):
        self.sites = sites
        self.log: list[Live] = []
        self.times: list[float] = []  # when each frame was published (monotonic)
        self.base = 0  # the sequence number of log[0]
        self.subs: set[Subscriber] = set()
        self._chunk: tuple[int, int, bytes] | None = None

    @property
    def end(self) -> int:
        return self.base + len(self.log)

    def append(self, item: Live, max_lag: int, now: float) -> None:
        self.log.append(item)
        self.times.append(now)
        if len(self.log) > 2 * max_lag:  # trimmed in halves: amortised O(1) per event
            cut = len(self.log) - max_lag
            del self.log[:cut]
            del self.times[:cut]
            self.base += cut

    def stop(self, start: int, limit: int) -> int:
        """Where a write starting at ``start`` ends: at ``limit`` or once ``MAX_WRITE_BYTES`` are reached."""
        size, i = 0, start
        log, base = self.log, self.base
        while i < limit and (size == 0 or size + len(log[i - base].frame) <= MAX_WRITE_BYTES):
            size += len(log[i - base].frame)
            i += 1
        return i

    def chunk(self, start: int, end: int) -> bytes:
        """The frames of sequence numbers [start, end) joined, once for all consoles at that cursor."""
        cached = self._chunk
        if cached is not None and cached[0] == start and cached[1] == end:
            return cached[2]
        data = b"".join(i.frame for i in self.log[start - self.base : end - self.base])
        self._chunk = (start, end, data)
        return data


class Subscriber:
    __slots__ = ("audience", "cursor", "wake", "closed", "after", "resyncs")

    def __init__(self, audience: Audience):
        self.audience = audience
        self.cursor = audience.end
        self.wake = asyncio.Event()
        self.closed = False
        self.after = 0  # events up to this id were already sent (from the table): skipped
        self.resyncs = 0

    @property
    def sites(self) -> frozenset[str]:
        return self.audience.sites

    def close(self) -> None:
        self.closed = True
        self.wake.set()


class EventBus:
    """Fan-out inside one server process; publish from any thread, subscribe on the event loop."""

    def __init__(self, max_lag: int = 1000, types: Iterable[str] | None = None, max_delay_s: float = 5.0,
                 overload_delay_s: float = 1.0, clock=time.monotonic, wall=time.time):
        self.max_lag, self.max_delay_s, self.overload_delay_s = max_lag, max_delay_s, overload_delay_s
        self.types = frozenset(types) if types is not None else None  # pushed types (others not kept)
        self.clock, self.wall = clock, wall  # (monotonic: waits in the bus; wall: against the events' times)
        self.coalesce_s = 0.0
        self.overloaded = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._audiences: dict[frozenset[str], Audience] = {}
        self._by_site: dict[str, set[Audience]] = {}
        self.published = self.writes = self.frames_sent = self.resyncs = self.shed_frames = 0
        self.to_bus, self.push_delay = Histogram(DELAY_BUCKETS), Histogram(DELAY_BUCKETS)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    # ---- consoles ----
    def subscribe(self, sites: frozenset[str]) -> Subscriber:
        audience = self._audiences.get(sites)
        if audience is None:
            audience = self._audiences[sites] = Audience(sites)
            for s in sites:
                self._by_site.setdefault(s, set()).add(audience)
        sub = Subscriber(audience)
        audience.subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        audience = sub.audience
        audience.subs.discard(sub)
        if not audience.subs and self._audiences.get(audience.sites) is audience:
            del self._audiences[audience.sites]
            for s in audience.sites:
                group = self._by_site.get(s)
                if group is not None:
                    group.discard(audience)
                    if not group:
                        del self._by_site[s]

    @property
    def subscribers(self) -> int:
        return sum(len(a.subs) for a in self._audiences.values())

    @property
    def audiences(self) -> int:
        return len(self._audiences)

    @property
    def backlog(self) -> int:
        """Frames held in the audiences' logs (bounded by ``2 × max_lag`` each)."""
        return sum(len(a.log) for a in self._audiences.values())

    def lag(self, sub: Subscriber) -> int:
        return sub.audience.end - sub.cursor

    def take(self, sub: Subscriber) -> bytes:
        """The bytes to write to this console now (its pending frames, or a ``resync``); b"" if none."""
        audience = sub.audience
        end, now = audience.end, self.clock()
        bound = self.overload_delay_s if self.overloaded else self.max_delay_s
        if (sub.cursor < audience.base or end - sub.cursor > self.max_lag  # fell behind: never waited for
                or (sub.cursor < end and now - audience.times[sub.cursor - audience.base] > bound)):
            self.shed_frames += end - self._sent_upto(sub) + max(0, audience.base - sub.cursor)
            sub.cursor = end
            sub.resyncs += 1
            self.resyncs += 1
            last = audience.log[-1].id
            sub.after = max(sub.after, last)
            return resync_frame(last)
        while sub.cursor < end and audience.log[sub.cursor - audience.base].id <= sub.after:
            sub.cursor += 1  # already sent from the table when the stream (re)started
        if sub.cursor >= end:
            return b""
        stop = audience.stop(sub.cursor, min(end, sub.cursor + MAX_WRITE))
        data = audience.chunk(sub.cursor, stop)
        self.push_delay.observe(now - audience.times[sub.cursor - audience.base])
        self.writes += 1
        self.frames_sent += stop - sub.cursor
        sub.cursor = stop
        if stop < end:
            sub.wake.set()  # more to write: come back
        return data

    @staticmethod
    def _sent_upto(sub: Subscriber) -> int:
        """The first sequence number of the console's audience not already sent from the table."""
        audience, i = sub.audience, max(sub.cursor, sub.audience.base)
        while i < audience.end and audience.log[i - audience.base].id <= sub.after:
            i += 1
        return i

    # ---- events ----
    def publish(self, items: list[Live]) -> None:
        """Thread-safe: schedules delivery on the bound loop (dropped when no loop is bound yet)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._dispatch, items)

    def _dispatch(self, items: list[Live]) -> None:
        touched: set[Audience] = set()
        types, by_site, max_lag, now, wall = self.types, self._by_site, self.max_lag, self.clock(), self.wall()
        for item in items:
            self.published += 1
            if item.at:
                self.to_bus.observe(max(0.0, wall - item.at))
            if types is not None and item.type not in types:
                continue
            if len(item.sites) == 1:
                targets = by_site.get(item.sites[0], ())
            else:
                targets = set()
                for s in item.sites:
                    targets |= by_site.get(s, set())
            for audience in targets:
                audience.append(item, max_lag, now)
                touched.add(audience)
        for audience in touched:
            for sub in audience.subs:
                if not sub.wake.is_set():
                    sub.wake.set()
