"""Perspective correction of a detected page onto a fixed canvas.

Canvases: A4 at 150 dpi (1240×1754 portrait, 1754×1240 landscape) and an ID-1 card at 300 dpi
(1011×638 landscape, 638×1011 portrait). The kind is the caller's choice (the kiosk knows which material
it asked for) or, with ``kind=None``, the one whose aspect ratio is nearest to the page's.
"""

from __future__ import annotations

import math
from typing import Literal

import cv2
import numpy as np

Kind = Literal["a4", "card"]
CANVASES: dict[str, tuple[int, int]] = {"a4": (1240, 1754), "card": (1011, 638)}  # (width, height)
_ASPECT = {"a4": 297 / 210, "card": 85.6 / 53.98}  # long side / short side


def side_lengths(corners: np.ndarray) -> tuple[float, float]:
    """Mean width (top and bottom edges) and mean height (left and right edges) of a tl,tr,br,bl quad."""
    q = np.asarray(corners, np.float32).reshape(4, 2)
    d = np.linalg.norm(np.roll(q, -1, axis=0) - q, axis=1)
    return float(d[0] + d[2]) / 2, float(d[1] + d[3]) / 2


def guess_kind(corners: np.ndarray) -> Kind:
    """``a4`` or ``card``, by which aspect ratio (in log scale) the quad's is nearest to."""
    w, h = side_lengths(corners)
    ratio = max(w, h) / max(min(w, h), 1e-6)
    return min(_ASPECT, key=lambda k: abs(math.log(ratio / _ASPECT[k])))  # type: ignore[return-value]


def canvas_for(corners: np.ndarray, kind: Kind) -> tuple[int, int]:
    """The (width, height) canvas for ``kind``, landscape when the page is wider than tall."""
    if kind not in CANVASES:
        raise ValueError(f"unknown page kind '{kind}'; expected one of {', '.join(CANVASES)}")
    cw, ch = CANVASES[kind]
    w, h = side_lengths(corners)
    landscape = w > h
    long_side, short_side = max(cw, ch), min(cw, ch)
    return (long_side, short_side) if landscape else (short_side, long_side)


def warp_page(image: np.ndarray, corners: np.ndarray, kind: Kind | None = None) -> tuple[np.ndarray, Kind]:
    """The page cut out of ``image`` and flattened onto its canvas, and the kind used.

    ``corners`` are tl, tr, br, bl in ``image`` pixels (as :func:`~kiosk.devices.camera.detect.detect_page`
    returns them). Raises ValueError for an unknown kind or a degenerate quad.
    """
    q = np.asarray(corners, np.float32).reshape(4, 2)
    if abs(cv2.contourArea(q)) < 16:
        raise ValueError("the page corners enclose no area; detect the page again")
    kind = kind or guess_kind(q)
    w, h = canvas_for(q, kind)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(q, dst)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), kind
