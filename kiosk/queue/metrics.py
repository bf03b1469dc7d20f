"""What one server process measures about itself: requests, latencies, queues, streams, and its overload.

Contract
- :meth:`Metrics.wrap` is applied to every HTTP request (kiosk/queue/hotpath.py): a count by kind
  (``create``, ``claim``, ``stream``, ``api``, ``other``) and status, the time to the response's first
  byte in a histogram by kind, and the requests in flight. Cost: a few microseconds a request.
- Pushes are bounded by a budget of writes to consoles (``write_budget``, 10,000 a second per process:
  a write costs ~50-70 µs of CPU, so at most ~0.6 of a core): :meth:`Metrics.sample` sets the event bus's
  coalescing ``bus.coalesce_s`` (the least time between two writes to one console) to
  ``consoles / write_budget`` (1,000 consoles: 100 ms; 100: 10 ms). A console that has been quiet that
  long is written at once; under a steady flow its events go out together, one write per interval. The
  cost of pushes then no longer grows with the event rate, and an event waits at most one interval.
- The *loop lag* (how late a 100 ms timer fires on the event loop) is what every handler and console
  write waits. :meth:`Metrics.monitor` samples it (and the process's CPU share, reported: a lag with a
  low share means other programs have the machine's cores) and keeps a decaying recent maximum. The
  process is *overloaded* while the recent lag is at least ``overload_s`` (100 ms); the interval is then
  at least half the lag (at most 250 ms in all): fewer, larger writes, at a cost to each event of about
  the lag it already has, so the events' latency stays bounded instead of growing with the load.
- Overload sheds: once overloaded for a second (``SHED_AFTER_S``; one spike does not), the bus drops frames that waited more than a second for a console (one
  ``resync`` instead, :mod:`kiosk.queue.fanout`). :meth:`Metrics.health` says ``degraded`` while the process
  is overloaded or shed pushes in the last minute (``ok`` otherwise): the figures the operator alerts on.
- :meth:`Metrics.families` are the figures (name, type, help, samples); :mod:`kiosk.queue.metrics_share`
  writes them in the Prometheus text format (0.0.4), those of every process sharing the state directory,
  each labelled ``process``. The endpoint (kiosk/queue/api_ops.py) is for the operator only.
"""

from __future__ import annotations

import asyncio
import os
import time
from bisect import bisect_left
from collections.abc import Callable

Sample = tuple[str, dict[str, str], float]  # name suffix ("", "_bucket" …), labels, value
Family = tuple[str, str, str, list[Sample]]  # name, type, help, samples
DEGRADED_AFTER_SHED_S = 60.0  # healthz stays "degraded" this long after pushes were last shed
SHED_AFTER_S = 1.0  # the bus sheds only once the process has been overloaded this long (not on one spike)
DEGRADED_WAITING = 64  # service calls waiting for a thread (PostgreSQL) from which healthz says "degraded"

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# an event's way to the consoles: finer where the goals are (100 ms at the hall's load, 1 s past it)
DELAY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
KINDS = ("create", "claim", "stream", "api", "other")
TICK = 0.1


def kind_of(scope) -> str:
    path = scope["path"]
    if path == "/api/v1/requests" and scope["method"] == "POST":
        return "create"
    if path.endswith("/claim") and path.startswith("/api/v1/requests/"):
        return "claim"
    if path == "/api/v1/events/stream":
        return "stream"
    return "api" if path.startswith("/api/") else "other"


def _service_calls(pool=None) -> tuple[int, int] | None:
    """(running, waiting) service calls: anyio's threads, plus the hot path's writes waiting for a
    connection of the event loop's pool (PostgreSQL). On the event loop."""
    try:
        import anyio.to_thread

        stats = anyio.to_thread.current_default_thread_limiter().statistics()
    except (RuntimeError, LookupError, ImportError):
        return None
    return stats.borrowed_tokens, stats.tasks_waiting + (pool.waiting if pool is not None else 0)  # (kiosk.queue.pg_pool)


class Histogram:
    __slots__ = ("bounds", "counts", "total", "n")

    def __init__(self, bounds: tuple[float, ...] = BUCKETS):
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total, self.n = 0.0, 0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value
        self.n += 1

    def samples(self, labels: dict[str, str] | None = None) -> list[Sample]:
        labels, out, cumulative = labels or {}, [], 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            cumulative += count
            out.append(("_bucket", labels | {"le": "+Inf" if bound == float("inf") else f"{bound:g}"}, cumulative))
        return [*out, ("_sum", labels, round(self.total, 6)), ("_count", labels, self.n)]


class Metrics:
    def __init__(self, overload_s: float = 0.1, write_budget: float = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.overload_s = overload_s
        self.write_budget = write_budget  # writes to consoles a second this process allows itself at most
        self.clock = clock
        self.requests: dict[tuple[str, int], int] = {}
        self.latency = {k: Histogram() for k in KINDS}
        self.in_flight = 0
        self.lag = self.lag_recent = self.lag_max = self.cpu_recent = 0.0
        self.overloaded_since: float | None = None
        self.overload_episodes = 0
        self.shed_seen, self.shed_at = 0, None  # the bus's shed frames at the last sample; when they last grew
        self.calls_running = self.calls_waiting = 0  # service calls in threads (PostgreSQL), and waiting for one
        self._task: asyncio.Task | None = None
        self.on_tick: Callable[[], None] | None = None  # called once a second (kiosk.queue.metrics_share)
        self.share = None  # kiosk.queue.metrics_share.Share: the other processes' figures
        self.pool = None  # the hot path's asyncio PostgreSQL pool (its waiting writes count as queueing)
        self.gc = None  # kiosk.queue.gcwatch.GcWatch: the garbage collector's pauses (set by the app's lifespan)

    # ---- requests ----
    async def wrap(self, app, scope, receive, send) -> None:
        kind, t0 = kind_of(scope), time.perf_counter()
        status = 0

        async def timed_send(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self.latency[kind].observe(time.perf_counter() - t0)
            await send(message)

        self.in_flight += 1
        try:
            await app(scope, receive, timed_send)
        finally:
            self.in_flight -= 1
            key = (kind, status)
            self.requests[key] = self.requests.get(key, 0) + 1

    # ---- load ----
    @property
    def overloaded(self) -> bool:
        return self.lag_recent >= self.overload_s

    @property
    def degraded(self) -> bool:
        """Overloaded now, service calls queueing for threads, or pushes were shed (consoles sent ``resync``)
        within the last minute."""
        return self.overloaded or self.calls_waiting >= DEGRADED_WAITING or (self.shed_at is not None and self.clock() - self.shed_at < DEGRADED_AFTER_SHED_S)

    def sample(self, lag: float, bus=None, cpu: float = 1.0, calls: tuple[int, int] | None = None) -> None:
        """One sample: the loop's lag (seconds), this process's CPU share of one core since the last and
        the service calls (running, waiting). Updates the overload state and the bus's coalescing and shedding."""
        if calls is not None:
            self.calls_running, self.calls_waiting = calls
        self.lag = lag
        self.lag_recent = max(lag, self.lag_recent * 0.8)  # decays to a tenth in ~1 s of quiet
        self.cpu_recent = 0.7 * self.cpu_recent + 0.3 * cpu
        self.lag_max = max(self.lag_max, lag)
        if self.overloaded and self.overloaded_since is None:
            self.overloaded_since = self.clock()
            self.overload_episodes += 1
        elif not self.overloaded:
            self.overloaded_since = None
        if bus is not None:
            spread = bus.subscribers / self.write_budget  # every console writing at once stays in budget
            bus.coalesce_s = min(0.25, max(spread, self.lag_recent / 2 if self.overloaded else 0.0))
            bus.overloaded = self.overloaded and self.clock() - self.overloaded_since >= SHED_AFTER_S
            if bus.shed_frames > self.shed_seen:
                self.shed_seen, self.shed_at = bus.shed_frames, self.clock()

    async def monitor(self, bus=None) -> None:
        ticks = 0
        while True:
            t0, c0 = time.monotonic(), time.process_time()
            await asyncio.sleep(TICK)
            wall = time.monotonic() - t0
            self.sample(max(0.0, wall - TICK), bus, (time.process_time() - c0) / wall, _service_calls(self.pool))
            ticks += 1
            if self.on_tick is not None and ticks % 10 == 0:
                self.on_tick()

    def start(self, bus=None) -> None:
        self._task = asyncio.get_running_loop().create_task(self.monitor(bus))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def health(self) -> dict:
        return {"ok": True, "status": "degraded" if self.degraded else "ok", "overloaded": self.overloaded,
                "loop_lag_ms": round(self.lag_recent * 1000, 1), "cpu": round(self.cpu_recent, 2), "calls_waiting": self.calls_waiting, "pid": os.getpid()}

    # ---- the figures ----
    def families(self, ctx) -> list[Family]:
        bus = ctx.bus
        out: list[Family] = [
            ("kq_requests_total", "counter", "HTTP requests answered, by kind and status",
             [("", {"kind": k, "status": str(s)}, n) for (k, s), n in sorted(self.requests.items())]),
            ("kq_request_seconds", "histogram", "Time to the response's first byte",
             [x for k, h in self.latency.items() for x in h.samples({"kind": k})]),
            ("kq_event_to_bus_seconds", "histogram", "An event's time (its write began) to this process's "
             "event bus: the transaction, its commit and (PostgreSQL) the wake-up and read", bus.to_bus.samples()),
            ("kq_push_delay_seconds", "histogram", "A write's oldest event frame: its wait in the bus until "
             "written to a console", bus.push_delay.samples()),
        ]
        gauges = [
            ("kq_requests_in_flight", "Requests being handled", self.in_flight),
            ("kq_loop_lag_seconds", "Event loop lag, recent maximum (decaying)", self.lag_recent),
            ("kq_loop_lag_max_seconds", "Largest event loop lag seen", self.lag_max),
            ("kq_cpu_share", "This process's CPU time per second, recent (1 = one core)", self.cpu_recent),
            ("kq_overloaded", "1 while the recent loop lag is at or above the overload threshold", int(self.overloaded)),
            ("kq_degraded", "1 while overloaded or within a minute of shed pushes (healthz: degraded)",
             int(self.degraded)),
            ("kq_service_calls_running", "Service calls running in threads (PostgreSQL)", self.calls_running),
            ("kq_service_calls_waiting", "Service calls waiting for a thread or a hot-path connection (PostgreSQL)",
             self.calls_waiting),
            ("kq_event_streams", "Open console event streams", bus.subscribers),
            ("kq_event_audiences", "Distinct audiences (site sets) of the open streams", bus.audiences),
            ("kq_event_backlog_frames", "Event frames held in the audiences' logs", bus.backlog),
            ("kq_push_coalesce_seconds", "Least time between two writes to one console now", bus.coalesce_s),
        ]
        group = getattr(ctx.queue, "group", None)
        if group is not None:
            gauges.append(("kq_group_commit_queue", "Writes waiting for the SQLite group commit", len(group._queue)))
        pool = getattr(getattr(getattr(ctx.db, "engine", None), "pool", None), "checkedout", None)
        if callable(pool):
            gauges.append(("kq_db_connections_in_use", "Database connections checked out", pool()))
        out.extend((name, "gauge", help_, [("", {}, value)]) for name, help_, value in gauges)
        counters = [
            ("kq_events_published_total", "Events handed to this process's bus", bus.published),
            ("kq_push_writes_total", "Writes of event frames to consoles", bus.writes),
            ("kq_push_frames_total", "Event frames written to consoles", bus.frames_sent),
            ("kq_push_coalesced_total", "Frames that shared a write with an earlier one", bus.frames_sent - bus.writes),
            ("kq_push_resyncs_total", "Consoles that fell behind and were sent resync (their backlog dropped)",
             bus.resyncs),
            ("kq_push_shed_frames_total", "Event frames dropped for a resync (a console behind, or overload)",
             bus.shed_frames),
            ("kq_overload_episodes_total", "Times the process became overloaded", self.overload_episodes),
            ("kq_reads_throttled_total", "Staff sessions' reads refused by their read budget (429 reads_throttled)",
             getattr(getattr(ctx, "reads", None), "refused", 0)),
        ]
        listener = getattr(ctx, "listener", None)
        if listener is not None:
            counters.append(("kq_listen_reconnects_total", "PostgreSQL LISTEN reconnections", listener.reconnects))
            out.append(("kq_listen_wait_seconds", "histogram", "PostgreSQL: a wake-up's arrival to its newest event "
                        "delivered (the wait for older transactions still running, the horizon, and the read)",
                        listener.wait.samples()))
            notify = getattr(getattr(ctx.queue, "publisher", None), "delay", None)
            if notify is not None:
                out.append(("kq_notify_delay_seconds", "histogram", "PostgreSQL: a commit with events to its "
                            "wake-up sent (NOTIFY, one thread per process)", notify.samples()))
        out.extend((name, "counter", help_, [("", {}, value)]) for name, help_, value in counters)
        if self.gc is not None:
            out.extend(self.gc.families())
        flushers = [(path, f) for path, f in (("loop", getattr(getattr(ctx.queue, "apool", None), "flusher", None)),
                                              ("threads", getattr(ctx.db, "flusher", None))) if f is not None]
        if flushers:  # PostgreSQL's group commit (kiosk.queue.pg_pool.GroupFlush, kiosk.queue.pg_flush.ThreadFlush)
            out.append(("kq_db_flushes_total", "counter", "WAL flushes sent, each covering every write committed "
                        "before it", [("", {"path": p}, f.flushes) for p, f in flushers]))
            out.append(("kq_db_flush_waits_total", "counter", "Writes answered after a shared WAL flush",
                        [("", {"path": p}, f.waits) for p, f in flushers]))
        return out
