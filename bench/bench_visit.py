"""Benchmark of the visit core: step changes, catalogue search, ticket issue, slip building.

Run: ``python3 bench/bench_visit.py``. Prints median and p99 per operation. The issue's bar for a step
change on screen is 100 ms; the core's share of it should be a tiny fraction of that.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from kiosk.catalog import load_catalog, parse_catalog
from kiosk.config.settings import DEFAULT_CATALOG
from kiosk.terminal import slips
from kiosk.visit import SiteInfo, Visit
from kiosk.visit.tickets import TicketIssuer

SITE = SiteInfo("zd-qj-01", "421303", "曾都区政务服务中心", "district", "随州市曾都区", "0722-0000000")


def timed(fn, n: int) -> list[tuple[float, float]]:
    """(wall ms, CPU ms of this process) per call: CPU time stays meaningful on a busy machine."""
    out = []
    for _ in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append(((time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000))
    return out


def report(label: str, samples: list[tuple[float, float]]) -> None:
    wall = sorted(w for w, _ in samples)
    cpu = sorted(c for _, c in samples)
    p99 = wall[min(len(wall) - 1, int(len(wall) * 0.99))]
    print(f"{label:<46} wall median {statistics.median(wall):8.3f} ms  p99 {p99:8.3f} ms   "
          f"CPU median {statistics.median(cpu):7.3f} ms   (n={len(wall)})")


def big_catalog(base, copies: int):
    """The sample repeated ``copies`` times with distinct ids (a district's full list is a few hundred)."""
    matters = []
    for i in range(copies):
        for m in base.matters:
            matters.append(m.model_dump() | {"id": f"{m.id}-{i}"})
    return parse_catalog({"catalog": base.info.model_dump(), "matter": matters})


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with it)")
    t0 = time.perf_counter()
    catalog = load_catalog(DEFAULT_CATALOG)
    print(f"load + validate sample catalogue ({len(catalog)} matters): {(time.perf_counter() - t0) * 1000:.1f} ms")
    t0, c0 = time.perf_counter(), time.process_time()
    catalog.prepare_search()
    print(f"pypinyin load + index build: wall {(time.perf_counter() - t0) * 1000:.1f} ms, "
          f"CPU {(time.process_time() - c0) * 1000:.1f} ms (Catalog.prepare_search, off the UI thread)")

    with tempfile.TemporaryDirectory() as tmp:
        issuer = TicketIssuer(Path(tmp), "421303", "zd-qj-01")
        visit = Visit(catalog, SITE, tickets=issuer)
        steps: dict[str, list[float]] = {k: [] for k in ("start", "identify", "choose_matter", "mark x2",
                                                         "finish_materials (ticket issue)", "reset+wipe")}
        for _ in range(300):
            for name, action in (
                ("start", lambda: visit.start("assist")),
                ("identify", lambda: visit.identify_manually("11010519491231002X", "张三")),
                ("choose_matter", lambda: visit.choose_matter("pension-enrol")),
                ("mark x2", lambda: (visit.mark("idcard", "paper"), visit.mark("hukou", "missing"))),
                ("finish_materials (ticket issue)", lambda: (visit.mark("hukou", "paper"), visit.finish_materials())),
                ("reset+wipe", visit.reset),
            ):
                steps[name] += timed(action, 1)
        for name, ms in steps.items():
            report(f"step: {name}", ms)
        report("ticket issue alone (SQLite, synchronous=FULL)", timed(issuer.issue, 300))

        visit.start("proxy")
        visit.identify_manually("11010519491231002X", "欧阳娜娜")
        visit.choose_matter("dibao")
        visit.mark("hukou", "paper")
        visit.finish_materials()
        for kind in ("ticket", "notice"):
            report(f"slip build: {kind}", timed(lambda k=kind: slips.build(k, visit), 200))
        issuer.close()

    queries = ["ylbx", "yanglao", "社保", "sbk", "bdcdj", "qiyekaiban", "x", "zzzz"]
    report(f"search sample ({len(catalog)} matters), {len(queries)} queries",
           [t for q in queries for t in timed(lambda q=q: catalog.search(q), 50)])
    big = big_catalog(catalog, 30)
    big.search("a")  # build the index
    report(f"search big ({len(big)} matters), {len(queries)} queries",
           [t for q in queries for t in timed(lambda q=q: big.search(q), 10)])


if __name__ == "__main__":
    main()
