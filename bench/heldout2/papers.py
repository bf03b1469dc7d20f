"""Documents of the second held-out renderer, drawn flat with OpenCV: the front and back of a resident ID
card, bank cards, social-security cards, a 户口簿 page, A4 forms and A5 receipts.

Glyphs are made of random strokes (no font files), digits come from OpenCV's Hershey fonts. Each
document is BGR float32 with an alpha mask (cards have rounded corners), drawn at ``ppm`` pixels a mm.
Written without looking at the detector or at the other renderers' code.
"""

from __future__ import annotations

import cv2
import numpy as np

SIZES_MM = {"id_card": (85.6, 54.0), "bank_card": (85.6, 54.0), "ss_card": (85.6, 54.0),
            "hukou": (143.0, 105.0), "a4": (210.0, 297.0), "a5": (148.0, 210.0)}
CARD_KINDS = ("id_card", "bank_card", "ss_card")
LIGHT_KINDS = ("id_card", "ss_card", "a4", "a5", "hukou")


def _glyph_line(img, rng, x, y, size, count, colour, gap=0.25) -> None:
    """``count`` stroke glyphs of ``size`` px, left edge ``x``, baseline ``y``."""
    t = max(1, int(round(size / 9)))
    for i in range(count):
        gx = int(x + i * size * (1 + gap))
        if gx + size >= img.shape[1]:
            break
        for _ in range(int(rng.integers(2, 6))):
            if rng.random() < 0.5:
                a = (gx + int(rng.integers(0, size)), y - size + int(rng.integers(0, size // 3 + 1)))
                b = (a[0] + int(rng.integers(-size // 4, size // 4 + 1)), y - int(rng.integers(0, size // 3 + 1)))
            else:
                yy = y - int(rng.integers(0, size))
                a = (gx + int(rng.integers(0, size // 3 + 1)), yy)
                b = (gx + size - int(rng.integers(0, size // 3 + 1)), yy + int(rng.integers(-2, 3)))
            cv2.line(img, a, b, colour, t, cv2.LINE_AA)


def _digits(img, rng, x, y, height, n, colour) -> None:
    text = "".join(str(d) for d in rng.integers(0, 10, n))
    scale = height / 22.0
    mask = np.zeros(img.shape[:2], np.uint8)  # putText draws on 8-bit images only
    cv2.putText(mask, text, (int(x), int(y)), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, max(1, int(scale * 2)),
                cv2.LINE_AA)
    m = (mask.astype(np.float32) / 255)[..., None]
    img[:] = img * (1 - m) + np.float32(colour)[None, None, :] * m


def _wash(rng, h, w, a, b) -> np.ndarray:
    """A two-colour diagonal wash with a fine wave pattern (security print)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (x / w * rng.uniform(0.3, 1) + y / h * rng.uniform(0, 0.7))
    t = np.clip(t / max(t.max(), 1e-3), 0, 1)
    img = np.float32(a)[None, None, :] * (1 - t[..., None]) + np.float32(b)[None, None, :] * t[..., None]
    f = rng.uniform(0.05, 0.12)
    wave = np.sin(f * x + 3 * np.sin(f * 0.37 * y)) * np.sin(f * 0.8 * y)
    return img * (1 + rng.uniform(0.01, 0.04) * wave[..., None])


def _portrait(img, rng, box) -> None:
    x0, y0, x1, y1 = box
    img[y0:y1, x0:x1] = np.float32(rng.uniform(190, 245, 3))
    cx, w = (x0 + x1) // 2, x1 - x0
    skin = tuple(float(c) for c in (rng.uniform(120, 170), rng.uniform(150, 190), rng.uniform(190, 225)))
    cv2.ellipse(img, (cx, y1), (int(w * 0.45), int((y1 - y0) * 0.3)), 0, 180, 360, tuple(
        float(c) for c in rng.uniform(20, 90, 3)), -1)
    cv2.ellipse(img, (cx, y0 + int((y1 - y0) * 0.42)), (int(w * 0.25), int((y1 - y0) * 0.28)), 0, 0, 360, skin, -1)
    cv2.ellipse(img, (cx, y0 + int((y1 - y0) * 0.26)), (int(w * 0.27), int((y1 - y0) * 0.15)), 0, 180, 360,
                (25, 25, 30), -1)


def _id_card(rng, h, w):
    back = rng.random() < 0.4
    img = _wash(rng, h, w, (rng.uniform(225, 245), rng.uniform(225, 240), rng.uniform(215, 240)),
                (rng.uniform(215, 240), rng.uniform(200, 230), rng.uniform(225, 250)))
    ink = (40, 40, 50)
    if back:
        cv2.circle(img, (int(w * 0.16), int(h * 0.3)), int(h * 0.16), (30, 30, 200), -1)
        cv2.circle(img, (int(w * 0.16), int(h * 0.3)), int(h * 0.09), (40, 200, 230), 2)
        _glyph_line(img, rng, w * 0.33, int(h * 0.32), int(h * 0.1), 9, ink, 0.3)
        _glyph_line(img, rng, w * 0.4, int(h * 0.5), int(h * 0.08), 6, ink, 0.4)
        for k in range(2):
            _glyph_line(img, rng, w * 0.22, int(h * (0.72 + 0.12 * k)), int(h * 0.05), 6, ink)
            _digits(img, rng, w * 0.52, int(h * (0.72 + 0.12 * k)), h * 0.06, 8, ink)
    else:
        _portrait(img, rng, (int(w * 0.64), int(h * 0.12), int(w * 0.92), int(h * 0.7)))
        for k in range(4):
            _glyph_line(img, rng, w * 0.06, int(h * (0.18 + 0.14 * k)), int(h * 0.05), 2, (130, 110, 60))
            _glyph_line(img, rng, w * 0.18, int(h * (0.18 + 0.14 * k)), int(h * 0.055), int(rng.integers(2, 8)), ink)
        _digits(img, rng, w * 0.3, int(h * 0.86), h * 0.07, 18, ink)
    return img


def _bank_card(rng, h, w):
    dark = rng.random() < 0.5
    lo, hi = (20, 90) if dark else (120, 230)
    img = _wash(rng, h, w, rng.uniform(lo, hi, 3), rng.uniform(lo, hi, 3))
    cv2.rectangle(img, (int(w * 0.1), int(h * 0.35)), (int(w * 0.22), int(h * 0.55)), (80, 170, 200), -1)
    for k in range(3):
        y = int(h * (0.38 + 0.06 * k))
        cv2.line(img, (int(w * 0.1), y), (int(w * 0.22), y), (50, 120, 150), 1)
    ink = (235, 235, 235) if dark else (30, 30, 30)
    _digits(img, rng, w * 0.08, int(h * 0.75), h * 0.1, 16, ink)
    _glyph_line(img, rng, w * 0.08, int(h * 0.2), int(h * 0.1), 4, ink)
    cv2.circle(img, (int(w * 0.85), int(h * 0.82)), int(h * 0.09), (0, 0, 220), -1)
    cv2.circle(img, (int(w * 0.9), int(h * 0.82)), int(h * 0.09), (0, 160, 250), -1)
    return img


def _ss_card(rng, h, w):
    img = np.full((h, w, 3), rng.uniform(225, 250), np.float32)
    band = (rng.uniform(120, 200), rng.uniform(60, 120), rng.uniform(20, 60)) if rng.random() < 0.5 else \
        (40, 40, rng.uniform(160, 220))
    img[: int(h * 0.22)] = np.float32(band)
    _glyph_line(img, rng, w * 0.2, int(h * 0.16), int(h * 0.1), 7, (250, 250, 250))
    _portrait(img, rng, (int(w * 0.06), int(h * 0.32), int(w * 0.3), int(h * 0.85)))
    for k in range(3):
        _glyph_line(img, rng, w * 0.38, int(h * (0.42 + 0.15 * k)), int(h * 0.06), int(rng.integers(3, 9)),
                    (40, 40, 40))
    cv2.rectangle(img, (int(w * 0.78), int(h * 0.35)), (int(w * 0.9), int(h * 0.55)), (60, 170, 210), -1)
    return img


def _form(rng, h, w, tint, grid: bool):
    img = np.full((h, w, 3), 1.0, np.float32) * np.float32(tint)[None, None, :]
    ink = (35, 35, 35) if rng.random() < 0.7 else (110, 60, 30)
    m = int(w * rng.uniform(0.06, 0.12))
    size = max(6, int(w * rng.uniform(0.018, 0.03)))
    _glyph_line(img, rng, w * 0.3, m + size * 2, int(size * 1.6), int(rng.integers(5, 10)), ink)
    y = m + size * 4
    if grid:
        rows = int(rng.integers(5, 12))
        x_split = int(w * rng.uniform(0.25, 0.4))
        cell = (h - y - m) / rows
        for r in range(rows + 1):
            yy = int(y + r * cell)
            cv2.line(img, (m, yy), (w - m, yy), ink, 1, cv2.LINE_AA)
            if r < rows:
                _glyph_line(img, rng, m + size // 2, int(yy + cell * 0.65), size, int(rng.integers(2, 5)), ink)
                _glyph_line(img, rng, x_split + size // 2, int(yy + cell * 0.65), size,
                            int(rng.integers(2, 12)), (60, 50, 140) if rng.random() < 0.5 else ink)
        for x in (m, x_split, w - m):
            cv2.line(img, (x, y), (x, int(y + rows * cell)), ink, 1, cv2.LINE_AA)
    else:
        while y < h - m - size:
            if rng.random() < 0.85:
                n = int((w - 2 * m) / (size * 1.25) * rng.uniform(0.3, 1))
                _glyph_line(img, rng, m, y, size, n, ink)
            y += int(size * rng.uniform(1.6, 2.4))
    if rng.random() < 0.6:  # a red seal
        c = (int(w * rng.uniform(0.55, 0.8)), int(h * rng.uniform(0.6, 0.9)))
        r = int(w * rng.uniform(0.08, 0.12))
        cv2.circle(img, c, r, (50, 40, 210), max(2, r // 12), cv2.LINE_AA)
        cv2.drawMarker(img, c, (50, 40, 210), cv2.MARKER_STAR, r // 2, max(2, r // 15))
    return img


_CARD_MAKERS = {"id_card": _id_card, "bank_card": _bank_card, "ss_card": _ss_card}


def document(kind: str, rng: np.random.Generator, ppm: float) -> tuple[np.ndarray, np.ndarray]:
    """The document ``kind`` flat: (BGR float32 image, float32 alpha 0..1), ``ppm`` px a mm."""
    wmm, hmm = SIZES_MM[kind]
    w, h = int(round(wmm * ppm)), int(round(hmm * ppm))
    if kind in _CARD_MAKERS:
        img = _CARD_MAKERS[kind](rng, h, w)
    elif kind == "hukou":
        img = _form(rng, h, w, (rng.uniform(215, 235), rng.uniform(220, 240), rng.uniform(235, 250)), True)
    else:
        paper = rng.uniform(232, 252)
        img = _form(rng, h, w, (paper - rng.uniform(0, 8), paper - rng.uniform(0, 4), paper), rng.random() < 0.5)
    alpha = np.ones((h, w), np.float32)
    if kind in CARD_KINDS:
        r = int(round(3.2 * ppm))
        alpha[:] = 0
        cv2.rectangle(alpha, (r, 0), (w - 1 - r, h - 1), 1.0, -1)
        cv2.rectangle(alpha, (0, r), (w - 1, h - 1 - r), 1.0, -1)
        for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
            cv2.circle(alpha, (cx, cy), r, 1.0, -1, cv2.LINE_AA)
        # a laminated card's rim is slightly brighter or darker than its face
        rim = cv2.erode(alpha, np.ones((3, 3), np.uint8), iterations=max(1, int(ppm * 0.3)))
        img *= (1 + rng.uniform(-0.08, 0.06) * (alpha - rim))[..., None]
    return np.clip(img, 0, 255).astype(np.float32), alpha
