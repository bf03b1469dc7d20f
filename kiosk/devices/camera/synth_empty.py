"""Synthetic page-less camera frames: a textured desk, a face, desk things, a gradient, clutter, a dark
room, stripes, a dark tablet or keyboard. No document in any of them: a detector must find none.

Split from :mod:`~kiosk.devices.camera.synth` (the page frames); drawn from a seed, so a seed gives
the same frame every time.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.devices.camera.backdrops import background, texture
from kiosk.devices.camera.synth import Scene, finish

NO_PAGE_KINDS = ("texture", "face", "desk", "gradient", "clutter", "dark_room", "stripes", "dark_object")


def no_page(kind: str, seed: int, width: int = 1280, height: int = 720) -> np.ndarray:
    """A frame with no document in it (BGR uint8)."""
    rng = np.random.default_rng(seed)
    h, w = height, width
    if kind == "texture":
        img = background(str(rng.choice(["wood", "grey_texture", "fabric"])), h, w, rng)
    elif kind == "face":
        img = background("dark", h, w, rng) + 40
        c = (int(w * rng.uniform(0.35, 0.65)), int(h * rng.uniform(0.4, 0.6)))
        cv2.ellipse(img, c, (int(h * 0.2), int(h * 0.27)), 0, 0, 360, (120, 150, 205), -1)
        cv2.ellipse(img, (c[0], c[1] - int(h * 0.2)), (int(h * 0.22), int(h * 0.12)), 0, 180, 360, (30, 30, 35), -1)
        for dx in (-1, 1):
            cv2.circle(img, (c[0] + dx * int(h * 0.08), c[1] - int(h * 0.04)), int(h * 0.02), (40, 40, 40), -1)
        cv2.ellipse(img, (c[0], c[1] + int(h * 0.12)), (int(h * 0.06), int(h * 0.02)), 0, 0, 180, (60, 60, 140), 3)
        cv2.rectangle(img, (c[0] - int(h * 0.35), c[1] + int(h * 0.3)), (c[0] + int(h * 0.35), h), (90, 60, 50), -1)
    elif kind == "desk":
        img = background(str(rng.choice(["dark", "wood", "light", "green_mat"])), h, w, rng)
        for _ in range(int(rng.integers(1, 4))):  # a pen, a phone, a cup
            x, y = int(rng.uniform(0.1, 0.9) * w), int(rng.uniform(0.1, 0.9) * h)
            if rng.random() < 0.5:
                cv2.circle(img, (x, y), int(rng.uniform(0.05, 0.12) * h), tuple(rng.uniform(60, 230, 3).tolist()), -1)
            else:
                cv2.line(img, (x, y), (x + int(rng.uniform(-200, 200)), y + int(rng.uniform(-60, 60))),
                         tuple(rng.uniform(20, 200, 3).tolist()), int(rng.integers(6, 14)))
    elif kind == "gradient":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a, b = rng.uniform(10, 120), rng.uniform(130, 250)
        t = (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1)) / (w + h) + 0.5
        img = np.repeat((a + (b - a) * np.clip(t, 0, 1))[..., None], 3, axis=2)
    elif kind == "clutter":
        img = background("grey_texture", h, w, rng)
        for _ in range(int(rng.integers(10, 30))):  # many small shapes, none page-sized
            x, y = int(rng.uniform(0, w)), int(rng.uniform(0, h))
            sz = int(rng.uniform(10, 0.12 * h))
            cv2.rectangle(img, (x, y), (x + sz, y + int(sz * rng.uniform(0.5, 1.5))),
                          tuple(rng.uniform(0, 255, 3).tolist()), -1)
    elif kind == "dark_object":  # a tablet, a keyboard or a closed dark booklet: a quad, but not paper
        img = background(str(rng.choice(["wood", "light", "grey_texture"])), h, w, rng)
        c = (float(w * rng.uniform(0.4, 0.6)), float(h * rng.uniform(0.4, 0.6)))
        size = (float(w * rng.uniform(0.45, 0.6)), float(h * rng.uniform(0.5, 0.8)))
        box = cv2.boxPoints((c, size, float(rng.uniform(-20, 20))))
        tone = tuple(float(v) for v in rng.uniform(15, 70, 3))
        cv2.fillConvexPoly(img, box.astype(np.int32), tone)
    elif kind == "dark_room":
        img = np.ones((h, w, 3), np.float32) * rng.uniform(5, 25) + texture(rng, h, w, 60, 5)[..., None]
    else:  # stripes: blinds or a striped cloth
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period = rng.uniform(20, 80)
        img = np.repeat(((np.sin((xx + yy * rng.uniform(-0.5, 0.5)) / period * 6.28) > 0) * 120 + 60)[..., None], 3, 2)
    s = Scene(width=w, height=h, noise=float(rng.uniform(1, 6)), gradient=float(rng.uniform(0, 0.4)),
              blur=float(rng.uniform(0, 1.5)), seed=seed)
    img = np.asarray(img, np.float32)
    finish(img, s, rng)
    return np.clip(img, 0, 255).astype(np.uint8)
