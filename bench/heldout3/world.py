"""Desks, things on them, hands and light for the third held-out renderer.

Desks are drawn flat in millimetres and then seen through the same camera as the document (their
texture converges with perspective). Written without looking at the detector or at the other held-out
renderers.
"""

from __future__ import annotations

import cv2
import numpy as np

DESKS = ("laminate", "granite", "checked_cloth", "newspaper", "felt", "melamine", "beige_counter",
         "black_glass", "bamboo_mat", "grey_carpet")
LIGHT_DESKS = ("melamine", "beige_counter", "granite")


def _noise(rng, h, w, cell) -> np.ndarray:
    """Smooth value noise in 0..1 at ``cell`` px."""
    small = rng.random((max(2, int(h / cell) + 2), max(2, int(w / cell) + 2))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def desk(name: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """The desk ``name`` as BGR float32, ``h``×``w`` px at about 1.5 px a mm."""
    n = _noise(rng, h, w, 60) * 0.6 + _noise(rng, h, w, 9) * 0.4
    if name == "laminate":
        img = np.zeros((h, w, 3), np.float32)
        plank = int(rng.integers(120, 220))
        base = rng.uniform([40, 70, 110], [110, 150, 200])
        for x in range(0, w, plank):
            img[:, x:x + plank] = base * rng.uniform(0.8, 1.15)
            cv2.line(img, (x, 0), (x, h), tuple((base * 0.5).tolist()), 2)
        grain = np.sin(np.arange(w, dtype=np.float32)[None, :] * rng.uniform(0.2, 0.5) + n * 12)
        img *= (0.9 + 0.08 * grain)[..., None]
    elif name == "granite":
        img = np.ones((h, w, 3), np.float32) * rng.uniform(150, 200)
        img *= (0.85 + 0.3 * n)[..., None]
        speck = rng.random((h, w)) < 0.08
        img[speck] *= rng.uniform(0.3, 0.7)
        img = cv2.GaussianBlur(img, (3, 3), 0)
    elif name == "checked_cloth":
        a, b = rng.uniform(60, 230, 3), rng.uniform(200, 250, 3)
        cell = int(rng.integers(25, 60))
        yy, xx = np.mgrid[0:h, 0:w]
        check = ((xx // cell + yy // cell) % 2).astype(np.float32)[..., None]
        img = a * check + b * (1 - check)
    elif name == "newspaper":
        img = np.ones((h, w, 3), np.float32) * rng.uniform(200, 225)
        for _ in range(400):
            x, y = int(rng.uniform(0, w)), int(rng.uniform(0, h))
            cv2.rectangle(img, (x, y), (x + int(rng.uniform(20, 90)), y + 3), (70, 70, 70), -1)
        img = cv2.GaussianBlur(img, (3, 3), 0)
    elif name == "felt":
        img = np.ones((h, w, 3), np.float32) * rng.uniform([30, 80, 20], [70, 130, 60]) * (0.9 + 0.2 * n)[..., None]
    elif name == "melamine":
        img = np.ones((h, w, 3), np.float32) * rng.uniform(225, 245) * (0.97 + 0.04 * n)[..., None]
    elif name == "beige_counter":
        img = np.ones((h, w, 3), np.float32) * rng.uniform([175, 200, 215], [200, 220, 235])
        img *= (0.94 + 0.1 * n)[..., None]
    elif name == "black_glass":
        img = np.ones((h, w, 3), np.float32) * rng.uniform(10, 30) + 40 * _noise(rng, h, w, 300)[..., None]
    elif name == "bamboo_mat":
        img = np.ones((h, w, 3), np.float32) * rng.uniform([90, 150, 180], [120, 180, 210])
        slat = int(rng.integers(12, 25))
        for y in range(0, h, slat):
            cv2.line(img, (0, y), (w, y), (60, 100, 130), 2)
        img *= (0.9 + 0.15 * n)[..., None]
    else:  # grey carpet
        img = np.ones((h, w, 3), np.float32) * rng.uniform(80, 140)
        img *= (0.7 + 0.5 * rng.random((h, w)).astype(np.float32))[..., None]
        img = cv2.GaussianBlur(img, (3, 3), 0) * (0.9 + 0.2 * n)[..., None]
    return np.clip(img, 0, 255).astype(np.float32)


def desk_things(img: np.ndarray, rng: np.random.Generator, count: int, ppm: float, avoid=None) -> list[str]:
    """Things lying on the desk, drawn on the flat desk canvas (``ppm`` px a mm): a phone, a wallet, a
    keyboard's corner, coins, a pen, a sticky note, a mouse."""
    h, w = img.shape[:2]
    names = []
    for _ in range(count):
        what = str(rng.choice(["phone", "wallet", "keyboard", "coins", "pen", "sticky", "mouse"]))
        names.append(what)
        c = np.array([rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h])
        if avoid is not None and np.linalg.norm(c - avoid[0]) < avoid[1]:
            c = avoid[0] + (c - avoid[0]) / (np.linalg.norm(c - avoid[0]) + 1e-6) * avoid[1] * rng.uniform(1.0, 1.3)
        ang = float(rng.uniform(0, 180))
        if what in ("phone", "wallet", "keyboard"):
            size = {"phone": (72, 150), "wallet": (95, 115), "keyboard": (440, 140)}[what]
            box = cv2.boxPoints(((float(c[0]), float(c[1])), (size[0] * ppm, size[1] * ppm), ang))
            tone = (20, 20, 25) if what == "phone" else tuple(rng.uniform(20, 120, 3).tolist())
            cv2.fillConvexPoly(img, box.astype(np.int32), tone, cv2.LINE_AA)
            if what == "keyboard":
                for _k in range(40):
                    kc = c + rng.uniform(-0.4, 0.4, 2) * np.array(size) * ppm
                    cv2.rectangle(img, tuple(int(v) for v in kc), tuple(int(v + 14 * ppm) for v in kc), (50, 50, 55), -1)
        elif what == "coins":
            for _ in range(int(rng.integers(1, 5))):
                p = c + rng.normal(0, 20 * ppm, 2)
                cv2.circle(img, tuple(int(v) for v in p), int(11 * ppm), (120, 170, 190), -1, cv2.LINE_AA)
        elif what == "pen":
            d = np.array([np.cos(np.radians(ang)), np.sin(np.radians(ang))]) * 70 * ppm
            cv2.line(img, tuple(int(v) for v in c - d), tuple(int(v) for v in c + d),
                     tuple(rng.uniform(0, 200, 3).tolist()), int(8 * ppm), cv2.LINE_AA)
        elif what == "sticky":  # a small square note: 76 mm, bright yellow
            box = cv2.boxPoints(((float(c[0]), float(c[1])), (76 * ppm, 76 * ppm), ang))
            cv2.fillConvexPoly(img, box.astype(np.int32), (90, 235, 250), cv2.LINE_AA)
        else:
            cv2.ellipse(img, (int(c[0]), int(c[1])), (int(30 * ppm), int(55 * ppm)), ang, 0, 360, (200, 200, 205), -1)
    return names


def thumb(img: np.ndarray, rng: np.random.Generator, tip: np.ndarray, direction: np.ndarray, px_mm: float) -> None:
    """A thumb or finger (in the image, above the desk) ending at ``tip``, coming from ``direction``."""
    skin = np.array(rng.choice([(120, 150, 205), (95, 130, 185), (140, 170, 220), (70, 100, 150)]), np.float32)
    d = direction / (np.linalg.norm(direction) + 1e-9)
    width = rng.uniform(14, 20) * px_mm
    base = tip + d * rng.uniform(60, 110) * px_mm
    mask = np.zeros(img.shape[:2], np.float32)
    cv2.line(mask, tuple(int(v) for v in tip + d * width / 2), tuple(int(v) for v in base), 1.0, int(width), cv2.LINE_AA)
    cv2.circle(mask, tuple(int(v) for v in tip + d * width / 2), int(width / 2), 1.0, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.0)
    shade = 0.8 + 0.25 * _noise(rng, *img.shape[:2], 80)
    img[:] = img * (1 - mask[..., None]) + (skin * shade[..., None]) * mask[..., None]


def light(img: np.ndarray, rng: np.random.Generator) -> list[str]:
    """White balance, a window gradient, a lamp's hotspot and sometimes a hard cast shadow."""
    h, w = img.shape[:2]
    tags = []
    img *= rng.uniform([0.8, 0.92, 0.85], [1.05, 1.0, 1.15])  # colour temperature
    yy, xx = np.ogrid[0:h, 0:w]
    yy, xx = yy.astype(np.float32), xx.astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    t = ((xx / w - 0.5) * np.cos(ang) + (yy / h - 0.5) * np.sin(ang))
    img *= (1 + rng.uniform(0, 0.5) * t)[..., None]
    if rng.random() < 0.4:
        c = rng.uniform([0, 0], [w, h])
        spot = np.exp(-(((xx - c[0]) ** 2 + (yy - c[1]) ** 2) / (2 * (rng.uniform(0.15, 0.4) * w) ** 2)))
        img *= (1 + rng.uniform(0.1, 0.4) * spot)[..., None]
        tags.append("lamp")
    if rng.random() < 0.3:  # the edge of an arm's or a head's shadow across the frame
        p = rng.uniform([0.2 * w, 0.2 * h], [0.8 * w, 0.8 * h])
        a = rng.uniform(0, np.pi)
        side = (xx - p[0]) * np.sin(a) - (yy - p[1]) * np.cos(a)
        soft = rng.uniform(4, 40)
        img *= (1 - rng.uniform(0.25, 0.5) * (1 / (1 + np.exp(-side / soft))))[..., None]
        tags.append("cast_shadow")
    return tags
