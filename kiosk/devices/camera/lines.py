"""Quads from straight lines: the detector's cue for a document whose outline never closes.

A finger over a card's edge, a pen across a page, a phone touching it or a curl's shadow join the
document's outline to something else (or break it), so no single contour is quad-shaped. Its sides
are still long straight edges. Here edge segments (probabilistic Hough on Canny of the blurred, closed
grey) are merged into lines (same angle within 3°, same offset within 3 px), the longest lines are
paired (two near-parallel lines a page's width apart, crossed by two others), and each pairing's
four crossings make a quad when its sides are covered by their lines' segments along half their
length on average and every side along at least 25 % (a side hidden under fingers or glare for the
rest; a small card's short sides give Hough few votes, so 60 % on average lost thumbed cards). The caller scores the quads (edge
support, printed inside) like any other candidate.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np

from kiosk.devices.camera.levels import canny

MAX_LINES = 20
_PER_BIN = 4
MAX_QUADS = 40
_MERGE_ANGLE = math.radians(3.0)
_MERGE_OFFSET = 3.0
_PARALLEL = math.radians(20)  # the two sides of a pair are within this of parallel
_ACROSS = (math.radians(45), math.radians(90))  # and cross the other pair's at an angle in this range
_MIN_COVER, _COVER = 0.25, 2.0  # least share of each side, and of the four, the lines' segments cover


class _Line:
    """A line ``rho`` from the origin along unit ``dir`` (angle ``theta``), and the spans (positions
    along it from ``point``, its foot from the origin) its segments cover. Plain floats: the pairing
    runs thousands of times a frame on these, where numpy's per-call cost would dominate."""

    __slots__ = ("theta", "rho", "length", "spans", "px", "py", "dx", "dy")

    def __init__(self, theta: float, rho: float, length: float):
        self.theta, self.rho, self.length, self.spans = theta, rho, length, []
        self.dx, self.dy = math.cos(theta), math.sin(theta)
        self.px, self.py = -self.dy * rho, self.dx * rho

    def along(self, x: float, y: float) -> float:
        """Where the point (x, y), projected on the line, lies along it from ``point``."""
        return (x - self.px) * self.dx + (y - self.py) * self.dy

    def coverage(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Share of the segment a→b (on this line) that the line's segments cover."""
        ta, tb = self.along(*a), self.along(*b)
        lo, hi = min(ta, tb), max(ta, tb)
        if hi - lo < 1e-6:
            return 0.0
        clipped = sorted((max(s, lo), min(e, hi)) for s, e in self.spans if e > lo and s < hi)
        covered, end = 0.0, lo
        for s, e in clipped:
            s = max(s, end)
            if e > s:
                covered += e - s
                end = e
        return covered / (hi - lo)


def _segments(images: tuple[np.ndarray, ...], min_len: float,
              gradients: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    edges = canny(images[0], 10, 30, gradients)
    for img in images[1:]:  # colour cues: an edge only hue shows (a blue card on a desk as bright)
        edges |= canny(img, 10, 30)
    found = cv2.HoughLinesP(edges, 1, np.pi / 180, threshold=max(20, int(min_len * 0.6)),
                            minLineLength=min_len, maxLineGap=6)
    return np.zeros((0, 4), np.float32) if found is None else found.reshape(-1, 4).astype(np.float32)


def _contrast(images: tuple[np.ndarray, ...], segs: np.ndarray) -> np.ndarray:
    """Each segment's step across it (mean |3 px one side − 3 px the other side| at 8 points, in the
    image that shows it best; colour images count double, their range being narrower), scaled to 0..1
    at a step of 30: a document's edge is near 1, wood grain or a worn mat far less."""
    h, w = images[0].shape[:2]
    d = segs[:, 2:] - segs[:, :2]
    n = np.stack([-d[:, 1], d[:, 0]], axis=1) / (np.hypot(d[:, 0], d[:, 1])[:, None] + 1e-6)
    t = np.linspace(0.1, 0.9, 8, dtype=np.float32)
    pts = segs[:, None, :2] + t[None, :, None] * d[:, None, :]
    lim = np.float32([w - 1, h - 1])
    a = np.clip(np.rint(pts + 3 * n[:, None, :]), 0, lim).astype(np.int32)
    b = np.clip(np.rint(pts - 3 * n[:, None, :]), 0, lim).astype(np.int32)
    step = np.zeros(len(segs), np.float32)
    for k, img in enumerate(images):
        one = np.abs(img[a[..., 1], a[..., 0]].astype(np.float32) - img[b[..., 1], b[..., 0]]).mean(axis=1)
        step = np.maximum(step, one * (1 if k == 0 else 2))
    return np.clip(step / 30.0, 0.1, 1.0)


def _lines(segs: np.ndarray, images: tuple[np.ndarray, ...]) -> list[_Line]:
    """Segments merged into lines, the longest (counted by contrast) first."""
    d = segs[:, 2:] - segs[:, :2]
    lengths = np.hypot(d[:, 0], d[:, 1]) * _contrast(images, segs)
    thetas = np.mod(np.arctan2(d[:, 1], d[:, 0]), np.pi)
    ends = segs.astype(np.float64)
    mids = ((segs[:, :2] + segs[:, 2:]) / 2).astype(np.float64)  # in float32 first, as it always was
    out: list[_Line] = []
    for i in np.argsort(lengths)[::-1].tolist():
        th = float(thetas[i])
        ux, uy = math.cos(th), math.sin(th)
        mx, my = float(mids[i, 0]), float(mids[i, 1])
        x0, y0, x1, y1 = ends[i].tolist()
        for line in out:
            dth = abs(th - line.theta)
            if min(dth, math.pi - dth) > _MERGE_ANGLE:
                continue
            if abs(line.dx * my - line.dy * mx - line.rho) > _MERGE_OFFSET:
                continue
            break
        else:
            line = _Line(th, ux * my - uy * mx, 0.0)
            out.append(line)
        ta, tb = line.along(x0, y0), line.along(x1, y1)
        line.spans.append((min(ta, tb), max(ta, tb)))
        line.length += float(lengths[i])
    out.sort(key=lambda ln: ln.length, reverse=True)
    # at most a few lines per direction: a desk's grain or a mat's grid gives many long parallel lines,
    # and they must not crowd out the document's other two sides
    kept, per_bin = [], [0] * 9
    for ln in out:
        b = int(ln.theta / math.pi * 9) % 9
        if per_bin[b] < _PER_BIN:
            per_bin[b] += 1
            kept.append(ln)
            if len(kept) == MAX_LINES:
                break
    return kept


def _cross(a: _Line, b: _Line) -> tuple[float, float] | None:
    den = a.dx * b.dy - a.dy * b.dx
    if abs(den) < 1e-6:
        return None
    t = ((b.px - a.px) * b.dy - (b.py - a.py) * b.dx) / den
    return a.px + t * a.dx, a.py + t * a.dy


def _angle(a: _Line, b: _Line) -> float:
    d = abs(a.theta - b.theta)
    return min(d, math.pi - d)


def line_quads(gray: np.ndarray, min_side: float, colour: tuple[np.ndarray, ...] = (),
               gradients: tuple[np.ndarray, np.ndarray] | None = None) -> Iterator[np.ndarray]:
    """Quads (4×2 float32, in no particular corner order) from pairs of line pairs in a blurred grey
    image, best covered first; ``min_side`` (px) is the shortest side a document may have here. ``colour``:
    more images of the same size (Lab's a and b) whose edges join the grey's before lines are sought.
    ``gradients``: the grey's :func:`~kiosk.devices.camera.levels.sobel` derivatives, when at hand."""
    images = (gray, *colour)
    segs = _segments(images, max(12.0, 0.5 * min_side), gradients)
    if len(segs) < 4:  # a quad needs four lines, each at least one segment
        return
    lines = _lines(segs, images)
    pairs = []
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            a, b = lines[i], lines[j]
            if _angle(a, b) <= _PARALLEL:
                gap = abs(a.dx * (b.py - a.py) - a.dy * (b.px - a.px))
                if gap >= min_side:
                    pairs.append((i, j))
    quads = []
    for k in range(len(pairs)):
        for m in range(k + 1, len(pairs)):
            (i, j), (p, r) = pairs[k], pairs[m]
            if len({i, j, p, r}) < 4 or not _ACROSS[0] <= _angle(lines[i], lines[p]) <= _ACROSS[1]:
                continue
            a, b, c, d = lines[i], lines[p], lines[j], lines[r]
            corners = [_cross(a, b), _cross(b, c), _cross(c, d), _cross(d, a)]
            if any(x is None for x in corners):
                continue
            sides = ((a, corners[3], corners[0]), (b, corners[0], corners[1]), (c, corners[1], corners[2]),
                     (d, corners[2], corners[3]))
            cover = [ln.coverage(s, e) for ln, s, e in sides]
            if min(cover) < _MIN_COVER or sum(cover) < _COVER:
                continue
            quads.append((sum(cover) + min(cover), np.array(corners, np.float32)))
    quads.sort(key=lambda cq: cq[0], reverse=True)
    for _, q in quads[:MAX_QUADS]:
        yield q
