"""Where ``detect_page`` spends its time: per-stage CPU ms per frame for each bench set, on one core.

    PYTHONPATH=$PWD python3 bench/profile_detect.py [--n 60] [--sets classic,hall,...] [--seed 1]

Each stage is a function of the detector wrapped with a timer that counts its own time (exclusive:
a stage called inside another is taken off the outer one); ``other`` is the rest of ``detect_page``
(the search's Python, resizing, contour geometry not listed). Figures are means over the set's frames
(ms a frame), so they add up to the mean, which is printed with the median.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera import detect, levels, lines, quads, support
from kiosk.devices.camera.levels import Level

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_frames import SETS, frames, warm_up  # noqa: E402

_spent: dict[str, float] = defaultdict(float)
_stack: list[float] = []  # time children took, per open stage


def _timer(name: str, fn, eager: bool = False):
    def wrapped(*args, **kwargs):
        _stack.append(0.0)
        t0 = time.thread_time()
        try:
            out = fn(*args, **kwargs)
            if eager:
                out = iter(list(out))  # a generator that computes everything before its first item
        finally:
            took = time.thread_time() - t0
            child = _stack.pop()
            _spent[name] += took - child
            if _stack:
                _stack[-1] += took
        return out
    return wrapped


def install() -> None:
    """Wraps the stages where ``detect`` and its helpers look them up."""
    for mod, names in ((detect, ("edge_support", "printed", "refine_corners", "is_screen", "grow",
                                 "contour_candidates", "quad_from_contour", "fit_sides", "quad_from_sides",
                                 "plausible")),
                       (lines, ("_segments", "_lines")), (support, ("content",))):
        for n in names:
            setattr(mod, n, _timer(n, getattr(mod, n)))
    detect.line_quads = _timer("line pairing", lines.line_quads, eager=True)
    for n in ("__init__", "canny", "otsu", "faint", "distance", "chroma", "borrow_colour", "prepare"):
        setattr(Level, n, _timer(f"Level.{n}", getattr(Level, n)))
    Level.white = property(_timer("Level.white", Level.white.fget))
    levels.darkest_channel = _timer("darkest_channel", levels.darkest_channel)
    quads.true_aspect = _timer("true_aspect", quads.true_aspect)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    warm_up(detect.detect_page)
    install()
    every: list[float] = []
    for name in args.sets.split(","):
        _spent.clear()
        ms = []
        for frame in frames(name, args.n, args.seed):
            t0 = time.thread_time()
            detect.detect_page(frame)
            ms.append((time.thread_time() - t0) * 1000)
        every += ms
        n = len(ms)
        stages = {k: v * 1000 / n for k, v in _spent.items()}
        stages["other"] = float(np.mean(ms)) - sum(stages.values())
        print(f"{name}: {n} frames, median {np.median(ms):.2f} ms, mean {np.mean(ms):.2f} ms")
        for k, v in sorted(stages.items(), key=lambda kv: -kv[1]):
            if v >= 0.05:
                print(f"    {k:22s} {v:6.2f}")
    print(f"all: median {np.median(every):.2f} ms over {len(every)} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
