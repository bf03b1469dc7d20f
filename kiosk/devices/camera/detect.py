"""Finds a document (an A4 sheet, a 户口簿 page, an ID, bank or social-security card) in a camera frame
and returns its four corners, or None when it is not sure there is one.

Cues, cheapest first, each stopping the search once a quad is well supported (DEVICES.md §3):

1. Canny edges of the grey *work* image (the frame downscaled to ~500 px height), blurred and closed so
   text is erased and the page edge remains. Most frames with a page end here.
2. On the work image halved again (a quarter of the pixels): Otsu on whiteness (the darkest colour
   channel: paper is bright in every channel), Otsu on the colour distance from the desk (a tinted card
   on a desk as bright as it) and Otsu on grey.
3. A low-threshold Canny on the work image blurred but not closed (white paper on a white desk: the
   thin shadow along the page's edge, which closing would erase).
4. Straight lines (:mod:`~kiosk.devices.camera.lines`) from the edges of grey and of Lab's a and b
   channels (a side only hue shows), paired into quads: an outline a thumb broke or joined.

Each outline becomes a quad through its convex hull (:mod:`~kiosk.devices.camera.quads`); a quad counts
only if it is convex, covers ≥ ``min_area`` of the frame, has plausible angles and side ratios, does not
run along the frame border, and its sides are backed by a step along most of their length
(:mod:`~kiosk.devices.camera.support`: one step, the same way round, that stops at the corners), it is
printed on inside, and a quad darker than the desk must be card-shaped (a bank card, not a tablet). A
supported quad holding the winner inside it wins (the page around its own text block). The winner's sides are then refitted on the full-resolution frame to a fraction of a pixel
(:mod:`~kiosk.devices.camera.refine`, :mod:`~kiosk.devices.camera.finish`), and its ``score`` is lowered
when they do not agree. A fallback cue's finished answer that stays weak (below ``finish.RECHECK``)
when the straight lines have not run yet is re-checked by them: their quad, finished alike, wins when it
holds the first (the whole card around the part a thumb or its coloured band cut off) and the full frame
backs it better. Below
``min_score`` the answer is None ("not sure") rather than a wrong quad. So is it when the quad shows a
bezel (:mod:`~kiosk.devices.camera.screens`): a lit phone or tablet screen is not a document, and when
a corner lies on the frame border with a side the full frame does not back (an outline that ran into
the frame: a card and the hand holding it). A quad longer than a page or card (a till receipt, up to
about 1:4) must be near-neutral paper whose print runs along its sides (``screens.is_paper``): a
keyboard, a coloured or dotted body is not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.devices.camera import learned
from kiosk.devices.camera.finish import RECHECK, area_share, better, finish, holds
from kiosk.devices.camera.levels import Level, contour_candidates, darkest_channel
from kiosk.devices.camera.lines import line_quads
from kiosk.devices.camera.quads import (
    fit_sides,
    long_shape,
    order_corners,
    plausible,
    quad_from_contour,
    quad_from_sides,
)
from kiosk.devices.camera.screens import is_paper
from kiosk.devices.camera.support import edge_support, printed

__all__ = ["Detection", "detect_page", "edge_support", "order_corners"]

_darkest_channel = darkest_channel  # the name the tests know
_FALLBACK_MIN_HEIGHT = 300  # work images at least this tall run the fallbacks at half their size
_GOOD = 0.85  # a quad this well supported ends the search
FAINT = (10, 30)  # Canny thresholds of the faint-edge pass
_TIP = (0.04, 0.15)  # a curled corner's tip: how far (shares of the shorter side) it lies outside the
# straight-run quad at least, and from its corner at most

Strategy = tuple[str, Callable[[], Iterable[np.ndarray]]]


@dataclass(frozen=True)
class Detection:
    """A page found in a frame: ``corners`` (4×2 float32, frame pixels, tl, tr, br, bl)."""

    corners: np.ndarray
    score: float  # 0..1: share of the outline backed by a step, lowered when the refined sides disagree
    area_ratio: float  # share of the frame the page covers
    method: str  # which cue found it: canny, white, colour, grey, faint

    def as_list(self) -> list[list[float]]:
        return [[round(float(x), 1), round(float(y), 1)] for x, y in self.corners]


def _contour_quads(level: Level, make: Callable[[], tuple[np.ndarray, int]], min_px: float) -> Iterator[np.ndarray]:
    """Quads from the outlines of a mask, lazily: each outline's hull quad, then (when a finger or a pen
    joined the outline) the quad of its longest straight runs; either keeps a hull corner that is the
    paper's curled tip (:func:`_tips`)."""
    mask, mode = make()
    for contour in contour_candidates(mask, mode, min_px):
        hull = quad_from_contour(contour)
        quad = None
        if hull is not None:
            hull = order_corners(hull)
            quad = _tips(contour, order_corners(fit_sides(contour, hull)), hull)
            if plausible(quad, min_px, level.w, level.h):
                yield quad
        sides = quad_from_sides(contour)
        if sides is not None:
            sides = order_corners(sides)
            if hull is not None:
                sides = _tips(contour, sides, hull)
            if quad is None or np.abs(sides - quad).max() > 2:
                yield sides


def _tips(contour: np.ndarray, sides: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """The fitted or straight-run quad with a corner moved to the hull quad's corner where that is the paper's own
    tip: a point of the outline, outside the straight-run quad, and near its corner (a curled or
    dog-eared corner ends beyond the lines through the sides' straight middles). A finger or a pen
    joined at a corner reaches further (``_TIP``: shares of the shorter side) and keeps the straight-run
    corner; so does a hull corner just outside it (two fits of one straight corner)."""
    out = sides.copy()
    box = sides.reshape(-1, 1, 2)
    pts, tips = sides.tolist(), hull.tolist()  # plain floats: numpy's per-call cost dominates on 4×2 arrays
    lengths = [math.dist(pts[i], pts[(i + 1) % 4]) for i in range(4)]
    for i in range(4):
        short = min(lengths[i - 1], lengths[i])
        near = [math.dist(t, pts[i]) for t in tips]
        j = min(range(len(near)), key=near.__getitem__)
        pt = (tips[j][0], tips[j][1])
        if (near[j] <= _TIP[1] * short and abs(cv2.pointPolygonTest(contour, pt, True)) <= 1.5
                and cv2.pointPolygonTest(box, pt, True) < -max(2.0, _TIP[0] * short)):
            out[i] = hull[j]
    return out


def _search(level: Level, strategies: list[Strategy], min_area: float, min_score: float,
            printing: tuple[np.ndarray, float]) -> tuple[float, np.ndarray, str] | None:
    """The best supported quad (score, corners in ``level`` pixels, strategy) over the strategies in
    order, stopping at the first one that yields a score ≥ 0.85. ``printing``: the grey image in which
    a quad must look printed on, and its scale relative to ``level``. A supported quad that holds the
    best one inside it wins over it (the page around its own block of text or table)."""
    min_px = min_area * level.w * level.h
    accepted: list[tuple[float, np.ndarray, str]] = []
    for name, make in strategies:
        for quad in make():
            if not plausible(quad, min_px, level.w, level.h):
                continue
            score, dark = edge_support(quad, tuple(level.support))
            if score < min_score or not printed(printing[0], quad * printing[1], dark):
                continue
            if long_shape(quad, level.w, level.h) and not is_paper(printing[0], quad * printing[1], level.small):
                continue  # longer than a page: a receipt is paper with lines of print, a keyboard is not
            accepted.append((score, quad, name))
            if score >= 0.97:
                break
        if accepted and max(a[0] for a in accepted) >= _GOOD:
            break
    if not accepted:
        return None
    best = max(accepted, key=lambda a: a[0])
    outer = [a for a in accepted if a[0] >= 0.8 * best[0] and holds(a[1], best[1])]
    return max(outer, key=lambda a: cv2.contourArea(a[1])) if outer else best


def _strategies(level: Level, min_area: float) -> list[Strategy]:
    min_px = min_area * level.w * level.h

    def contours(make):
        return lambda: _contour_quads(level, make, min_px)

    out: list[Strategy] = []
    if level.colour:
        out += [("white", contours(lambda: level.otsu(level.white))), ("colour", contours(level.colour_distance))]
    out += [("grey", contours(lambda: level.otsu(level.gray)))]
    return out


def detect_page(image: np.ndarray, work_height: int = 500, min_area: float = 0.05,
                min_score: float = 0.7, fallbacks: bool = True) -> Detection | None:
    """The page in a BGR (or grey) frame, or None when there is none or it is not sure.

    ``work_height``: detection runs on the frame downscaled by the integer factor that brings it nearest
    to about this height (720 → 360, 1080 → 540, 3000 → 500; small frames are used as they are); the
    fallback passes on that halved again when it is at least 300 px tall; the corners are then refined
    on the full frame. ``min_area``: the smallest share of the frame a page may cover (0.05: an ID card
    held at arm's length). ``min_score``: the confidence below which the answer is "not sure" (None).
    ``fallbacks=False`` runs the first (Canny) pass only: a few ms, for a stream that runs the whole
    search only now and then (:class:`~kiosk.devices.camera.autocapture.AutoCapture`).
    """
    if image is None or image.ndim not in (2, 3) or image.shape[0] < 16 or image.shape[1] < 16:
        raise ValueError("detect_page needs a BGR or grey image of at least 16×16 pixels")
    h, w = image.shape[:2]
    k = max(1, int(h / work_height + 0.6))  # an integer factor: INTER_AREA is ~20× faster with one
    small = image if k == 1 else cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA)
    work = Level(small, 5, 9, 9)
    found = _search(work, [("canny", lambda: _contour_quads(work, lambda: work.canny(30, 90),
                                                              min_area * work.w * work.h))], min_area, min_score,
                    (work.raw, 1.0))
    best = better(None, found, work, w, h)
    low: Level | None = None
    prob = learned.shared()(small) if fallbacks and (best is None or best[0] < _GOOD) else None
    if prob is not None and learned.nothing_there(prob) and (best is None or learned.VETO_WEAK):
        return None  # the network sees no document anywhere and the edges found none or a weak one
    if fallbacks and (best is None or best[0] < _GOOD):
        low = _low(small, work)
        found = _search(low, _strategies(low, min_area), min_area, min_score, (work.raw, work.w / low.w))
        best = better(best, found, low, w, h)
    if prob is not None and (best is None or best[0] < _GOOD):  # the learned mask's blobs, judged alike
        found = _search(work, [("learned", lambda: learned.mask_quads(prob, small, min_area * work.w * work.h))],
                        min_area, min_score, (work.raw, 1.0))
        best = better(best, found, work, w, h)
    if fallbacks and (best is None or best[0] < _GOOD):  # white on white: the shadow's halo is what remains
        found = _search(work, [("faint", lambda: _contour_quads(work, lambda: work.faint(FAINT[0], FAINT[1]),
                                                                  min_area * work.w * work.h))],
                        min_area, min_score, (work.raw, 1.0))
        best = better(best, found, work, w, h)
    lines_ran = fallbacks and (best is None or best[0] < _GOOD)
    if lines_ran:  # an outline that never closes: straight lines
        best = better(best, _lines(work, low or _low(small, work), min_area, min_score), work, w, h)
    if best is None:
        return None
    done = finish(image, best, work, min_area, min_score)
    if done is not None and done[1] < RECHECK and low is not None and not lines_ran:
        # a weak answer of a fallback cue (a card's part a thumb or its band cut off): the straight-line
        # cue may find the whole outline around it, which then wins when the full frame backs it better (a
        # quad that does not hold the first, as one without a curled corner's tip, does not). A Canny
        # answer is not re-checked: the fast path stays fast, and it gained nothing on the choosing sets
        other = better(None, _lines(work, low, min_area, min_score), work, w, h)
        again = finish(image, other, work, min_area, min_score) if other is not None else None
        if again is not None and again[1] > done[1] and holds(again[0], done[0], 0.008 * math.hypot(w, h), 0.95):
            done, best = again, other
    if done is None:
        return None
    corners, score = done
    return Detection(corners, round(score, 3), area_share(corners, w, h), best[2])


def _low(small: np.ndarray, work: Level) -> Level:
    """The fallbacks' level: the work image halved again when it is at least 300 px tall."""
    if work.h < _FALLBACK_MIN_HEIGHT:
        return work
    return Level(cv2.resize(small, (work.w // 2, work.h // 2), interpolation=cv2.INTER_AREA), 3, 5, 7)


def _lines(work: Level, low: Level, min_area: float, min_score: float) -> tuple[float, np.ndarray, str] | None:
    """The straight-line cue's best supported quad (work pixels): a side only colour shows (a blue band
    on a grey desk) backs its line too, and so does the blurred grey the faint pass adds (it runs before the
    lines in the search; a re-check may come without it)."""
    if not any(img is work.blurred for img in work.support):
        work.support.append(work.blurred)
    if work.colour:
        work.borrow_colour(low)
    min_side = 0.2 * min(work.w, work.h) * (min_area / 0.05) ** 0.5
    colour = work.chroma()
    return _search(work, [("lines", lambda: (order_corners(q) for q in
                                             line_quads(work.gray, min_side, colour, work.gradients())))],
                   min_area, min_score, (work.raw, 1.0))
