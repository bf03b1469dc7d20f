"""Growing a found quad to the whole document it may be part of.

A social-security card's coloured band, a 户口簿 page's fold, a photo box or a form's border each
make a straight, well-supported edge inside the document, and the part on one side of it is itself a
good quad. If the quad's two neighbouring sides run on past one of its sides (the outline continues
the same way round) up to another edge parallel to it, the document goes on to there: the quad moved
out to that edge is tried, and kept when the image backs it about as well.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.devices.camera.quads import long_shape
from kiosk.devices.camera.support import edge_support

_T = np.linspace(0.1, 0.9, 24, dtype=np.float32)


def _cross(p1, d1, p2, d2):
    den = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(den) < 1e-9:
        return None
    t = ((p2[0] - p1[0]) * d2[1] - (p2[1] - p1[1]) * d2[0]) / den
    return p1 + t * d1


def _peaks(profile: np.ndarray, start: int, min_step: float) -> list[int]:
    """Offsets (indices) of the largest steps in a 1D profile beyond ``start``, largest first."""
    step = np.abs(profile[4:] - profile[:-4])  # step at index i + 2
    found = []
    for i in np.argsort(step)[::-1][:12]:
        s = int(i) + 2
        if s >= start and step[i] >= min_step and all(abs(s - f) > 4 for f in found):
            found.append(s)
        if len(found) == 3:
            break
    return found


def grow(quad: np.ndarray, images: tuple[np.ndarray, ...], score: float) -> tuple[np.ndarray, float]:
    """The quad (tl, tr, br, bl) grown side by side when the document runs on past a side, with its
    support score; the quad and ``score`` as they were when it does not."""
    q = np.asarray(quad, np.float32).reshape(4, 2).copy()
    h, w = images[0].shape[:2]
    strip = long_shape(q, w, h)
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        prev_dir = q[i] - q[i - 1]  # side i-1 runs into corner i
        next_dir = q[(i + 1) % 4] - q[(i + 2) % 4]  # side i+1 reversed runs into corner i+1
        reach = 0.7 * min(np.linalg.norm(prev_dir), np.linalg.norm(next_dir))
        if reach < 12:
            continue
        d = b - a
        n = np.float32([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-9)
        if np.dot(n, (a + b) / 2 - q.mean(axis=0)) < 0:
            n = -n
        offs = np.arange(0, int(reach), dtype=np.float32)
        pts = a[None, None, :] + _T[:, None, None] * d[None, None, :] + offs[None, :, None] * n[None, None, :]
        mx, my = pts[..., 0], pts[..., 1]
        if mx.min() < 0 or my.min() < 0 or mx.max() > w - 1 or my.max() > h - 1:
            continue  # runs off the image: nothing to grow into that can be checked
        best = None
        for img in images[:1]:  # peaks in grey; every image backs the grown quad
            rows = cv2.remap(img, mx, my, cv2.INTER_LINEAR).astype(np.float32)
            steps = np.abs(rows[:, 4:] - rows[:, :-4])  # per row, the step at offset j + 2
            for s in _peaks(rows.mean(axis=0), max(6, int(0.08 * reach / 0.7)), 8.0):
                # the edge need not be parallel to the side (perspective): follow it row by row
                lo, hi = max(s - 12, 0), min(s + 10, steps.shape[1])
                at = lo + steps[:, lo:hi].argmax(axis=1) + 2
                on = a[None, :] + _T[:, None] * d[None, :] + at[:, None].astype(np.float32) * n[None, :]
                vx, vy, x0, y0 = cv2.fitLine(on.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
                p0, u = np.float32([x0, y0]), np.float32([vx, vy])
                la = _cross(p0, u, a, prev_dir)
                lb = _cross(p0, u, b, next_dir)
                if la is None or lb is None:
                    continue
                cand = q.copy()
                cand[i], cand[(i + 1) % 4] = la, lb
                sc, _ = edge_support(cand, images)
                # a strip longer than a page that grows into a card's or page's shape is part of one
                # (a social-security card's white part above its band): the band's edge may back less
                need = 0.75 if strip and not long_shape(cand, w, h) else max(0.8, score - 0.1)
                if sc >= need and (best is None or s > best[0]):
                    best = (s, cand, sc)
        if best is not None:
            q, score = best[1], best[2]
    return q, score
