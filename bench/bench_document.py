"""Document detection benchmark: speed per 1280×720 frame on one core, accuracy, false pages.

    python3 bench/bench_document.py [--pages 600] [--empty 350] [--seed 1]

Prints the median and p95 milliseconds of ``detect_page`` per frame (OpenCV limited to one thread),
both as thread CPU time (what one core spends; steady on a busy machine) and as wall time, for frames
with a page, frames without one (what a kiosk camera sees most of the day) and the two mixed; the share of pages whose four corners all lie within 2 % of the frame
diagonal of the truth on a varied synthetic set (backgrounds, A4 and card, rotation, perspective,
lighting falloff, blur, noise, coloured paper, desk objects, fingers over a corner); the number of pages
reported on frames that have none; and the cost of warping a page onto the A4 canvas and of judging its
quality. Bars, each stated with its figure: CPU median < 10 ms for page frames, page-less frames and
the mixed set alike; accuracy ≥ 95 %; 0 false pages. Exits 1 when any bar is missed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter

import cv2
import numpy as np

from kiosk.devices.camera import synth
from kiosk.devices.camera.detect import detect_page
from kiosk.devices.camera.quality import assess
from kiosk.devices.camera.warp import warp_page


def _timed(fn, *args):
    c0, w0 = time.thread_time(), time.perf_counter()
    result = fn(*args)
    return result, (time.thread_time() - c0) * 1000, (time.perf_counter() - w0) * 1000


def _stats(values: list[float]) -> str:
    return f"median {np.median(values):6.2f} ms   p95 {np.percentile(values, 95):6.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=600, help="frames with a page (default 600)")
    ap.add_argument("--empty", type=int, default=350, help="frames without one (default 350)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    rng = np.random.default_rng(args.seed)
    detect_page(synth.render(synth.Scene(cover=0.3))[0])  # warm-up (first-call allocations)

    cpu, wall, hits, misses, methods = [], [], 0, Counter(), Counter()
    warp_ms, quality_ms, kinds = [], [], Counter()
    for _ in range(args.pages):
        scene = synth.random_scene(rng)
        frame, truth = synth.render(scene)
        found, c, w = _timed(detect_page, frame)
        cpu.append(c)
        wall.append(w)
        kinds[scene.kind] += 1
        if found is not None and synth.corner_error(found.corners, truth) <= 0.02 * math.hypot(*frame.shape[:2]):
            hits += 1
            methods[found.method] += 1
            if len(warp_ms) < 100:
                warp_ms.append(_timed(warp_page, frame, found.corners, "a4")[1])
                quality_ms.append(_timed(assess, frame, found.corners)[1])
        else:
            misses[f"{scene.background}/{scene.kind}{'/finger' if scene.occlude else ''}"] += 1

    empty_cpu, empty_wall, false_pages = [], [], Counter()
    for i in range(args.empty):
        kind = synth.NO_PAGE_KINDS[i % len(synth.NO_PAGE_KINDS)]
        frame = synth.no_page(kind, args.seed * 100000 + i)
        found, c, w = _timed(detect_page, frame)
        empty_cpu.append(c)
        empty_wall.append(w)
        if found is not None:
            false_pages[kind] += 1

    load = os.getloadavg()[0]
    print(f"document detection, 1280×720 frames, cv2.setNumThreads(1), OpenCV {cv2.__version__}, "
          f"load average {load:.1f} on {os.cpu_count()} cores")
    print(f"  frames with a page ({args.pages}): cpu  {_stats(cpu)}   wall {_stats(wall)}")
    print(f"  frames without one ({args.empty}): cpu  {_stats(empty_cpu)}   wall {_stats(empty_wall)}")
    print(f"  mixed ({args.pages + args.empty}):          cpu  {_stats(cpu + empty_cpu)}   "
          f"wall {_stats(wall + empty_wall)}")
    print(f"  accuracy: {hits}/{args.pages} = {hits / args.pages:.1%} with all corners within 2 % of the diagonal "
          f"({dict(kinds)}; found by {dict(methods)})")
    if misses:
        print(f"  misses: {dict(misses)}")
    print(f"  false pages on page-less frames: {sum(false_pages.values())} {dict(false_pages) or ''}")
    print(f"  warp to A4 canvas: cpu {_stats(warp_ms)};  quality check: cpu {_stats(quality_ms)}")
    bars = [(f"cpu median < 10 ms, frames with a page: {np.median(cpu):.2f} ms", np.median(cpu) < 10),
            (f"cpu median < 10 ms, frames without one: {np.median(empty_cpu):.2f} ms", np.median(empty_cpu) < 10),
            (f"cpu median < 10 ms, mixed set: {np.median(cpu + empty_cpu):.2f} ms",
             np.median(cpu + empty_cpu) < 10),
            (f"corners within 2 % on ≥ 95 %: {hits / args.pages:.1%}", hits / args.pages >= 0.95),
            (f"0 false pages: {sum(false_pages.values())}", not false_pages)]
    print("  bars:")
    for text, ok in bars:
        print(f"    {'met    ' if ok else 'NOT met'}  {text}")
    met = all(ok for _, ok in bars)
    print("  all bars met" if met else "  bars NOT all met")
    return 0 if met else 1

if __name__ == "__main__":
    sys.exit(main())
