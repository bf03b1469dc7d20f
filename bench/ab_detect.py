"""A/B of ``detect_page``: the detector as committed at a git ref (default ``main``) against the working
tree's, on the same frames, interleaved (A then B on each frame), on one core.

    PYTHONPATH=$PWD python3 bench/ab_detect.py [--ref main] [--n 100] [--sets classic,hall,...] [--seed 1] [--repeat 1]

Prints per set: frames, how many answers differ (one found a page and the other not, another method,
or a corner more than 0.5 px off; score changes are counted apart) and the median CPU ms of each side.
The old detector is loaded from ``git show REF:kiosk/devices/camera/*.py`` as a package of its own.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera.detect import detect_page

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_frames import SETS, frames, warm_up  # noqa: E402

_ROOT = Path(__file__).resolve().parent.parent
_PACKAGE = "kiosk/devices/camera"


def load_old(ref: str):
    """``detect_page`` of ``ref``, its camera package copied under the name ``_ab_old``."""
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{ref}:{_PACKAGE}"], cwd=_ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    root = Path(tempfile.mkdtemp(prefix="ab_detect_"))
    pkg = root / "_ab_old"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name in names:
        if not name.endswith(".py") or name == "__init__.py":
            continue
        text = subprocess.run(["git", "show", f"{ref}:{_PACKAGE}/{name}"], cwd=_ROOT, check=True,
                              capture_output=True, text=True).stdout
        (pkg / name).write_text(text.replace("kiosk.devices.camera.", "_ab_old."))
    sys.path.insert(0, str(root))
    return importlib.import_module("_ab_old.detect").detect_page


REPEAT = 1


def _timed(fn, frame):
    best = float("inf")
    for _ in range(REPEAT):  # the fastest of REPEAT runs: load on a shared machine only adds
        c0 = time.thread_time()
        out = fn(frame)
        best = min(best, (time.thread_time() - c0) * 1000)
    return out, best


def differs(a, b, tol: float = 0.5) -> str | None:
    """Why two answers differ, or None when they are the same (corners within ``tol`` px)."""
    if a is None or b is None:
        return None if a is b else ("lost" if b is None else "new")
    if a.method != b.method:
        return f"method {a.method}->{b.method}"
    off = float(np.abs(a.corners - b.corners).max())
    return f"corners {off:.2f}px" if off > tol else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="main")
    ap.add_argument("--n", type=int, default=100, help="frames a set (renderer sets add half as many page-less)")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs a frame and side; the fastest is timed")
    args = ap.parse_args()
    global REPEAT
    REPEAT = max(1, args.repeat)
    cv2.setNumThreads(1)
    old = load_old(args.ref)
    warm_up(old)
    warm_up(detect_page)
    total_diff = 0
    all_a, all_b = [], []
    for name in args.sets.split(","):
        ms_a, ms_b, diffs, scores = [], [], [], 0
        for i, frame in enumerate(frames(name, args.n, args.seed)):
            if i % 2:  # alternate which side runs first
                b, tb = _timed(detect_page, frame)
                a, ta = _timed(old, frame)
            else:
                a, ta = _timed(old, frame)
                b, tb = _timed(detect_page, frame)
            ms_a.append(ta)
            ms_b.append(tb)
            why = differs(a, b)
            if why:
                diffs.append(f"#{i} {why}")
            elif a is not None and a.score != b.score:
                scores += 1
        total_diff += len(diffs)
        all_a += ms_a
        all_b += ms_b
        print(f"{name:11s} frames {len(ms_a):4d}  differ {len(diffs):3d}  score-only {scores:3d}  "
              f"ms {args.ref} {np.median(ms_a):6.2f}  new {np.median(ms_b):6.2f}  {' '.join(diffs[:8])}", flush=True)
    print(f"all: differ {total_diff}; median ms {args.ref} {np.median(all_a):.2f}, new {np.median(all_b):.2f}")
    return 1 if total_diff else 0


if __name__ == "__main__":
    sys.exit(main())
