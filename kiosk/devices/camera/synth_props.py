"""Things the training renderer (:mod:`~kiosk.devices.camera.synth_train`) draws: desks, card faces,
thumbs, glare, and phones and tablets with lit screens (the negatives a page detector confuses).

Everything is float32 BGR 0..255 and drawn from a ``numpy.random.Generator``.
"""

from __future__ import annotations

import cv2
import numpy as np

DESKS = ("light_wood", "white_laminate", "beige_counter", "grey_felt", "dark_wood", "tinted", "speckle", "cloth")
LIGHT_DESKS = ("light_wood", "white_laminate", "beige_counter")


def _smooth(rng: np.random.Generator, h: int, w: int, cell: int) -> np.ndarray:
    small = rng.normal(0, 1, (max(2, h // cell), max(2, w // cell))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def desk(name: str, h: int, w: int, rng: np.random.Generator, tone: np.ndarray | None = None) -> np.ndarray:
    """A desk surface. ``tone`` (BGR) overrides the base colour (a desk matched to a card's brightness)."""
    yy, xx = (a.astype(np.float32) for a in np.ogrid[0:h, 0:w])
    base = {"light_wood": (160, 195, 222), "white_laminate": (214, 216, 218), "beige_counter": (175, 200, 210),
            "grey_felt": (120, 122, 125), "dark_wood": (45, 70, 105), "tinted": (150, 140, 120),
            "speckle": (150, 150, 150), "cloth": (90, 60, 150)}[name]
    col = np.float32(base if tone is None else tone) * np.float32(rng.uniform(0.9, 1.08))
    img = np.empty((h, w, 3), np.float32)
    img[:] = col
    if name in ("light_wood", "dark_wood"):
        ang = rng.uniform(0, np.pi)
        u = xx * np.cos(ang) + yy * np.sin(ang)
        v = -xx * np.sin(ang) + yy * np.cos(ang)
        grain = np.sin(v * rng.uniform(0.05, 0.15) + 4 * np.sin(u * 0.004 + rng.uniform(0, 6))) * rng.uniform(3, 9)
        img += (grain + 3 * _smooth(rng, h, w, 5))[..., None] * np.float32([0.8, 0.95, 1.0])
    elif name == "speckle":
        dots = rng.random((h, w)).astype(np.float32)
        img += ((dots > 0.97) * -50 + (dots < 0.02) * 35 + 4 * _smooth(rng, h, w, 2))[..., None]
    elif name == "cloth":
        img += (np.sin(xx * 1.3) * np.sin(yy * 1.3) * 10 + 6 * _smooth(rng, h, w, 4))[..., None]
    else:
        img += (rng.uniform(2, 6) * _smooth(rng, h, w, int(rng.integers(4, 60))))[..., None]
    return img


def card_face(kind: str, rng: np.random.Generator, w: int, h: int, tone: np.ndarray) -> np.ndarray:
    """A card's face (``w``×``h``) in base colour ``tone``: an ID card's portrait and lines, a bank
    card's chip, number and gradient, a social-security card's band and photo."""
    img = np.empty((h, w, 3), np.float32)
    img[:] = tone
    img += (_smooth(rng, h, w, max(4, w // 8)) * 5)[..., None]
    ink = np.float32(rng.uniform(20, 70, 3))
    if kind == "bank_card":
        shade = np.linspace(rng.uniform(0.8, 1.0), rng.uniform(1.0, 1.2), w, dtype=np.float32)
        img *= shade[None, :, None]
        cv2.rectangle(img, (int(0.1 * w), int(0.35 * h)), (int(0.24 * w), int(0.55 * h)), (90, 170, 200), -1)
        for i in range(4):
            x = int(0.1 * w + i * 0.2 * w)
            cv2.rectangle(img, (x, int(0.68 * h)), (x + int(0.15 * w), int(0.74 * h)), (235, 235, 235), -1)
        cv2.circle(img, (int(0.85 * w), int(0.2 * h)), int(0.08 * h), (60, 60, 200), -1)
    else:
        if kind == "ss_card":
            cv2.rectangle(img, (0, 0), (w, int(0.22 * h)), tuple(float(v) for v in rng.uniform(60, 200, 3)), -1)
        px = int(0.06 * w) if kind == "ss_card" else int(0.66 * w)
        cv2.rectangle(img, (px, int(0.3 * h)), (px + int(0.26 * w), int(0.85 * h)),
                      tuple(float(v) for v in rng.uniform(110, 190, 3)), -1)
        x0 = int(0.38 * w) if kind == "ss_card" else int(0.08 * w)
        for i in range(5):
            y = int(h * (0.32 + i * 0.12))
            cv2.line(img, (x0, y), (x0 + int(w * rng.uniform(0.25, 0.5)), y), tuple(float(v) for v in ink),
                     max(2, h // 45))
    return img


def rounded_alpha(w: int, h: int, radius: float) -> np.ndarray:
    """A ``w``×``h`` float mask, 1 inside a rectangle with corners rounded by ``radius`` px."""
    a = np.zeros((h, w), np.float32)
    r = int(max(0, radius))
    if r == 0:
        a[:] = 1
        return a
    cv2.rectangle(a, (r, 0), (w - 1 - r, h - 1), 1.0, -1)
    cv2.rectangle(a, (0, r), (w - 1, h - 1 - r), 1.0, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (w - 1 - r, h - 1 - r), (r, h - 1 - r)):
        cv2.circle(a, (cx, cy), r, 1.0, -1, cv2.LINE_AA)
    return a


def thumb(img: np.ndarray, at: np.ndarray, inward: np.ndarray, width: float, rng: np.random.Generator) -> None:
    """A thumb (or finger) from outside the document pressing over its edge at ``at``: a skin-toned
    rounded stroke along ``inward`` with a nail, a darker rim and a soft shadow."""
    h, w = img.shape[:2]
    inward = inward / (np.linalg.norm(inward) + 1e-9)
    inward = inward + rng.normal(0, 0.25, 2)
    inward /= np.linalg.norm(inward) + 1e-9
    tip = at + inward * width * rng.uniform(0.3, 1.2)
    root = tip - inward * width * rng.uniform(4, 7)
    r = rng.uniform(150, 235)
    skin = np.float32([r * rng.uniform(0.55, 0.7), r * rng.uniform(0.72, 0.85), r])
    shadow = np.zeros((h, w), np.float32)
    off = rng.normal(0, 0.15, 2) * width
    cv2.line(shadow, tuple(int(v) for v in root + off), tuple(int(v) for v in tip + off), 1.0, int(width * 1.1))
    img *= (1 - 0.35 * cv2.GaussianBlur(shadow, (0, 0), width * 0.3 + 1))[..., None]
    mask = np.zeros((h, w), np.float32)
    cv2.line(mask, tuple(int(v) for v in root), tuple(int(v) for v in tip), 1.0, int(width), cv2.LINE_AA)
    body = np.empty_like(img)
    body[:] = skin
    rim = cv2.GaussianBlur(mask, (0, 0), width * 0.2 + 1)
    body *= (0.75 + 0.25 * rim)[..., None]
    nail = tip - inward * width * 0.45
    cv2.circle(body, tuple(int(v) for v in nail), int(width * 0.28), tuple(float(v) for v in skin * 1.12), -1)
    m = mask[..., None]
    img[:] = img * (1 - m) + body * m


def glare(img: np.ndarray, centre: np.ndarray, radius: float, strength: float, rng: np.random.Generator,
          where: np.ndarray | None = None) -> None:
    """A specular glare spot (an ellipse of light, saturating in its middle), only over ``where``."""
    h, w = img.shape[:2]
    spot = np.zeros((h, w), np.float32)
    axes = (int(radius), int(radius * rng.uniform(0.3, 1.0)))
    cv2.ellipse(spot, (int(centre[0]), int(centre[1])), axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
    spot = cv2.GaussianBlur(spot, (0, 0), radius * 0.35 + 1)
    if where is not None:
        spot *= where
    img += spot[..., None] * strength


def screen_device(img: np.ndarray, rng: np.random.Generator, kind: str) -> None:
    """A phone or tablet lying on the desk with its screen lit: a dark rounded body, a bezel, and an
    emissive screen showing a document, a photo or an app (bright, often saturated)."""
    h, w = img.shape[:2]
    long = float(rng.uniform(0.25, 0.42) * w) if kind == "tablet" else float(rng.uniform(0.16, 0.26) * w)
    ratio = rng.uniform(1.33, 1.6) if kind == "tablet" else rng.uniform(1.9, 2.2)
    bw, bh = int(long), int(long / ratio)
    body_tone = float(rng.uniform(15, 40) if rng.random() < 0.8 else rng.uniform(170, 220))
    body = np.empty((bh, bw, 3), np.float32)
    body[:] = body_tone
    bez = int(bh * rng.uniform(0.04, 0.1))
    sw, sh = bw - 2 * bez, bh - 2 * bez
    what = rng.random()
    if what < 0.45:  # a document or a white app page
        scr = np.full((sh, sw, 3), float(rng.uniform(215, 250)), np.float32)
        for y in range(int(0.1 * sh), int(0.9 * sh), max(6, sh // 18)):
            cv2.line(scr, (int(0.08 * sw), y), (int(sw * rng.uniform(0.4, 0.9)), y), (60, 60, 60), max(1, sh // 80))
    elif what < 0.75:  # a photo or a video
        scr = np.clip(cv2.resize(rng.uniform(0, 255, (4, 6, 3)).astype(np.float32), (sw, sh),
                                 interpolation=cv2.INTER_CUBIC), 0, 255)
    else:  # an app: a coloured bar and tiles
        scr = np.full((sh, sw, 3), float(rng.uniform(200, 245)), np.float32)
        cv2.rectangle(scr, (0, 0), (sw, int(0.12 * sh)), tuple(float(v) for v in rng.uniform(0, 255, 3)), -1)
        for _ in range(6):
            x, y = int(rng.uniform(0, 0.8) * sw), int(rng.uniform(0.15, 0.8) * sh)
            cv2.rectangle(scr, (x, y), (x + sw // 6, y + sh // 6), tuple(float(v) for v in rng.uniform(0, 255, 3)), -1)
    body[bez:bez + sh, bez:bez + sw] = scr * rng.uniform(1.0, 1.25)  # emissive: brighter than the room
    alpha = rounded_alpha(bw, bh, bh * rng.uniform(0.04, 0.12))
    c = rng.uniform([0.3, 0.3], [0.7, 0.7]) * (w, h)
    turn = rng.uniform(0, np.pi)
    rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    src = np.float32([[0, 0], [bw, 0], [bw, bh], [0, bh]])
    dst = ((src - np.float32([bw / 2, bh / 2])) @ rot.T + c).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    wimg = cv2.warpPerspective(body, m, (w, h), flags=cv2.INTER_LINEAR)
    a = cv2.warpPerspective(alpha, m, (w, h), flags=cv2.INTER_LINEAR)[..., None]
    img[:] = img * (1 - a) + wimg * a

