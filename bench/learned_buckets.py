"""Why detection misses, and whether the learned network could have helped: buckets on the choosing sets.

    PYTHONPATH=$PWD nice -n 5 python3 bench/learned_buckets.py [--train 300] [--heldout 200] [--empty 200]
                                                              [--real /work/main/bench/real] [-v]

For each miss (no page: "not sure", or a quad more than 2 % of the diagonal off) of ``detect_page`` on the
choosing sets (``synth_train``, ``bench/heldout``, real ``dev``; never heldout2/heldout3/real test), every
quad of every cue is generated (no early stop) and judged like ``detect_page`` judges it, naming the check
that refuses it: ``plausible``, ``edge_support``, ``printed``, ``long_shape`` (not paper), ``backing`` (the
full frame shows no straight side), ``frame_made``, ``beyond`` (a corner outside the frame), ``score_low``
(after the refit) or ``is_screen``; ``ok`` means every check passed and another quad won. It reports
whether a learned quad (``learned.mask_quads``) or a hand-made one lay within 2 %, and, for the false pages
of the page-less frames, what the network sees inside them (mask mean, corner heat at their corners):
what a retrained ``models/docmask.onnx`` must change before detection can trust it more.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera import detect, finish, learned, synth, synth_train
from kiosk.devices.camera.grow import grow
from kiosk.devices.camera.levels import Level
from kiosk.devices.camera.lines import line_quads
from kiosk.devices.camera.quads import long_shape, order_corners, plausible
from kiosk.devices.camera.refine import refine_corners
from kiosk.devices.camera.screens import is_paper, is_screen
from kiosk.devices.camera.support import edge_support, printed

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_photos  # noqa: E402
from heldout import render as heldout  # noqa: E402

MIN_AREA, MIN_SCORE = 0.05, 0.7


def network_view(prob: np.ndarray, quad: np.ndarray, w: int, h: int) -> tuple[float, float]:
    """The mask's mean inside ``quad`` (``w``×``h`` pixels) and the lowest of its corners' heat (the
    highest cell within one cell of each corner)."""
    g = prob.shape[-1]
    grid = (quad + 0.5) * np.float32([g / w, g / h]) - 0.5
    inside = np.zeros((g, g), np.uint8)
    cv2.fillConvexPoly(inside, np.rint(grid * 8).astype(np.int32), 1, shift=3)
    mean = float(prob[0][inside > 0].mean()) if inside.any() else 0.0
    heat = 0.0
    if len(prob) > 1:
        heat = min(float(prob[1][max(0, int(round(y)) - 1):int(round(y)) + 2,
                                 max(0, int(round(x)) - 1):int(round(x)) + 2].max(initial=0.0)) for x, y in grid)
    return mean, heat


def _tail(image: np.ndarray, work: Level, q: np.ndarray, score: float, scale: float) -> str:
    """``detect_page``'s last steps for a quad in ``work`` pixels: ``ok`` or the check that refuses it."""
    h, w = image.shape[:2]
    corners = finish.to_frame(q, work, w, h)
    grown, grown_score = grow(q, tuple(work.support), score)
    if grown is not q and np.abs(grown - q).max() > 1 and plausible(grown, MIN_AREA * work.w * work.h, work.w,
                                                                   work.h):
        corners, score = finish.to_frame(grown, work, w, h), grown_score
    refined, backing, sides = refine_corners(image, corners, reach=3 * scale + 2)
    if backing < 0.5:
        wide, wide_backing, _ = refine_corners(image, corners, reach=6 * scale + 4)
        if wide_backing >= 0.6:
            refined, backing, sides = refine_corners(image, wide, reach=3 * scale + 2)
    if backing < 0.5:
        return "backing"
    if plausible(refined, MIN_AREA * w * h, w, h):
        corners = refined
    if finish.frame_made(corners, sides, w, h, scale):
        return "frame_made"
    if corners.min() < 0 or corners[:, 0].max() > w - 1 or corners[:, 1].max() > h - 1:
        return "beyond"
    if score * (0.75 + 0.25 * backing) < MIN_SCORE:
        return "score_low"
    return "is_screen" if is_screen(image, corners) else "ok"


def judge(image: np.ndarray, work: Level, level: Level, q: np.ndarray) -> str:
    """Why ``detect_page`` would refuse quad ``q`` (``level`` pixels), or ``ok``."""
    h, w = image.shape[:2]
    if not plausible(q, MIN_AREA * level.w * level.h, level.w, level.h):
        return "plausible"
    score, dark = edge_support(q, tuple(level.support))
    scale = work.w / level.w
    if score < MIN_SCORE:
        return "edge_support"
    if not printed(work.raw, q * scale, dark):
        return "printed"
    if long_shape(q, level.w, level.h) and not is_paper(work.raw, q * scale, level.small):
        return "long_shape"
    inner = (finish.to_frame(q, level, w, h) + 0.5) / np.float32([w / work.w, h / work.h]) - 0.5
    return _tail(image, work, inner, score, w / level.w)


def candidates(small: np.ndarray, work: Level, prob: np.ndarray):
    """(cue, level, quad) of every cue in ``detect_page``'s order, lazily (edge support's images grow as
    the passes run, as in ``detect_page``)."""
    min_px = MIN_AREA * work.w * work.h
    low = work
    if work.h >= 300:
        low = Level(cv2.resize(small, (work.w // 2, work.h // 2), interpolation=cv2.INTER_AREA), 3, 5, 7)
    for q in detect._contour_quads(work, lambda: work.canny(30, 90), min_px):
        yield "canny", work, q
    for name, make in detect._strategies(low, MIN_AREA):
        for q in make():
            yield name, low, q
    for q in learned.mask_quads(prob, small, min_px):
        yield "learned", work, q
    for q in detect._contour_quads(work, lambda: work.faint(*detect.FAINT), min_px):
        yield "faint", work, q
    if work.colour:
        work.borrow_colour(low)
    for q in line_quads(work.gray, 0.2 * min(work.w, work.h), work.chroma(), work.gradients()):
        yield "lines", work, order_corners(q)


def frames(args):
    for i in range(args.train):
        s = synth_train.shot(5_010_000 + i)
        yield "train", s.image, s.corners, "/".join(s.tags)
    for i in range(args.empty):
        s = synth_train.shot(5_510_000 + i, with_doc=False)
        yield "train", s.image, None, "/".join(s.tags)
    for i in range(args.heldout):
        s = heldout.shot(910_000 + i)
        yield "heldout", s.image, s.corners, "/".join(s.tags)
    for i in range(args.empty):
        s = heldout.shot(960_000 + i, with_doc=False)
        yield "heldout", s.image, None, "/".join(s.tags)
    if args.real:
        for name, frame, truth, _ in real_photos.photos(args.real, "dev"):
            yield "dev", frame, truth, name


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=300)
    ap.add_argument("--heldout", type=int, default=200)
    ap.add_argument("--empty", type=int, default=200, help="page-less frames of each renderer")
    ap.add_argument("--real", type=Path, help="folder of the labelled real photos (its dev part only)")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line a miss")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    net = learned.shared()
    buckets: dict[str, Counter] = {}
    for set_name, image, truth, tag in frames(args):
        b = buckets.setdefault(set_name, Counter())
        h, w = image.shape[:2]
        tol = 0.02 * math.hypot(w, h)
        found = detect.detect_page(image)
        if truth is None:
            b["page-less frames"] += 1
            if found is None:
                continue
            k = max(1, int(h / 500 + 0.6))
            prob = net(cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA))
            mean, heat = network_view(prob, found.corners, w, h)
            b["false pages"] += 1
            b["false pages the mask covers (mean inside ≥ 0.5)"] += mean >= 0.5
            b[f"false pages it sees nothing at (mask max < {learned.GATE}, corners < {learned.GATE_CORNER})"] += \
                learned.nothing_there(prob)
            if args.verbose:
                print(f"  {set_name} false {tag}: {found.method} {found.score}, mask inside {mean:.2f}, "
                      f"corner heat {heat:.2f}")
            continue
        b["pages"] += 1
        if found is not None and synth.corner_error(found.corners, truth) <= tol:
            continue
        outcome = "none" if found is None else "wrong"
        b[outcome] += 1
        if found is not None:
            b[f"wrong, score {'≥' if found.score >= 0.85 else '<'} 0.85"] += 1
        k = max(1, int(h / 500 + 0.6))
        small = image if k == 1 else cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA)
        work = Level(small, 5, 9, 9)
        prob = net(small)
        near: dict[str, Counter] = {"learned": Counter(), "hand-made": Counter()}
        for cue, level, q in candidates(small, work, prob):
            if synth.corner_error(finish.to_frame(q, level, w, h), truth) <= tol:
                near["learned" if cue == "learned" else "hand-made"][judge(image, work, level, q)] += 1
        for kind, reasons in near.items():
            if reasons:
                why = "passing every check, lost" if reasons["ok"] else \
                    f"refused by {reasons.most_common(1)[0][0]}"
                b[f"{outcome}: a {kind} quad within 2 %, {why}"] += 1
        if not any(near.values()):
            gated = " (the network sees nothing)" if learned.nothing_there(prob) else ""
            b[f"{outcome}: no quad of any cue within 2 %{gated}"] += 1
        if args.verbose:
            print(f"  {set_name} {outcome} {tag}: {found and (found.method, found.score)} "
                  f"near {dict(near['learned'])} / {dict(near['hand-made'])}, mask max {prob[0].max():.2f}")
    for set_name, b in buckets.items():
        print(f"{set_name}:")
        for key in sorted(b):
            print(f"  {b[key]:4d}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
