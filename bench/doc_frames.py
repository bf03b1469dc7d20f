"""The frames of the document bench's sets, one generator per set, for the scripts that time or compare
detectors on them (``bench/profile_detect.py``, ``bench/ab_detect.py``). Same scenes and seeds as
``bench/bench_document.py``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from kiosk.devices.camera import synth, synth_empty, synth_train
from kiosk.devices.camera.synth_hall import HALL_NO_PAGE, hall_no_page, hall_scene, render_hall

sys.path.insert(0, str(Path(__file__).resolve().parent))
from heldout import render as heldout  # noqa: E402
from heldout2 import scene as heldout2  # noqa: E402
from heldout3 import shot as heldout3  # noqa: E402

SETS = ("classic", "hall", "heldout", "heldout2", "heldout3", "empty", "hall_empty")
_RENDERERS = {"heldout": (heldout, 900_000, 950_000), "heldout2": (heldout2, 7_000_000, 7_500_000),
              "heldout3": (heldout3, 8_000_000, 8_500_000), "train": (synth_train, 5_000_000, 5_500_000)}


def frames(name: str, n: int, seed: int = 1) -> Iterator[np.ndarray]:
    """``n`` frames of set ``name`` (BGR 1280×720); renderer sets give ``n`` page frames then ``n // 2``
    page-less ones."""
    if name == "classic":
        rng = np.random.default_rng(seed)
        for _ in range(n):
            yield synth.render(synth.random_scene(rng))[0]
    elif name == "hall":
        rng = np.random.default_rng(seed + 1000)
        for _ in range(n):
            yield render_hall(hall_scene(rng))[0]
    elif name in _RENDERERS:
        renderer, pages, empties = _RENDERERS[name]
        for i in range(n):
            yield renderer.shot(pages + seed * 10_000 + i).image
        for i in range(n // 2):
            yield renderer.shot(empties + seed * 10_000 + i, with_doc=False).image
    elif name == "empty":
        for i in range(n):
            yield synth_empty.no_page(synth_empty.NO_PAGE_KINDS[i % len(synth_empty.NO_PAGE_KINDS)], seed * 100000 + i)
    elif name == "hall_empty":
        for i in range(n):
            yield hall_no_page(HALL_NO_PAGE[i % len(HALL_NO_PAGE)], seed * 100000 + i)
    else:
        raise ValueError(f"unknown set {name!r}")


def warm_up(detector) -> None:
    """Runs ``detector`` on a page frame and on a page-less one (every pass runs): OpenCV builds its Lab
    tables on the first Lab conversion (~65 ms), which must not land in one frame's timing."""
    detector(synth.render(synth.Scene(cover=0.3))[0])
    detector(synth_empty.no_page(synth_empty.NO_PAGE_KINDS[0], 0))
