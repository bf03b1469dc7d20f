"""Things on the desk besides the document: pens, coins, keys, a phone face down or dark, a mug seen from
above, a mouse, a cable, and fingers. Drawn in place on a BGR float32 canvas.
Written without looking at the detector or at the other renderers' code.
"""

from __future__ import annotations

import cv2
import numpy as np

PROPS = ("pen", "coin", "keys", "phone", "mug", "mouse", "cable")


def soft_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of a wide ``sigma``, done on a smaller copy (the result is smooth anyway)."""
    if sigma < 6:
        return cv2.GaussianBlur(img, (0, 0), sigma)
    k = sigma / 3
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(2, int(w / k)), max(2, int(h / k))), interpolation=cv2.INTER_AREA)
    return cv2.resize(cv2.GaussianBlur(small, (0, 0), 3), (w, h), interpolation=cv2.INTER_LINEAR)


def _box(mask: np.ndarray, pad: float) -> tuple[slice, slice]:
    ys, xs = np.nonzero(mask > 0)
    if not len(xs):
        return slice(0, 0), slice(0, 0)
    p = int(pad) + 1
    return (slice(max(ys.min() - p, 0), ys.max() + p + 1), slice(max(xs.min() - p, 0), xs.max() + p + 1))


def _blend(canvas: np.ndarray, mask: np.ndarray, colour: np.ndarray, shade: np.ndarray | None = None) -> None:
    """Paints ``colour`` (BGR) where ``mask`` (0..1 float) is, with optional shading."""
    box = _box(mask, 0)
    if mask[box].size == 0:
        return
    m = mask[box][..., None]
    col = colour[None, None, :]
    if shade is not None:
        col = col * shade[box][..., None]
    canvas[box] = canvas[box] * (1 - m) + col * m


def _soft_shadow(canvas: np.ndarray, mask: np.ndarray, rng: np.random.Generator, px_mm: float) -> None:
    off = rng.uniform(0.5, 2.5) * px_mm
    ang = rng.uniform(0, 2 * np.pi)
    sigma = max(1.0, px_mm * 1.2)
    box = _box(mask, off + 3 * sigma)
    m = np.float32([[1, 0, off * np.cos(ang)], [0, 1, off * np.sin(ang)]])
    part = mask[box]
    if part.size == 0:
        return
    sh = cv2.GaussianBlur(cv2.warpAffine(part, m, (part.shape[1], part.shape[0])), (0, 0), sigma)
    canvas[box] *= (1 - rng.uniform(0.15, 0.4) * sh)[..., None]


def _capsule_mask(shape, a, b, r) -> np.ndarray:
    mask = np.zeros(shape[:2], np.float32)
    cv2.line(mask, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), 1.0, max(1, int(2 * r)), cv2.LINE_AA)
    return mask


def finger(canvas: np.ndarray, rng: np.random.Generator, tip, direction, px_mm: float,
           skin: np.ndarray | None = None) -> None:
    """A finger lying with its tip at ``tip``, reaching along ``direction`` (unit vector, pointing from the
    hand to the tip), long enough to leave the frame."""
    r = rng.uniform(7, 10) * px_mm
    d = np.asarray(direction, np.float64)
    tip = np.asarray(tip, np.float64)
    base = tip - d * rng.uniform(90, 160) * px_mm
    mask = _capsule_mask(canvas.shape, base, tip, r)
    if skin is None:
        skin = np.float32([rng.uniform(110, 170), rng.uniform(140, 190), rng.uniform(185, 240)])
    _soft_shadow(canvas, mask, rng, px_mm)
    dist = cv2.distanceTransform((mask > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    shade = 0.72 + 0.35 * np.clip(dist / max(r, 1), 0, 1)
    _blend(canvas, mask, skin, shade)
    nail_c = tip - d * r * 0.9
    nail = np.zeros(canvas.shape[:2], np.float32)
    ang = float(np.degrees(np.arctan2(d[1], d[0])))
    cv2.ellipse(nail, (int(nail_c[0]), int(nail_c[1])), (int(r * 0.7), int(r * 0.55)), ang, 0, 360, 1.0, -1,
                cv2.LINE_AA)
    _blend(canvas, nail * 0.6, np.float32(skin) * 1.15 + 10)


def prop(canvas: np.ndarray, rng: np.random.Generator, name: str, centre, px_mm: float) -> None:
    """Draws the prop ``name`` around ``centre`` (canvas px); ``px_mm`` is the desk's scale there."""
    h, w = canvas.shape[:2]
    cx, cy = float(centre[0]), float(centre[1])
    ang = rng.uniform(0, 2 * np.pi)
    d = np.array([np.cos(ang), np.sin(ang)])
    mask = np.zeros((h, w), np.float32)
    if name == "pen":
        length = rng.uniform(120, 150) * px_mm
        a, b = np.array([cx, cy]) - d * length / 2, np.array([cx, cy]) + d * length / 2
        mask = _capsule_mask(canvas.shape, a, b, rng.uniform(3.5, 5) * px_mm)
        _soft_shadow(canvas, mask, rng, px_mm)
        _blend(canvas, mask, np.float32(rng.uniform(10, 230, 3)))
        cap = _capsule_mask(canvas.shape, b - d * 25 * px_mm, b, 4 * px_mm)
        _blend(canvas, cap, np.float32(rng.uniform(10, 230, 3)))
    elif name == "coin":
        for _ in range(int(rng.integers(1, 4))):
            p = (int(cx + rng.uniform(-30, 30) * px_mm), int(cy + rng.uniform(-30, 30) * px_mm))
            r = int(rng.uniform(9, 13) * px_mm)
            mask[:] = 0
            cv2.circle(mask, p, r, 1.0, -1, cv2.LINE_AA)
            _soft_shadow(canvas, mask, rng, px_mm)
            metal = np.float32([120, 170, 200]) if rng.random() < 0.5 else np.float32([185, 185, 180])
            _blend(canvas, mask, metal * rng.uniform(0.7, 1.1))
    elif name == "keys":
        p = np.array([cx, cy])
        ring = np.zeros((h, w), np.float32)
        cv2.circle(ring, (int(cx), int(cy)), int(12 * px_mm), 1.0, max(1, int(1.5 * px_mm)), cv2.LINE_AA)
        mask = ring
        for _ in range(int(rng.integers(2, 4))):
            a2 = rng.uniform(0, 2 * np.pi)
            dd = np.array([np.cos(a2), np.sin(a2)])
            mask = np.maximum(mask, _capsule_mask(canvas.shape, p + dd * 12 * px_mm, p + dd * 60 * px_mm,
                                                  rng.uniform(4, 7) * px_mm))
        _soft_shadow(canvas, mask, rng, px_mm)
        _blend(canvas, mask, np.float32([150, 160, 165]) * rng.uniform(0.7, 1.2))
    elif name == "phone":
        size = (rng.uniform(68, 78) * px_mm, rng.uniform(140, 165) * px_mm)
        box = cv2.boxPoints(((cx, cy), size, float(np.degrees(ang))))
        cv2.fillConvexPoly(mask, np.int32(box), 1.0, cv2.LINE_AA)
        mask = soft_blur(mask, 4 * px_mm)  # rounded body
        mask = np.clip((mask - 0.5) * 4 + 0.5, 0, 1)
        _soft_shadow(canvas, mask, rng, px_mm)
        body = np.float32(rng.uniform(12, 55, 3))  # a dark screen or a dark case
        shade = 1 + 0.25 * np.clip(soft_blur(mask, 20 * px_mm) - 0.5, -1, 1)
        _blend(canvas, mask, body, shade)
    elif name == "mug":
        r = rng.uniform(38, 45) * px_mm
        cv2.circle(mask, (int(cx), int(cy)), int(r), 1.0, -1, cv2.LINE_AA)
        _soft_shadow(canvas, mask, rng, px_mm * 3)
        _blend(canvas, mask, np.float32(rng.uniform(40, 240, 3)))
        inner = np.zeros((h, w), np.float32)
        cv2.circle(inner, (int(cx), int(cy)), int(r * 0.85), 1.0, -1, cv2.LINE_AA)
        _blend(canvas, inner, np.float32([30, 50, 70]) * rng.uniform(0.6, 1.4))
        handle = _capsule_mask(canvas.shape, (cx + d[0] * r, cy + d[1] * r), (cx + d[0] * r * 1.4,
                                                                              cy + d[1] * r * 1.4), 5 * px_mm)
        _blend(canvas, handle, np.float32(rng.uniform(40, 240, 3)))
    elif name == "mouse":
        cv2.ellipse(mask, (int(cx), int(cy)), (int(32 * px_mm), int(58 * px_mm)), float(np.degrees(ang)), 0, 360,
                    1.0, -1, cv2.LINE_AA)
        _soft_shadow(canvas, mask, rng, px_mm * 2)
        shade = 0.7 + 0.5 * soft_blur(mask, 15 * px_mm)
        _blend(canvas, mask, np.float32(rng.uniform(20, 200, 1).repeat(3)), shade)
    elif name == "cable":
        pts = [np.array([cx, cy])]
        heading = ang
        for _ in range(40):
            heading += rng.normal(0, 0.25)
            pts.append(pts[-1] + 12 * px_mm * np.array([np.cos(heading), np.sin(heading)]))
        cv2.polylines(mask, [np.int32(pts)], False, 1.0, max(1, int(4 * px_mm)), cv2.LINE_AA)
        _soft_shadow(canvas, mask, rng, px_mm)
        _blend(canvas, mask, np.float32(rng.uniform(10, 240, 1).repeat(3)))
    else:
        raise ValueError(name)
