"""The last steps of :func:`~kiosk.devices.camera.detect.detect_page` for one coarse quad: grown to the
whole document (:mod:`~kiosk.devices.camera.grow`), refitted on the full-resolution frame
(:mod:`~kiosk.devices.camera.refine`), and refused when the frame does not back it (``finish`` returns
None: "not sure").

Its ``score`` is the coarse edge support lowered by the full frame's backing, ``score × (0.75 + 0.25 ×
backing)``; :func:`~kiosk.devices.camera.detect.detect_page` compares finished quads by it when a first
answer is weak (below ``RECHECK``) and the straight-line cue is tried as well.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.devices.camera.grow import grow
from kiosk.devices.camera.levels import Level
from kiosk.devices.camera.quads import plausible
from kiosk.devices.camera.refine import refine_corners
from kiosk.devices.camera.screens import is_screen

_BORDER_BACKING = 0.6  # the full-frame backing both sides of a corner on the frame border need
# a finished answer below this is weak: a quad inside the document (a card's band or photo, one panel of
# a folded page) scores ~0.86–0.9 once the full frame backs it, the whole card's outline more
RECHECK = 0.9

Coarse = tuple[float, np.ndarray, str, float]  # score, corners (frame pixels), cue, frame px per level px


def finish(image: np.ndarray, best: Coarse, work: Level, min_area: float,
           min_score: float) -> tuple[np.ndarray, float] | None:
    """``best`` grown, refined on ``image`` (the full frame) and checked: (corners, score), or None when
    the full frame does not back it, a corner is the frame's or beyond it, the score falls below
    ``min_score`` or the quad is a lit screen in its bezel."""
    h, w = image.shape[:2]
    score, corners, _, scale = best
    fx, fy = w / work.w, h / work.h
    inner = (corners + 0.5) / np.float32([fx, fy]) - 0.5
    grown, grown_score = grow(inner, tuple(work.support), score)
    if grown is not inner and np.abs(grown - inner).max() > 1 and plausible(grown, min_area * work.w * work.h,
                                                                          work.w, work.h):
        corners, score = to_frame(grown, work, w, h), grown_score
    refined, backing, sides = refine_corners(image, corners, reach=3 * scale + 2)
    if backing < 0.5:  # the coarse corners may be further off (a rounded or curled corner): look wider
        wide, wide_backing, _ = refine_corners(image, corners, reach=6 * scale + 4)
        if wide_backing >= 0.6:
            refined, backing, sides = refine_corners(image, wide, reach=3 * scale + 2)
    if backing < 0.5:
        return None  # the full-resolution frame shows no straight side where the outline runs: not sure
    if plausible(refined, min_area * w * h, w, h):
        corners = refined
    if frame_made(corners, sides, w, h, scale):
        return None  # the outline ran into the frame: a corner the frame made (a hand holding the card)
    if corners.min() < 0 or corners[:, 0].max() > w - 1 or corners[:, 1].max() > h - 1:
        return None  # a corner beyond the frame: the page is cut, so not a page to capture
    score *= 0.75 + 0.25 * backing
    if score < min_score or is_screen(image, corners):
        return None  # not sure, or a phone's or tablet's lit screen in its bezel
    return corners, score


def frame_made(corners: np.ndarray, sides: tuple[float, ...], w: int, h: int, scale: float) -> bool:
    """Whether a refined corner lies on the frame border (within three work pixels) with a side to it
    that the full frame backs along less than 60 % of its length: an outline that ran into the frame (a
    card and the hand holding it) gets its corner there from the frame, not from the document. A
    document whose own corner touches the frame shows both its sides straight up to it."""
    m = 3 * max(2.0, scale)
    for i, (x, y) in enumerate(corners):
        if (x <= m or y <= m or x >= w - 1 - m or y >= h - 1 - m) and min(sides[i - 1], sides[i]) < _BORDER_BACKING:
            return True
    return False


def better(best: Coarse | None, found: tuple[float, np.ndarray, str] | None, level: Level, w: int,
           h: int) -> Coarse | None:
    """``found`` (score, corners in ``level`` pixels, cue) as (score, frame corners, cue, scale) when it
    scores above ``best``; else ``best`` unchanged."""
    if found is None or (best is not None and found[0] <= best[0]):
        return best
    return found[0], to_frame(found[1], level, w, h), found[2], w / level.w


def to_frame(quad: np.ndarray, level: Level, w: int, h: int) -> np.ndarray:
    """Corners in ``level`` pixels → frame pixels (pixel centres map onto pixel centres)."""
    return ((quad + 0.5) * np.array([w / level.w, h / level.h], np.float32) - 0.5).astype(np.float32)


def holds(outer: np.ndarray, inner: np.ndarray, tol: float = 0.0, share: float = 0.85) -> bool:
    """Whether ``inner`` lies inside ``outer`` (each corner at most ``tol`` pixels outside it) and is
    clearly smaller (under ``share`` of its area: not the same quad found twice)."""
    contour = outer.reshape(-1, 1, 2)
    return (cv2.contourArea(inner) < share * cv2.contourArea(outer)
            and all(cv2.pointPolygonTest(contour, (float(x), float(y)), tol > 0) >= -tol for x, y in inner))


def area_share(corners: np.ndarray, w: int, h: int) -> float:
    return round(float(cv2.contourArea(corners)) / (w * h), 3)
