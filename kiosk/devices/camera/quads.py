"""Quadrilateral geometry for page detection: corner order, a quad from an outline (its convex hull, or
its longest straight runs), and the plausibility tests (angles, side ratios, aspect, frame border) a
page must pass."""

from __future__ import annotations

import math

import cv2
import numpy as np

MAX_ASPECT = 4.2  # a till receipt may be four times as long as it is wide


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points ordered tl, tr, br, bl: clockwise, starting the edge that is most the top one.

    Clockwise is taken in image coordinates (y down). The first edge is the top-most edge among those
    running left→right within ±45°, so a page rotated by up to 45° keeps its natural labels.
    """
    p = np.asarray(pts, np.float32).reshape(4, 2)
    xy = p.tolist()  # plain floats: numpy's per-call cost dominated on four points
    cx, cy = sum(x for x, _ in xy) / 4, sum(y for _, y in xy) / 4
    order = sorted(range(4), key=lambda i: math.atan2(xy[i][1] - cy, xy[i][0] - cx))
    best, best_y = 0, math.inf
    for k in range(4):
        (ax, ay), (bx, by) = xy[order[k]], xy[order[(k + 1) % 4]]
        ang = math.degrees(math.atan2(by - ay, bx - ax))
        if -45 < ang <= 45 and (ay + by) / 2 < best_y:
            best, best_y = k, (ay + by) / 2
    return p[[order[(best + k) % 4] for k in range(4)]]


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


def angles_ok(q: np.ndarray) -> bool:
    """Every corner between 45° and 135°, and opposite sides within a ratio of 0.55 of each other."""
    pts = np.asarray(q).reshape(4, 2).tolist()  # plain floats: numpy's per-call cost dominated
    sides = []
    for i in range(4):
        (ax, ay), (bx, by), (cx, cy) = pts[i - 1], pts[i], pts[(i + 1) % 4]
        v1x, v1y, v2x, v2y = ax - bx, ay - by, cx - bx, cy - by
        n1, n2 = math.hypot(v1x, v1y), math.hypot(v2x, v2y)
        cos = (v1x * v2x + v1y * v2y) / (n1 * n2 + 1e-9)
        if not 45 <= math.degrees(math.acos(max(-1.0, min(1.0, cos)))) <= 135:
            return False
        sides.append(n2)  # side i: corner i → corner i + 1
    return sides[0] / max(sides[2], 1e-6) > 0.55 < sides[2] / max(sides[0], 1e-6) and \
        sides[1] / max(sides[3], 1e-6) > 0.55 < sides[3] / max(sides[1], 1e-6)


def on_border(q: np.ndarray, w: int, h: int, margin: float = 2.5) -> bool:
    """True when a side runs along the frame border (an outline closed by the frame, not a page)."""
    pts = np.asarray(q).reshape(4, 2).tolist()
    for i in range(4):
        a, b = pts[i], pts[(i + 1) % 4]
        for axis, limit in ((0, 0), (0, w - 1), (1, 0), (1, h - 1)):
            if abs(a[axis] - limit) <= margin and abs(b[axis] - limit) <= margin:
                return True
    return False


def aspect(q: np.ndarray) -> float:
    """Long over short side, each the mean of two opposite sides."""
    p = np.asarray(q).reshape(4, 2).tolist()
    d = [math.hypot(p[(i + 1) % 4][0] - p[i][0], p[(i + 1) % 4][1] - p[i][1]) for i in range(4)]
    a, b = (d[0] + d[2]) / 2, (d[1] + d[3]) / 2
    return float(max(a, b) / max(min(a, b), 1e-6))


def true_aspect(q: np.ndarray, w: int, h: int) -> float:
    """Long over short side of the rectangle the quad (tl, tr, br, bl) is a picture of, undoing the
    perspective (Zhang and He, "Whiteboard scanning and image enhancement", 2007): the focal length is
    recovered from the quad itself with the principal point at the image centre. A strongly tilted card
    (1.59) looks 2.5 long; this gives 1.59 back. Where the quad cannot tell the focal length (a pair of
    sides parallel in the image) or tells one no camera here has, it is the apparent aspect."""
    q = np.asarray(q, np.float64).reshape(4, 2)
    u0, v0 = w / 2.0, h / 2.0
    # plain floats (numpy's per-call cost dominated on 3-vectors): m1 m2 m4 m3 are tl, tr, br, bl
    m1, m2, m4, m3 = ((x, y, 1.0) for x, y in q.tolist())

    def cross_dot(a, b, c):  # (a × b) · c
        return ((a[1] * b[2] - a[2] * b[1]) * c[0] + (a[2] * b[0] - a[0] * b[2]) * c[1]
                + (a[0] * b[1] - a[1] * b[0]) * c[2])

    k2 = cross_dot(m1, m4, m3) / cross_dot(m2, m4, m3)
    k3 = cross_dot(m1, m4, m2) / cross_dot(m3, m4, m2)
    n2 = [k2 * b - a for a, b in zip(m1, m2, strict=True)]
    n3 = [k3 * b - a for a, b in zip(m1, m3, strict=True)]
    den = n2[2] * n3[2]
    if abs(den) < 1e-9:
        return aspect(q)
    f2 = -((n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + n2[2] * n3[2] * u0 * u0)
           + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + n2[2] * n3[2] * v0 * v0)) / den
    if not 0.16 * (w * w) <= f2 <= 16.0 * (w * w):  # no camera here has that focal length
        return aspect(q)
    f = math.sqrt(f2)

    def norm2(n):  # n · B n with B = A⁻ᵀ A⁻¹, A the camera matrix: |A⁻¹ n|²
        return ((n[0] - u0 * n[2]) / f) ** 2 + ((n[1] - v0 * n[2]) / f) ** 2 + n[2] ** 2

    ratio = math.sqrt(max(norm2(n2), 1e-12) / max(norm2(n3), 1e-12))
    return max(ratio, 1 / ratio)


def long_shape(q: np.ndarray, w: int, h: int) -> bool:
    """Longer than a page or a card: more than twice its width (A4 is 1.41, an ID-1 card 1.59, a 户口簿
    page 1.36) as seen and more than 1.8 once the perspective is undone (:func:`true_aspect`; a card
    under strong tilt looks 2.5 long). A till receipt or a banknote is; so are a phone (~2.1) and a
    keyboard (~3), which the detector tells from paper by other means."""
    return aspect(q) > 2.0 and true_aspect(q, w, h) > 1.8


def plausible(q: np.ndarray, min_px: float, w: int, h: int) -> bool:
    """A document-like quad in a ``w``×``h`` image: convex, at least ``min_px`` in area, plausible angles
    and side ratios, no longer than ``MAX_ASPECT`` times its width as seen or once the perspective is
    undone (a till receipt, not a ruler), and no side along the image border."""
    return (cv2.isContourConvex(q.reshape(-1, 1, 2)) and cv2.contourArea(q) >= min_px and angles_ok(q)
            and (aspect(q) <= MAX_ASPECT or true_aspect(q, w, h) <= MAX_ASPECT - 0.2) and not on_border(q, w, h))


def quad_from_sides(contour: np.ndarray) -> np.ndarray | None:
    """A quad from the four longest straight runs of an outline, or None.

    For an outline a finger or a pen has joined: their tip becomes a corner of the convex hull, but the
    page's sides remain the longest straight runs of the outline itself. Runs come from a polygon
    approximation of the outline (not its hull); runs on one line (within 8° and 4 px) are merged; the
    four longest lines, taken in order around their middle, are intersected in turn."""
    peri = cv2.arcLength(contour, True)
    approx = cv2.approxPolyDP(contour, max(2.0, 0.01 * peri), True).reshape(-1, 2).astype(np.float64)
    n = len(approx)
    if not 4 <= n <= 24:  # a page with a finger or a pen has a few runs; texture has many
        return None
    ends = np.roll(approx, -1, axis=0)
    lengths = np.linalg.norm(ends - approx, axis=1)
    groups: list[list] = []  # [total length, point, unit direction, middle sum]
    for i in np.argsort(lengths)[::-1]:
        if lengths[i] < 0.04 * peri:
            break
        a, b = approx[i], ends[i]
        u = (b - a) / lengths[i]
        for g in groups:
            m = (a + b) / 2 - g[1]
            if abs(g[2][0] * u[1] - g[2][1] * u[0]) < 0.14 and abs(g[2][0] * m[1] - g[2][1] * m[0]) < 4:
                g[0] += lengths[i]
                break
        else:
            groups.append([lengths[i], (a + b) / 2, u])
    if len(groups) < 4:
        return None
    groups.sort(key=lambda g: g[0], reverse=True)
    top = groups[:4]
    centre = np.mean([g[1] for g in top], axis=0)
    top.sort(key=lambda g: math.atan2(g[1][1] - centre[1], g[1][0] - centre[0]))
    corners = []
    for k in range(4):
        g1, g2 = top[k - 1], top[k]
        pt = _intersect(g1[1], g1[1] + g1[2], g2[1], g2[1] + g2[2])
        if pt is None:
            return None
        corners.append(pt)
    return np.array(corners, np.float32)


def fit_sides(contour: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quad's corners re-found from the outline itself: for each side, a line fitted (Huber) to the
    outline's points that lie near that side and away from its ends (a card's rounded corner, a finger
    at a corner, the hull's cut across a curl do not pull it), then neighbouring lines intersected. A side
    with too few such points keeps its corners; so does a corner that would move too far."""
    pts = contour.reshape(-1, 2).astype(np.float32)
    q = np.asarray(quad, np.float32).reshape(4, 2)
    lines, sides = [], []
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        sides.append(np.sqrt(d.dot(d)))  # np.linalg.norm(d), without its wrapper
        length = float(sides[-1])
        if length < 8:
            return q
        u = d / length
        rel = pts - a
        t = rel @ u / length
        off = np.abs(rel @ np.float32([-u[1], u[0]]))
        near = pts[(t > 0.12) & (t < 0.88) & (off <= max(2.5, 0.04 * length))]
        if len(near) < 6:
            lines.append(None)
            continue
        vx, vy, x0, y0 = cv2.fitLine(near, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.float32([x0, y0]), np.float32([vx, vy])))
    out = q.copy()
    for i in range(4):
        a, b = lines[i - 1], lines[i]
        if a is None or b is None:
            continue
        pt = _intersect(a[0], a[0] + a[1], b[0], b[0] + b[1])
        side = min(sides[i - 1], sides[i])
        if pt is not None and np.sqrt((pt - q[i]).dot(pt - q[i])) <= 0.15 * side:
            out[i] = pt
    return out
