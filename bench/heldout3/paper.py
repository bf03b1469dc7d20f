"""Documents for the third held-out renderer, drawn with OpenCV alone (Hershey glyphs, bars, seals,
chips, guilloche waves), in millimetres at ``ppm`` pixels a millimetre.

Written without looking at the detector or at the other renderers' documents. Each document is a BGR
float32 canvas and an alpha mask (0 outside rounded card corners).
"""

from __future__ import annotations

import cv2
import numpy as np

SIZES_MM = {"id_card": (85.6, 54.0), "bank_card": (85.6, 54.0), "ss_card": (85.6, 54.0),
            "hukou": (103.0, 142.0), "a4": (210.0, 297.0)}
CARD_KINDS = ("id_card", "bank_card", "ss_card")


def _text(img, rng, x, y, width, size, colour) -> None:
    """A line of Hershey 'words' (random letters and digits) no wider than ``width`` px."""
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    scale = size / 22.0
    cx = x
    while cx < x + width:
        word = "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), int(rng.integers(2, 7))))
        (tw, _), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        if cx + tw > x + width:
            break
        cv2.putText(img, word, (int(cx), int(y)), cv2.FONT_HERSHEY_SIMPLEX, scale, colour,
                    max(1, int(size / 12)), cv2.LINE_AA)
        cx += tw + size * 0.6


def _waves(img, rng, colour, count) -> None:
    """Fine guilloche-like wave lines across the face (security print)."""
    h, w = img.shape[:2]
    xs = np.arange(0, w, 2, dtype=np.float32)
    for k in range(count):
        y0, amp, per = rng.uniform(0, h), rng.uniform(3, 0.08 * h), rng.uniform(0.2, 0.6) * w
        ys = y0 + amp * np.sin(xs / per * 2 * np.pi + k)
        pts = np.stack([xs, ys], 1).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(img, [pts], False, colour, 1, cv2.LINE_AA)


def _gradient(h, w, a, b, angle) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx / w * np.cos(angle) + yy / h * np.sin(angle))
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    img = np.float32(a) * (1 - t[..., None]) + np.float32(b) * t[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)  # OpenCV draws text on 8-bit images only


def _card(kind, rng, h, w) -> np.ndarray:
    if kind == "bank_card":
        dark = rng.random() < 0.6
        a = rng.uniform(10, 70, 3) if dark else rng.uniform(120, 230, 3)
        b = a * rng.uniform(0.6, 1.4, 3)
        img = _gradient(h, w, a, np.clip(b, 0, 255), rng.uniform(0, 3))
        chip = (int(0.12 * w), int(0.35 * h))
        cv2.rectangle(img, chip, (chip[0] + int(0.14 * w), chip[1] + int(0.2 * h)), (60, 160, 200), -1)
        ink = (235, 235, 235) if dark else (30, 30, 30)
        _text(img, rng, 0.1 * w, 0.72 * h, 0.8 * w, 0.09 * h, ink)
        _text(img, rng, 0.1 * w, 0.88 * h, 0.45 * w, 0.06 * h, ink)
        cv2.circle(img, (int(0.83 * w), int(0.2 * h)), int(0.09 * h), tuple(rng.uniform(0, 255, 3).tolist()), -1)
        return img
    if kind == "id_card":
        img = _gradient(h, w, (238, 232, 222), (rng.uniform(200, 240), rng.uniform(215, 235), 235), rng.uniform(0, 3))
        _waves(img, rng, (215, 200, 190), 14)
        cv2.rectangle(img, (int(0.64 * w), int(0.14 * h)), (int(0.92 * w), int(0.72 * h)), (185, 190, 200), -1)
        cv2.ellipse(img, (int(0.78 * w), int(0.5 * h)), (int(0.08 * w), int(0.16 * h)), 0, 0, 360, (90, 100, 120), -1)
        for i in range(5):
            _text(img, rng, 0.08 * w, (0.2 + 0.14 * i) * h, 0.5 * w, 0.07 * h, (40, 40, 50))
        _text(img, rng, 0.3 * w, 0.9 * h, 0.6 * w, 0.08 * h, (20, 20, 20))
        return img
    img = _gradient(h, w, (225, 215, 205), (250, 245, 240), rng.uniform(0, 3))  # social security
    cv2.rectangle(img, (0, 0), (w, int(0.2 * h)), (170, 110, 40), -1)
    _text(img, rng, 0.05 * w, 0.14 * h, 0.7 * w, 0.09 * h, (250, 250, 250))
    cv2.rectangle(img, (int(0.06 * w), int(0.3 * h)), (int(0.3 * w), int(0.8 * h)), (150, 150, 160), -1)
    for i in range(4):
        _text(img, rng, 0.36 * w, (0.38 + 0.13 * i) * h, 0.55 * w, 0.07 * h, (40, 40, 40))
    cv2.rectangle(img, (int(0.7 * w), int(0.3 * h)), (int(0.82 * w), int(0.45 * h)), (70, 170, 210), -1)
    return img


def _sheet(kind, rng, h, w) -> np.ndarray:
    if kind == "hukou":
        base = np.float32([rng.uniform(205, 235), rng.uniform(215, 240), rng.uniform(238, 252)])
    else:
        base = np.float32([rng.uniform(228, 252)] * 3) - np.float32([rng.uniform(0, 10), rng.uniform(0, 5), 0])
    img = np.clip(np.ones((h, w, 3), np.float32) * base, 0, 255).astype(np.uint8)
    m = int(0.07 * w)
    ink = (rng.uniform(20, 70),) * 3
    if kind == "hukou" or rng.random() < 0.5:  # a ruled table
        rows = int(rng.integers(8, 16))
        top, bottom = int(0.12 * h), int(0.92 * h)
        for i in range(rows + 1):
            y = top + (bottom - top) * i // rows
            cv2.line(img, (m, y), (w - m, y), (120, 90, 90), 1, cv2.LINE_AA)
        for x in (m, int(0.3 * w), int(0.55 * w), w - m):
            cv2.line(img, (x, top), (x, bottom), (120, 90, 90), 1, cv2.LINE_AA)
        for i in range(rows):
            y = top + (bottom - top) * i // rows + int(0.7 * (bottom - top) / rows)
            _text(img, rng, m + 4, y, 0.22 * w, 0.35 * (bottom - top) / rows, ink)
            _text(img, rng, 0.57 * w, y, 0.3 * w, 0.35 * (bottom - top) / rows, ink)
    else:  # a letter: paragraphs of text lines
        y = int(0.1 * h)
        size = rng.uniform(0.012, 0.02) * h
        while y < 0.9 * h:
            for _ in range(int(rng.integers(3, 9))):
                _text(img, rng, m, y, w - 2 * m - rng.uniform(0, 0.3) * w, size, ink)
                y += int(size * 1.8)
            y += int(size * 2)
    _text(img, rng, m, int(0.06 * h), 0.5 * w, 0.03 * h, (20, 20, 20))
    if rng.random() < 0.6:  # a red seal
        c = (int(w * rng.uniform(0.6, 0.85)), int(h * rng.uniform(0.7, 0.9)))
        cv2.circle(img, c, int(0.09 * w), (40, 40, 200), max(2, w // 150), cv2.LINE_AA)
    return img


def document(kind: str, rng: np.random.Generator, ppm: float) -> tuple[np.ndarray, np.ndarray]:
    """(BGR float32 canvas, float32 alpha) of the document ``kind`` at ``ppm`` px a mm."""
    wmm, hmm = SIZES_MM[kind]
    w, h = int(round(wmm * ppm)), int(round(hmm * ppm))
    img = _card(kind, rng, h, w) if kind in CARD_KINDS else _sheet(kind, rng, h, w)
    alpha = np.ones((h, w), np.float32)
    if kind in CARD_KINDS:
        r = int(round(3.18 * ppm))
        alpha[:] = 0
        cv2.rectangle(alpha, (r, 0), (w - 1 - r, h - 1), 1.0, -1)
        cv2.rectangle(alpha, (0, r), (w - 1, h - 1 - r), 1.0, -1)
        for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
            cv2.circle(alpha, (cx, cy), r, 1.0, -1, cv2.LINE_AA)
    return img.astype(np.float32), alpha
