"""Telling a lit screen from a document: a phone or tablet shows a dark bezel around its screen. And
telling a long document (a till receipt, a banknote) from other long things (:func:`is_paper`).

A quad found on a screen is either the screen (then an even band, the bezel, runs just *outside* its
sides, ended by the body's edge a little further out) or the whole device (an even band just *inside*
its sides, darker than the lit screen that ends it). A document on a desk shows neither on all its sides: outside is
desk as far as one looks, inside is paper. Profiles across each side are read on the full frame and
their median taken (a thumb over part of a side does not count); the test costs about 0.5 ms a frame.
"""

from __future__ import annotations

import cv2
import numpy as np

_TS = np.linspace(0.2, 0.8, 15, dtype=np.float32)
_MID = len(_TS) // 2
_MEAN = np.full((1, 3), 1 / 3, np.float32)
_NEXT = [1, 2, 3, 0]
_RISE = 30  # the step that ends a bezel: at least this (grey levels) ...
_FLAT_RISE, _FLAT, _FLAT_WIDTH = 12, 0.25, 6  # ... or this, when the band is flat (its spread ≤ _FLAT of
# the step) and at least _FLAT_WIDTH px wide: a black bezel on a dark desk, around a dark screen


def _mean(values: np.ndarray) -> np.float32:
    """``values.mean()`` of a short float32 vector (the same float32 sum, divided), without its wrapper."""
    return np.add.reduce(values) / len(values)


def _band(profile: np.ndarray, up: bool) -> int | None:
    """Where an even band that starts past the edge at the head of ``profile`` ends in a large step,
    or None. ``up``: the step must go up (the band is darker than what lies beyond it)."""
    if len(profile) < 10:
        return None
    ramp = profile[2:8] - profile[:6]
    edge = int(np.argmax(np.abs(ramp[:4])))  # the quad's own edge, maybe a px or two off (not a thin bezel's far side)
    start = edge + 3
    step = profile[4:] - profile[:-4]  # step[i] spans profile[i] → profile[i + 4]
    if start >= len(step):
        return None
    mag = step[start:] if up else np.abs(step[start:])
    k = int(np.argmax(mag))
    rise = float(mag[k])
    band = profile[start:start + k + 1]
    band = band[:max(1, len(band) - 2)]  # the last two may be the foot of a soft step
    beyond = profile[start + k + 4:start + k + 8]
    if len(beyond) == 0 or abs(float(_mean(beyond) - _mean(band))) < 0.7 * rise:
        return None  # not a band that ends there: a line across it (text at a page's margin)
    turns = np.sign(step[start + k]) != np.sign(ramp[edge])  # a band between two opposite steps
    spread = float(band.max() - band.min())
    if k < (1 if turns else 2) or spread > 0.3 * rise:  # else: a ramp
        return None
    if rise < _RISE and (rise < _FLAT_RISE or spread > _FLAT * rise or k < _FLAT_WIDTH):
        return None  # a faint step ends only a band as even as a dark bezel (a shadow's band is a ramp)
    return start + k + 2


def is_screen(image: np.ndarray, quad: np.ndarray) -> bool:
    """Whether the quad (tl, tr, br, bl in ``image`` pixels, BGR or grey) is a lit screen or a device
    with one: a bezel-like band along at least three of its sides, inside or outside, of similar widths."""
    q = np.asarray(quad, np.float32).reshape(4, 2)
    d = q[_NEXT] - q
    lengths = np.linalg.norm(d, axis=1)
    short = float(lengths.min())
    if short < 20:
        return False
    reach = max(8, int(0.22 * short))
    n = np.stack([-d[:, 1], d[:, 0]], axis=1) / (lengths[:, None] + 1e-9)
    if np.einsum("ij,ij->i", q + d / 2 - q.mean(axis=0), n).mean() < 0:
        n = -n  # outward
    k = reach + 1
    offs = np.arange(0, k, dtype=np.float32)
    offs = np.concatenate([offs, -offs])  # outward, then inward: both read in one remap
    base = q[:, None, :] + _TS[None, :, None] * d[:, None, :]  # 4 × P × 2
    grid = base[:, :, None, :] + offs[None, None, :, None] * n[:, None, None, :]
    maps = grid.reshape(-1, 2 * k, 2)
    prof = cv2.remap(image, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    prof = prof.astype(np.float32)
    if prof.ndim == 3:
        prof = cv2.transform(prof, _MEAN).reshape(prof.shape[:2])
    across = np.ascontiguousarray(prof.reshape(4, len(_TS), 2, k).transpose(2, 0, 3, 1))  # sign × side × off × P
    med = np.partition(across, _MID, axis=3)[..., _MID]  # the median of an odd count, on contiguous rows
    widths: list[int | None] = [None] * 4
    for s in (0, 1):  # the band outside (the quad is the screen), then inside (it is the device)
        for i in range(4):
            widths[i] = widths[i] or _band(med[s, i], up=s == 1)
    found = [w for w in widths if w is not None]  # a quad a little off may show the band on either side
    return len(found) >= 3 and max(found) <= 3 * min(found)


_PAPER_SATURATION = 0.3  # a receipt's paper, even blue-tinted or under warm light, stays below this
_ALIGNED = 0.33  # share of the print's edges along the document's axes: ~0.27 for dots or texture
_INKED = 0.1  # least share of a long document's inside on an edge of its print


def is_paper(gray: np.ndarray, quad: np.ndarray, bgr: np.ndarray | None = None) -> bool:
    """Whether a long quad (tl, tr, br, bl in ``gray`` pixels) is paper with print on it: nearly neutral
    in ``bgr`` (median saturation of its inside), printed all over (edges on a tenth of its inside or
    more: a lit screen or a plain body has a few), and the edges inside run along its axes (lines of
    text, table rules: a third or more of their strength within 12° of either axis, where scattered dots
    or texture give a quarter). A coloured body (a keyboard, a pencil case) or a dotted one is not."""
    q = np.asarray(quad, np.float32).reshape(4, 2)
    c = q.mean(axis=0)
    mask = np.zeros(gray.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.rint(c + (q - c) * 0.85).astype(np.int32), 1)
    inside = mask > 0
    if bgr is not None and bgr.ndim == 3:
        px = bgr[cv2.resize(mask, (bgr.shape[1], bgr.shape[0]), interpolation=cv2.INTER_NEAREST) > 0]
        hi, lo = px.max(axis=1).astype(np.float32), px.min(axis=1).astype(np.float32)
        if len(px) and float(np.median((hi - lo) / np.maximum(hi, 1))) > _PAPER_SATURATION:
            return False
    g = gray.astype(np.float32)
    gx, gy = cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1)
    mag = np.hypot(gx, gy)
    sel = inside & (mag > 40)
    if np.count_nonzero(sel) < _INKED * np.count_nonzero(inside):
        return False  # a plain body or a lit screen: print leaves edges all over a receipt (≥ 0.3 seen)
    ang = np.degrees(np.arctan2(gy[sel], gx[sel])) % 180
    weight = mag[sel]
    along = np.zeros(len(ang), bool)
    for d in (q[1] - q[0] + q[2] - q[3], q[3] - q[0] + q[2] - q[1]):
        axis = np.degrees(np.arctan2(d[1], d[0])) % 180
        along |= np.abs((ang - axis + 90) % 180 - 90) <= 12
    return float(weight[along].sum() / weight.sum()) >= _ALIGNED
