"""Python's cyclic garbage collector in a serving process: its pauses measured, and its work kept small.

Contract
- :class:`GcWatch` times every collection through ``gc.callbacks`` (the whole process stops while one
  runs: every request and console write waits for it): collections and their pause by generation, a
  histogram of pauses, the longest, and their CPU time (a pause on a busy machine also holds the
  time the process waited for a core). :meth:`GcWatch.families` are the ``/metrics`` figures
  (``kq_gc_collections_total``, ``kq_gc_pause_seconds``, ``kq_gc_pause_max_seconds``); cost: two clock
  reads per collection. :meth:`GcWatch.start` / :meth:`GcWatch.stop` add and remove the callback.
- :func:`tune` is applied once the server has started (``kiosk queue serve``; the app's lifespan, when
  ``settings.extra["gc"] == "tuned"``): one full collection, then ``gc.freeze()`` moves every object
  alive at start (modules, the app, its routes, the database's metadata: ~10^5–10^6 objects) out of the
  collector's sight, so no later collection traverses them; and :data:`THRESHOLDS`: a full (gen2)
  collection after 100 gen1 collections instead of 10 (gen0 and gen1 as Python's). Measured under
  ``bench/bench_queue_scale.py`` (SQLite, 5,000 kiosks, 1,000 consoles, 500 calls/s, 11 s): Python's
  settings spent 346 ms of CPU in 150 collections, one gen2 of 210 ms (the whole process stopped);
  frozen, 172 ms, the gen2 64 ms (it still walks every connection and stream opened since start); a
  gen0 threshold of 20,000 saved nothing (a young collection costs ~1 µs an object however many there
  are) and made each a 26 ms pause. So gen0 stays small and the full collection, the long pause, rare. ``KIOSK_QUEUE_GC=default`` leaves Python's settings (A/B,
  or a process short of memory); ``frozen`` freezes but keeps Python's thresholds. :func:`untune` undoes it (tests).
"""

from __future__ import annotations

import gc
import time

from kiosk.queue.metrics import Family, Histogram

THRESHOLDS = (700, 10, 100)
PAUSE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class GcWatch:
    def __init__(self, clock=time.perf_counter, cpu_clock=time.thread_time):
        self.clock, self.cpu_clock = clock, cpu_clock
        self.collections = [0, 0, 0]
        self.paused = [0.0, 0.0, 0.0]  # seconds, by generation
        self.cpu = [0.0, 0.0, 0.0]  # of which CPU time (the rest: the process waiting for a core meanwhile)
        self.pauses = Histogram(PAUSE_BUCKETS)
        self.longest = 0.0
        self._t0: float | None = None
        self._c0 = 0.0
        self.frozen = 0  # objects frozen at start (gc.get_freeze_count() walks them all: read once, not per scrape)

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t0, self._c0 = self.clock(), self.cpu_clock()
            return
        if self._t0 is None:
            return
        pause, gen = self.clock() - self._t0, min(int(info.get("generation", 2)), 2)
        self._t0 = None
        self.collections[gen] += 1
        self.paused[gen] += pause
        self.cpu[gen] += self.cpu_clock() - self._c0
        self.pauses.observe(pause)
        self.longest = max(self.longest, pause)

    def start(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def stop(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)

    def families(self) -> list[Family]:
        by_gen = [("", {"generation": str(g)}, n) for g, n in enumerate(self.collections)]
        paused = [("", {"generation": str(g)}, round(s, 6)) for g, s in enumerate(self.paused)]
        cpu = [("", {"generation": str(g)}, round(s, 6)) for g, s in enumerate(self.cpu)]
        return [
            ("kq_gc_collections_total", "counter", "Python garbage collections, by generation", by_gen),
            ("kq_gc_paused_seconds_total", "counter", "Time the process stood still in garbage collections",
             paused),
            ("kq_gc_cpu_seconds_total", "counter", "CPU time spent in garbage collections", cpu),
            ("kq_gc_pause_seconds", "histogram", "One garbage collection's pause (the process stands still)",
             self.pauses.samples()),
            ("kq_gc_pause_max_seconds", "gauge", "Longest garbage-collection pause seen", [("", {}, self.longest)]),
            ("kq_gc_frozen_objects", "gauge", "Objects frozen out of the collector's sight at start (gc.freeze)",
             [("", {}, self.frozen)]),
        ]


def tune(thresholds: bool = True) -> tuple[int, int, int]:
    """Freezes what is alive now and (``thresholds``) makes full (gen2) collections ten times rarer
    (:data:`THRESHOLDS`); returns the previous thresholds."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    if thresholds:
        gc.set_threshold(*THRESHOLDS)
    return before


def untune(before: tuple[int, int, int]) -> None:
    gc.unfreeze()
    gc.set_threshold(*before)
