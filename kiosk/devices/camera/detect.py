"""Finds a document page (A4 sheet, ID card) in a camera frame and returns its four corners.

Pipeline (DEVICES.md §3): downscale to ~500 px height; grey and "whiteness" (the darkest colour channel,
high only where all channels are high, as on paper); Gaussian blur; morphological close (erases text so
the page edge remains); then candidate outlines from, in order, Canny edges, Otsu on whiteness, Otsu on
grey, Otsu on the colour distance from the desk (a tinted card on a grey desk), and a low-threshold
Canny for low contrast. Each outline becomes a quad through its convex hull
(``approxPolyDP`` at 2 % of the perimeter; a hull with a cut corner, e.g. under a finger, is closed by
intersecting its four longest sides). A quad counts only if it is convex, covers ≥ ``min_area`` of the
frame, has plausible angles and side ratios, does not run along the frame border, and its sides are
backed by a real brightness step along most of their length. The first strategy that yields a well
supported quad wins, so easy frames cost one pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

_CLOSE = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
_DILATE = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))


@dataclass(frozen=True)
class Detection:
    """A page found in a frame: ``corners`` (4×2 float32, frame pixels, tl, tr, br, bl)."""

    corners: np.ndarray
    score: float  # 0..1, share of the outline backed by a brightness step
    area_ratio: float  # share of the frame the page covers
    method: str  # which strategy found it: canny, white, grey, canny_low

    def as_list(self) -> list[list[float]]:
        return [[round(float(x), 1), round(float(y), 1)] for x, y in self.corners]


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points ordered tl, tr, br, bl: clockwise, starting the edge that is most the top one.

    Clockwise is taken in image coordinates (y down). The first edge is the top-most edge among those
    running left→right within ±45°, so a page rotated by up to 45° keeps its natural labels.
    """
    p = np.asarray(pts, np.float32).reshape(4, 2)
    c = p.mean(axis=0)
    p = p[np.argsort(np.arctan2(p[:, 1] - c[1], p[:, 0] - c[0]))]
    best, best_y = 0, math.inf
    for i in range(4):
        a, b = p[i], p[(i + 1) % 4]
        ang = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
        if -45 < ang <= 45 and (a[1] + b[1]) / 2 < best_y:
            best, best_y = i, (a[1] + b[1]) / 2
    return np.roll(p, -best, axis=0)


def _intersect(p1, p2, p3, p4) -> np.ndarray | None:
    d1, d2 = p2 - p1, p4 - p3
    den = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(den) < 1e-9:
        return None
    t = ((p3[0] - p1[0]) * d2[1] - (p3[1] - p1[1]) * d2[0]) / den
    return p1 + t * d1


def quad_from_contour(contour: np.ndarray) -> np.ndarray | None:
    """A 4-corner approximation of an outline, or None when it is not quad-like."""
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    approx = cv2.approxPolyDP(hull, 0.02 * peri, True).reshape(-1, 2).astype(np.float64)
    n = len(approx)
    if n == 4:
        return approx.astype(np.float32)
    if n < 4 or n > 8:
        return None
    # a cut or rounded corner: keep the four longest sides (in order) and intersect neighbours
    lengths = np.linalg.norm(np.roll(approx, -1, axis=0) - approx, axis=1)
    keep = sorted(np.argsort(lengths)[-4:])
    if lengths[keep].min() < 0.08 * peri:
        return None
    sides = [(approx[i], approx[(i + 1) % n]) for i in keep]
    corners = []
    for k in range(4):
        (a1, a2), (b1, b2) = sides[k - 1], sides[k]
        pt = _intersect(a1, a2, b1, b2)
        if pt is None:
            return None
        corners.append(pt)
    quad = np.array(corners, np.float32)
    hull_area = cv2.contourArea(hull.astype(np.float32))
    if hull_area <= 0 or cv2.contourArea(quad) > 1.15 * hull_area:
        return None
    return quad


def _densify(pts: np.ndarray, step: float = 2.0) -> np.ndarray:
    """Points every ``step`` pixels along a closed polyline (CHAIN_APPROX_SIMPLE keeps only run ends)."""
    nxt = np.roll(pts, -1, axis=0)
    seg = np.linalg.norm(nxt - pts, axis=1)
    counts = np.maximum(1, np.ceil(seg / step).astype(np.int64))
    idx = np.repeat(np.arange(len(pts)), counts)
    frac = (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)) / np.repeat(counts, counts)
    return pts[idx] + (nxt[idx] - pts[idx]) * frac[:, None].astype(np.float32)


def refine_quad(quad: np.ndarray, contour: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Moves the corners onto the outline: fits a line to the outline points near the middle of each side
    (within a band that excludes cut corners and the finger over them) and intersects neighbouring lines. Recovers corners cut by a finger or rounded (cards);
    a corner that would move more than a sixth of the shortest side stays where it was."""
    pts = _densify(contour.reshape(-1, 2).astype(np.float32))
    q = quad.astype(np.float32)
    for _ in range(rounds):
        lines = []
        for i in range(4):
            a, b = q[i], q[(i + 1) % 4]
            d = b - a
            length = float(np.linalg.norm(d)) + 1e-9
            u = d / length
            rel = pts - a
            t = rel @ u / length
            dist = np.abs(rel @ np.array([-u[1], u[0]], np.float32))
            sel = pts[(t > 0.08) & (t < 0.92) & (dist < max(2.0, 0.04 * length))]
            if len(sel) < 8:
                lines.append((a, b))
                continue
            vx, vy, x0, y0 = cv2.fitLine(sel, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
            p0 = np.array([x0, y0], np.float32)
            lines.append((p0, p0 + np.array([vx, vy], np.float32)))
        new = []
        for i in range(4):
            pt = _intersect(*lines[i - 1], *lines[i])
            new.append(q[i] if pt is None else pt)
        new_q = np.array(new, np.float32)
        limit = np.linalg.norm(np.roll(q, -1, axis=0) - q, axis=1).min() / 6
        moved = np.linalg.norm(new_q - q, axis=1) <= limit
        q = np.where(moved[:, None], new_q, q)
    return q


def _angles_ok(q: np.ndarray) -> bool:
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        if not 45 <= math.degrees(math.acos(max(-1.0, min(1.0, cos)))) <= 135:
            return False
    sides = np.linalg.norm(np.roll(q, -1, axis=0) - q, axis=1)
    return sides[0] / max(sides[2], 1e-6) > 0.55 < sides[2] / max(sides[0], 1e-6) and \
        sides[1] / max(sides[3], 1e-6) > 0.55 < sides[3] / max(sides[1], 1e-6)


def _on_border(q: np.ndarray, w: int, h: int, margin: float = 2.5) -> bool:
    """True when a side runs along the frame border (an outline closed by the frame, not a page)."""
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        for axis, limit in ((0, 0), (0, w - 1), (1, 0), (1, h - 1)):
            if abs(a[axis] - limit) <= margin and abs(b[axis] - limit) <= margin:
                return True
    return False


def edge_support(q: np.ndarray, images: tuple[np.ndarray, ...], step: float = 3.0, t: float = 10.0,
                 samples: int = 32) -> float:
    """Share of sample points along the sides with a brightness step ≥ ``t`` across the side (worst side
    counts double). 0 when any side has less than half its length backed, and 0 when the inside is
    clearly darker than the desk in ``images[0]`` (grey) along most of the outline: paper is lighter
    than its surroundings, a tablet, a keyboard or a closed dark booklet is not."""
    h, w = images[0].shape[:2]
    c = q.mean(axis=0)
    shares = []
    darker = 0
    ts = (np.arange(samples) + 0.5) / samples
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        n = np.array([-d[1], d[0]], np.float32) / (np.linalg.norm(d) + 1e-9)
        if np.dot((a + b) / 2 - c, n) < 0:
            n = -n  # outward normal
        pts = a[None, :] + ts[:, None] * d[None, :]
        out = np.clip(np.rint(pts + n * step), [0, 0], [w - 1, h - 1]).astype(np.int32)
        inn = np.clip(np.rint(pts - n * step), [0, 0], [w - 1, h - 1]).astype(np.int32)
        best = np.zeros(samples, np.float32)
        for k, img in enumerate(images):
            diff = img[inn[:, 1], inn[:, 0]].astype(np.float32) - img[out[:, 1], out[:, 0]]
            if k == 0:
                darker += int(np.count_nonzero(diff <= -t))
            better = np.abs(diff) > np.abs(best)
            best = np.where(better, diff, best)
        sign = np.sign(best)
        strong = np.abs(best) >= t
        # the page side must step the same way along its length (random texture does not)
        dominant = max(np.sum(strong & (sign > 0)), np.sum(strong & (sign < 0)))
        shares.append(dominant / samples)
    if min(shares) < 0.5 or darker > 2 * samples:
        return 0.0
    return float((sum(shares) + min(shares)) / 5)


def _plausible(q: np.ndarray, min_px: float, w: int, h: int) -> bool:
    return (cv2.isContourConvex(q.reshape(-1, 1, 2)) and cv2.contourArea(q) >= min_px and _angles_ok(q)
            and not _on_border(q, w, h))


def _box_area(contour: np.ndarray) -> int:
    _, _, bw, bh = cv2.boundingRect(contour)
    return bw * bh


def _candidates(mask: np.ndarray, mode: int, min_px: float, limit: int = 5) -> list[np.ndarray]:
    contours, _ = cv2.findContours(mask, mode, cv2.CHAIN_APPROX_SIMPLE)
    big = [c for c in contours if len(c) >= 4 and _box_area(c) >= min_px  # cheap test first
           and cv2.contourArea(cv2.convexHull(c)) >= min_px]
    big.sort(key=lambda c: cv2.contourArea(cv2.convexHull(c)), reverse=True)
    return big[:limit]


def _prepare(channel: np.ndarray) -> np.ndarray:
    """Blur 5×5 then close 9×9: noise and text gone, the page edge kept."""
    return cv2.morphologyEx(cv2.GaussianBlur(channel, (5, 5), 0), cv2.MORPH_CLOSE, _CLOSE)


def _colour_distance(small: np.ndarray) -> np.ndarray:
    """How far each pixel's colour is from the desk's (YCrCb, L1, chroma weighted triple), the desk's
    colour being the median of a ring along the frame border. Separates a tinted card from a grey desk
    of the same brightness."""
    ycc = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2YCrCb)
    ring = np.concatenate([ycc[:6].reshape(-1, 3), ycc[-6:].reshape(-1, 3),
                           ycc[:, :6].reshape(-1, 3), ycc[:, -6:].reshape(-1, 3)])
    desk = np.median(ring, axis=0)
    diff = cv2.absdiff(ycc, np.full_like(ycc, 0) + desk.astype(np.uint8))
    dist = cv2.transform(diff, np.float32([[1, 3, 3]]))  # saturates at 255; YCrCb chroma is compressed
    return cv2.morphologyEx(dist, cv2.MORPH_CLOSE, _CLOSE)


def _otsu(img: np.ndarray) -> np.ndarray:
    _, binary = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return cv2.morphologyEx(binary, cv2.MORPH_OPEN, _CLOSE)


def detect_page(image: np.ndarray, work_height: int = 500, min_area: float = 0.2,
                min_score: float = 0.7) -> Detection | None:
    """The page in a BGR (or grey) frame, or None when there is none.

    ``work_height``: detection runs on the frame downscaled by the integer factor that brings it nearest
    to about this height (720 → 360, 1080 → 540, 3000 → 500; small frames are used as they are).
    ``min_area``: the smallest share of the frame a page may cover. ``min_score``: the smallest share of
    the outline that must be backed by a brightness (or colour) step.
    """
    if image is None or image.ndim not in (2, 3) or image.shape[0] < 16 or image.shape[1] < 16:
        raise ValueError("detect_page needs a BGR or grey image of at least 16×16 pixels")
    h, w = image.shape[:2]
    k = max(1, int(h / work_height + 0.6))  # an integer factor: INTER_AREA is ~20× faster with one
    small = image if k == 1 else cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    colour = small.ndim == 3
    gray = _prepare(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if colour else small)
    white = _prepare(cv2.min(cv2.min(small[..., 0], small[..., 1]), small[..., 2])) if colour else gray
    support: list[np.ndarray] = [gray, white] if colour else [gray]
    min_px = min_area * sw * sh
    best: tuple[float, np.ndarray, str] | None = None

    def distance() -> tuple[np.ndarray, int]:
        dist = _colour_distance(small)
        support.append(dist)
        return _otsu(dist), cv2.RETR_EXTERNAL

    strategies: list[tuple[str, Callable[[], tuple[np.ndarray, int]]]] = [
        ("canny", lambda: (cv2.dilate(cv2.Canny(gray, 30, 90), _DILATE), cv2.RETR_LIST))]
    if colour:
        strategies += [("white", lambda: (_otsu(white), cv2.RETR_EXTERNAL)), ("colour", distance)]
    strategies += [("grey", lambda: (_otsu(gray), cv2.RETR_EXTERNAL)),
                   ("canny_low", lambda: (cv2.dilate(cv2.Canny(gray, 8, 24), _DILATE), cv2.RETR_LIST))]

    for name, make in strategies:
        mask, mode = make()
        for contour in _candidates(mask, mode, min_px):
            quad = quad_from_contour(contour)
            if quad is None:
                continue
            quad = order_corners(quad)
            if not _plausible(quad, min_px, sw, sh):
                continue
            quad = order_corners(refine_quad(quad, contour))
            if not _plausible(quad, min_px, sw, sh):
                continue
            score = edge_support(quad, tuple(support))
            if score >= min_score and (best is None or score > best[0]):
                best = (score, quad, name)
            if best is not None and best[0] >= 0.97:
                break
        if best is not None and best[0] >= 0.85:
            break
    if best is None:
        return None
    score, quad, name = best
    corners = (quad + 0.5) * np.array([w / sw, h / sh], np.float32) - 0.5
    return Detection(corners.astype(np.float32), round(score, 3),
                     round(float(cv2.contourArea(quad)) / (sw * sh), 3), name)
