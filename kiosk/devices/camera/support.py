"""How well the image backs a quad as a document outline: the step across each side, sampled along it.

A document's side shows one brightness (or colour) step, the same way round, along most of its length;
random texture, clutter and the lines of a desk do not. :func:`edge_support` measures that share per
side; :func:`printed` decides whether a quad is printed on (a document) rather than plain (a wallet, a
phone, a tablet's dark screen), and a dark one card-shaped (a bank or social-security card).
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.devices.camera.quads import aspect, order_corners, true_aspect

EDGE_T = 5.0  # grey levels between the mean of a band inside and of one outside
_SAMPLES = 32
_TS = ((np.arange(_SAMPLES) + 0.5) / _SAMPLES).astype(np.float32)
_BEYOND = np.float32([-0.16, -0.12, -0.08, -0.04, 1.04, 1.08, 1.12, 1.16])  # past each end of a side
_ALONG = np.concatenate([_TS, _BEYOND])
_NEXT = np.array([1, 2, 3, 0])
_PERP = np.float32([-1, 1])
_SIDES = np.float32([-1, 1])[:, None, None, None, None]  # inside (−), outside (+)


def _outward_normals(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each side's direction (b − a) and unit outward normal, as arrays of 4."""
    d = q[_NEXT] - q
    n = d[:, ::-1] * _PERP / (np.sqrt((d * d).sum(axis=1, keepdims=True)) + 1e-9)
    flip = ((q + d / 2 - q.mean(axis=0)) * n).sum(axis=1, keepdims=True) < 0
    return d, np.where(flip, -n, n)


def edge_support(q: np.ndarray, images: tuple[np.ndarray, ...], step: float = 3.0, t: float | None = None,
                 samples: int = _SAMPLES) -> tuple[float, bool]:
    """Share of sample points along the sides whose step across the side is ≥ ``t`` the same way round
    (worst side counts double; 0 when any side has less than half its length backed), and whether the
    inside is darker than the outside in ``images[0]`` (grey) along most of the outline.

    A document's side ends at its corners: a side whose step runs on past its ends, half as large as
    along the side (the edge of a shadow or of the desk), loses up to 60 % of its share.

    The step at a point is the mean of a band ``step`` ± 1.5 px inside the side minus the same band
    outside, in whichever image shows the larger step: averaging four pixels a side lets a faint edge
    (white paper on a white desk) count without counting noise.
    """
    t = EDGE_T if t is None else t
    q = np.asarray(q, np.float32).reshape(4, 2)
    h, w = images[0].shape[:2]
    ts = _ALONG if samples == _SAMPLES else np.concatenate(
        [((np.arange(samples) + 0.5) / samples).astype(np.float32), _BEYOND])
    d, n = _outward_normals(q)
    pts = q[:, None, :] + ts[None, :, None] * d[:, None, :]  # 4 × (S + 8) × 2
    offsets = np.float32([step - 1, step, step + 1, step + 2])
    shift = n[:, None, None, :] * offsets[None, None, :, None]  # 4 × 1 × O × 2
    # inside and outside points at once (2 × 4 × (S + 8) × O × 2), then as indices into the raveled images
    xy = np.rint(pts[None, :, :, None, :] + _SIDES * shift[None]).astype(np.int32)
    xy = np.minimum(np.maximum(xy, 0, out=xy), (w - 1, h - 1), out=xy)
    flat = xy[..., 1] * w + xy[..., 0]
    if all(img.dtype == np.uint8 for img in images):
        # integer sums of the 4 pixels a band: exact, so the means (sum / 4) are those of the float path
        sums = np.stack([np.ravel(img).take(flat) for img in images]).sum(axis=-1, dtype=np.int32)
        diffs = (sums[:, 0] - sums[:, 1]).astype(np.float32) * np.float32(0.25)  # K × 4 × (S + 8)
    else:
        diffs = np.stack([(img[xy[0, ..., 1], xy[0, ..., 0]].astype(np.float32)
                           - img[xy[1, ..., 1], xy[1, ..., 0]]).mean(axis=2) for img in images])
    darker = int(np.count_nonzero(diffs[0, :, :samples] <= -t))
    # per point, the image with the largest step (the first of equals)
    best = diffs[0] if len(images) == 1 else np.take_along_axis(
        diffs, np.abs(diffs).argmax(axis=0)[None], axis=0)[0]
    best, beyond = best[:, :samples], best[:, samples:]
    strong = np.abs(best) >= t
    # the side must step the same way along its length (random texture does not)
    up, down = (strong & (best > 0)).sum(axis=1), (strong & (best < 0)).sum(axis=1)
    shares = np.maximum(up, down) / samples
    # beyond the ends, a step half as large as the side's own (median) step means the side runs on
    ranked = np.sort(np.abs(best), axis=1)  # the median of each side's steps, as np.median takes it:
    mid = samples // 2
    median = ranked[:, mid] if samples % 2 else (ranked[:, mid - 1] + ranked[:, mid]) / 2
    typical = np.maximum(t, 0.5 * median)[:, None]
    runs_on = np.where((up >= down)[:, None], beyond >= typical, beyond <= -typical).mean(axis=1)
    shares = shares * (1 - 0.6 * runs_on)
    dark = darker > 2 * samples
    if shares.min() < 0.5:
        return 0.0, dark
    return float((shares.sum() + shares.min()) / 5), dark


def content(gray: np.ndarray, q: np.ndarray) -> float:
    """The spread of grey inside a quad (its middle 80 %): 95th minus 5th percentile. Printing gives
    ≥ 40 on every document we know at detection scale; a wallet, a phone's body, a plain box give < 20."""
    c = q.mean(axis=0)
    inner = np.rint(c + (q - c) * 0.8).astype(np.int32)
    x, y, bw, bh = cv2.boundingRect(inner)
    x, y = max(x, 0), max(y, 0)
    crop = gray[y:y + bh, x:x + bw]
    mask = np.zeros(crop.shape, np.uint8)
    cv2.fillConvexPoly(mask, inner - np.int32([x, y]), 1)
    counts = cv2.calcHist([crop], [0], mask, [256], [0, 256]).ravel().cumsum()
    if counts[-1] <= 0:
        return 0.0
    return float(np.searchsorted(counts, 0.95 * counts[-1]) - np.searchsorted(counts, 0.05 * counts[-1]))


def printed(gray: np.ndarray, q: np.ndarray, dark: bool) -> bool:
    """Whether a quad looks printed on, in the unblurred grey image: grey spread ≥ 30 inside (≥ 40 and
    card-shaped, long/short side 1.25–1.95 as seen or once the perspective is undone, when it is darker than its desk, as a bank or social-security
    card is; a tablet's dark screen, a phone or a closed booklet is plain, a keyboard far longer)."""
    if not dark:
        return content(gray, q) >= 30
    h, w = gray.shape[:2]
    card = 1.25 <= aspect(q) <= 1.95 or 1.25 <= true_aspect(order_corners(q), w, h) <= 1.95  # tilted: undone
    return card and content(gray, q) >= 40
