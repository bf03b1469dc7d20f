"""Kiosk terminal benchmarks (offscreen, 1080×1920): prints its figures.

- cold start to the start screen: a fresh process, from interpreter start to the first frame of the
  start screen drawn (bar < 2 s);
- a step change: from the touch to the next screen drawn, median and worst of several (bars: median
  ≤ 30 ms, worst ≤ 60 ms on a quiet machine);
- resident set size after the start screen (bar < 250 MB), after the 20th simulated visit (bar ≤ 218 MB)
  and its growth to the 100th (bar < 10 MB). A visit: start, ID number on the keypad, a matter, all
  materials, the result with its ticket (printed through the slip layout), done, back to start; each
  visit takes the catalogue's next matter (every third is found by searching ``ylbx``).

Run: ``python3 bench/bench_kiosk.py [--visits 100] [--elderly]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import os, sys, time
t0 = float(sys.argv[1])
os.environ["KIVY_NO_ARGS"] = "1"; os.environ["KIVY_NO_CONSOLELOG"] = "1"
from kiosk.terminal.app import prepare_kivy
from kiosk.screens.shots import ShotDevices, make_env, shot_config
cfg = shot_config(make_env())
prepare_kivy(cfg.ui, fullscreen=False, size=(1080, 1920))
from kiosk.screens.harness import Harness
h = Harness(cfg, ShotDevices())
h.draw(1)
print(time.time() - t0)
"""


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cold_start() -> float:
    env = {**os.environ, "KIVY_HOME": tempfile.mkdtemp(prefix="kivy-home-")}
    out = subprocess.run([sys.executable, "-c", CHILD, repr(time.time())], capture_output=True, text=True,
                         env=env, timeout=120, check=True)
    return float(out.stdout.strip().splitlines()[-1])


CPU_MS: list[float] = []  # each timed step's CPU time (all the process's threads), in the order taken
PER_CPU: dict[str, list[float]] = {}  # the same by step change


def timed_tap(h, widget) -> float:
    """A real touch on ``widget`` (found and laid out first, untimed), then one frame drawn: ms (wall).
    Its CPU time goes to ``CPU_MS``: on a machine others load, the wall time waits for a core and the
    CPU time says what the step itself costs."""
    from kivy.graphics.opengl import glFinish

    from kiosk.screens.touch import ScreenTouch  # not kivy.tests' UnitTestTouch: it imports pytest (8 MB)

    h.draw(1)
    h.pump(4)
    glFinish()
    x, y = widget.to_window(widget.center_x, widget.center_y)
    t, cpu = time.perf_counter(), time.process_time()
    touch = ScreenTouch(x, y)
    touch.down()
    touch.up()
    h.draw(1)
    glFinish()  # the frame's pixels are done (software GL rasterizes lazily; without this the cost hides)
    CPU_MS.append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - t) * 1000


def idle(h, seconds: float) -> None:
    """Frames for ``seconds`` with nobody touching (timers the kiosk set run)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        h.pump(1)


def transitions(h, rounds: int) -> dict[str, list[float]]:
    """Every step change of a 帮办 visit, ``rounds`` times (the first round is each screen's first visit)."""
    per: dict[str, list[float]] = {}

    def add(name: str, ms: float) -> None:
        per.setdefault(name, []).append(ms)
        PER_CPU.setdefault(name, []).append(CPU_MS[-1])

    for r in range(rounds):
        mid = ("pension-enrol", "pension-claim")[r % 2]  # one department, other materials each round
        add("start → identify", timed_tap(h, h.screen("start").ids.assist))
        s = h.screen("identify")
        if not s.manual:
            add("identify → keypad", timed_tap(h, s.ids.to_manual))
        h.type_id("11010519491231002X", enter=False)
        add("identify (enter) → matter", timed_tap(h, s.ids.keypad.enter))
        m = h.screen("matter")
        matter = h.controller.visit.catalog.get(mid)
        add("matter → department list", timed_tap(h, h.button(matter.department, m)))
        h.pump(6)
        found = [b for b in m.ids.item_box.children if getattr(b, "matter_id", None) == mid]
        while not found and m.page < m.pages - 1:  # elderly mode shows fewer a page: turn (untimed)
            h.tap(m.ids.pager.children[0])  # 下一页
            h.pump(6)
            found = [b for b in m.ids.item_box.children if getattr(b, "matter_id", None) == mid]
        add("department list → materials", timed_tap(h, found[0]))
        h.pump(6)  # the rows laid out, so the number of pages is known (elderly mode has several)
        h.mark_all("paper")
        add("materials → result", timed_tap(h, h.button("检查材料")))
        h.settle()
        add("result → done", timed_tap(h, h.button("完成")))
        add("done → start", timed_tap(h, h.screen("done").ids.home))
        assert h.current == "start", h.current
    return per


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=100)
    ap.add_argument("--elderly", action="store_true", help="in elderly mode (larger text, fewer items a page)")
    args = ap.parse_args()
    colds = [cold_start() for _ in range(3)]
    print(f"cold start to start screen: median {statistics.median(colds) * 1000:.0f} ms "
          f"(runs {', '.join(f'{c * 1000:.0f}' for c in colds)} ms; bar < 2000 ms)")

    import logging

    logging.basicConfig(level=logging.ERROR)  # the visits' "no help-queue client" warnings are expected here
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    from kiosk.screens.shots import ShotDevices, make_env, shot_config
    from kiosk.terminal.app import prepare_kivy

    cfg = shot_config(make_env(), elderly_mode_default=args.elderly)
    prepare_kivy(cfg.ui, fullscreen=False, size=(1080, 1920))
    from kiosk.screens.harness import Harness

    h = Harness(cfg, ShotDevices())
    h.draw(2)
    idle(h, 2.0)  # the start screen waiting for a resident: the kiosk prepares its lists
    print(f"RSS at the start screen: {rss_mb():.1f} MB (bar < 250 MB)")

    per = transitions(h, rounds=8)
    every = [ms for series in per.values() for ms in series]
    print(f"step change (touch → next screen drawn): median {statistics.median(every):.0f} ms, "
          f"worst {max(every):.0f} ms over {len(every)} (bars: median ≤ 30 ms, worst ≤ 60 ms; load average "
          f"{os.getloadavg()[0]:.1f})")
    print(f"  CPU time of a step (what it costs without waiting for a core): median "
          f"{statistics.median(CPU_MS):.0f} ms, worst {max(CPU_MS):.0f} ms")
    for name, series in per.items():
        cpu = PER_CPU[name]
        print(f"  {name:<30} first {series[0]:4.0f} ms  median {statistics.median(series):4.0f} ms  "
              f"worst {max(series):4.0f} ms  (CPU median {statistics.median(cpu):3.0f}, worst {max(cpu):3.0f} ms)")
    from kivy.graphics.opengl import glFinish

    frames = []
    glFinish()
    for _ in range(5):
        t = time.perf_counter()
        h.root.canvas.ask_update()
        h.draw(1)
        glFinish()
        frames.append((time.perf_counter() - t) * 1000)
    print(f"  of which one full 1080×1920 frame on this GL: median {statistics.median(frames):.0f} ms")

    matters = [m.id for dep in h.controller.departments() for m in h.controller.matters(dep)]

    def visit(i: int) -> None:  # each visit another matter of the catalogue, in turn; every third by search
        h.start("assist")
        h.type_id("11010519491231002X")
        if i % 3 == 0:
            h.search_matter("ylbx", "pension-enrol")
        else:
            h.choose_matter(matters[i % len(matters)])
        h.mark_all("paper")
        h.press("检查材料")
        h.settle()
        h.press("完成")
        h.tap(h.screen("done").ids.home)
        h.draw(1)  # a frame, as the running app draws them: GL objects of dropped widgets are freed here

    rss = {}
    t = time.perf_counter()
    for i in range(1, args.visits + 1):
        visit(i)
        if i in (20, args.visits):  # read on the start screen, the kiosk waiting for the next resident
            import gc

            idle(h, 1.0)  # the end-of-visit memory release runs (0.5 s after the start screen shows)
            gc.collect()
            rss[i] = rss_mb()
    per_visit = (time.perf_counter() - t) / args.visits
    growth = rss[args.visits] - rss[20]
    print(f"RSS after visit 20: {rss[20]:.1f} MB (bar ≤ 218 MB), after visit {args.visits}: "
          f"{rss[args.visits]:.1f} MB, growth {growth:+.1f} MB (bar < 10 MB); {per_visit:.2f} s a simulated visit")
    print(f"printed slips laid out: {len(h.devices.printed)}")
    h.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
