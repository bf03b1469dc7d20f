"""Sub-pixel refinement of a found quad on the full-resolution frame, one side at a time.

Along each side, profiles across it are sampled from the full frame (all colour channels); on each the
strongest colour step near the coarse side is located to a fraction of a pixel. A line is fitted to
those points robustly (Huber, then the inliers only), so a finger, a pen or a glare spot over part of
the side does not pull it. When a side is bowed (a curled page) the half nearest each corner gives that
corner. Corners are the intersections of neighbouring lines. The share of profiles that agree with their
side's line is the refinement's confidence: low when the side is hidden or is not a real edge.
"""

from __future__ import annotations

import cv2
import numpy as np

_N = 40  # profiles per side
_TS = np.linspace(0.06, 0.94, _N).astype(np.float32)
_WAVER = 0.004  # how far (share of its length) a side's point may lie off its line and still back it


def _median(values: np.ndarray) -> np.float32:
    """``np.median`` of a short non-empty float32 vector, the same value (float32 mean of the middle
    two for an even count) at a tenth of the cost: no wrapper, axis or NaN handling."""
    s = np.sort(values)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def _line(points: np.ndarray, tol: float = 1.5) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """A robust line fit: (point, unit direction, inlier mask: points within ``tol`` px), or None with
    fewer than 6 points."""
    if len(points) < 6:
        return None
    vx, vy, x0, y0 = cv2.fitLine(points, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    p, u = np.float32([x0, y0]), np.float32([vx, vy])
    resid = np.abs((points - p) @ np.float32([-u[1], u[0]]))
    keep = resid <= max(tol, 2.5 * float(_median(resid)))
    if np.count_nonzero(keep) >= 6:
        vx, vy, x0, y0 = cv2.fitLine(points[keep], cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        p, u = np.float32([x0, y0]), np.float32([vx, vy])
        keep = np.abs((points - p) @ np.float32([-u[1], u[0]])) <= tol
    return p, u, keep


def _intersect(p1, u1, p2, u2) -> np.ndarray | None:
    den = u1[0] * u2[1] - u1[1] * u2[0]
    if abs(den) < 1e-6:
        return None
    t = ((p2[0] - p1[0]) * u2[1] - (p2[1] - p1[1]) * u2[0]) / den
    return p1 + t * u1


def refine_corners(image: np.ndarray, quad: np.ndarray, reach: float) -> tuple[np.ndarray, float, tuple[float, ...]]:
    """The quad (tl, tr, br, bl in ``image`` pixels) moved onto the edges of ``image``, the share of
    profiles (0..1, the worst side counting double) that back the refined sides, and each side's share
    (side i runs from corner i to corner i + 1). ``reach``: how far
    (pixels) across each side to look; a corner never moves further than 1.5 × ``reach``."""
    q = np.asarray(quad, np.float32).reshape(4, 2)
    h, w = image.shape[:2]
    r = max(3, int(round(reach)))
    offs = np.arange(-r, r + 1, dtype=np.float32)
    d = q[[1, 2, 3, 0]] - q
    lengths = np.linalg.norm(d, axis=1)
    n = np.stack([-d[:, 1], d[:, 0]], axis=1) / (lengths[:, None] + 1e-9)
    base = q[:, None, :] + _TS[None, :, None] * d[:, None, :]  # 4 × N × 2
    grid = base[:, :, None, :] + offs[None, None, :, None] * n[:, None, None, :]  # 4 × N × K × 2
    maps = grid.reshape(4 * _N, len(offs), 2)
    samples = cv2.remap(image, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    prof = samples.astype(np.float32).reshape(4 * _N, len(offs), -1)
    prof = (prof[:, :-2] + 2 * prof[:, 1:-1] + prof[:, 2:]) / 4  # smooth along the profile
    grad = np.sqrt(((prof[:, 2:] - prof[:, :-2]) ** 2).sum(axis=2))  # colour step at offs[2:-2]
    prior = np.exp(-0.5 * (offs[2:-2] / (0.6 * r)) ** 2)
    weighted = grad * prior[None, :]
    k = np.clip(weighted.argmax(axis=1), 1, grad.shape[1] - 2)
    rows = np.arange(len(k))
    g0, g1, g2 = grad[rows, k - 1], grad[rows, k], grad[rows, k + 1]
    den = g0 - 2 * g1 + g2
    sub = np.where(np.abs(den) > 1e-6, 0.5 * (g0 - g2) / np.where(np.abs(den) > 1e-6, den, 1), 0)
    where = offs[2:-2][k] + np.clip(sub, -0.5, 0.5)
    strong = (g1 >= 3.0).reshape(4, _N)
    pts = (base + where.reshape(4, _N)[..., None] * n[:, None, :]).astype(np.float32)

    full, halves, backed = [], [], []
    half = _N // 2
    for i in range(4):
        tol = max(1.5, _WAVER * float(lengths[i]))  # a long side of a crumpled receipt waves a few px
        fit = _line(pts[i][strong[i]], tol)
        full.append(fit)
        backed.append(0.0 if fit is None else float(np.count_nonzero(fit[2])) / _N)
        halves.append((None, None))
        if fit is not None and _bent(pts[i], strong[i], fit):
            halves[i] = (_line(pts[i][:half][strong[i][:half]], tol), _line(pts[i][half:][strong[i][half:]], tol))
            # a curled side is two straight halves: each backs its own corner
            backed[i] = max(backed[i], sum(float(np.count_nonzero(h[2])) for h in halves[i] if h is not None) / _N)
    out = q.copy()
    for i in range(4):  # corner i joins side i − 1 (its end) and side i (its start)
        a, b = full[i - 1], full[i]
        if a is None or b is None:
            continue
        a = _bowed(a, halves[i - 1][1], q[i]) or a
        b = _bowed(b, halves[i][0], q[i]) or b
        pt = _intersect(a[0], a[1], b[0], b[1])
        if pt is not None and np.linalg.norm(pt - q[i]) <= 1.5 * r and 0 <= pt[0] < w and 0 <= pt[1] < h:
            out[i] = pt
    score = (sum(backed) + min(backed)) / 5
    return out, float(score), tuple(backed)


def _bent(pts: np.ndarray, strong: np.ndarray, fit) -> bool:
    """Whether a side bows: its middle third lies > 1 px (median) off its line, on one side of it."""
    p, u, _ = fit
    off = (pts - p) @ np.float32([-u[1], u[0]])
    mid = off[_N // 3: 2 * _N // 3][strong[_N // 3: 2 * _N // 3]]
    ends = np.concatenate([off[: _N // 6][strong[: _N // 6]], off[-_N // 6:][strong[-_N // 6:]]])
    return len(mid) >= 4 and len(ends) >= 4 and abs(float(_median(mid) - _median(ends))) > 1.0


def _bowed(whole, half, corner: np.ndarray):
    """The half-side line when it leaves the whole side's line by more than 1.5 px at the corner (a bowed,
    curled side), else None (the whole side's line is the more precise)."""
    if half is None or np.count_nonzero(half[2]) < 8:
        return None
    p, u, _ = whole
    hp, hu, _ = half
    at = _intersect(hp, hu, corner, np.float32([-u[1], u[0]]))
    if at is None:
        return None
    gap = abs(float((at - p) @ np.float32([-u[1], u[0]])))
    return half if gap > 1.5 else None
