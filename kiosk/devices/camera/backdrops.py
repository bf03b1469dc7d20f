"""Desk surfaces for the synthetic camera frames (:mod:`kiosk.devices.camera.synth`).

Each backdrop is float32 BGR (0..255), drawn from a ``numpy.random.Generator`` so a seed repeats it.
"""

from __future__ import annotations

import cv2
import numpy as np

BACKGROUNDS = ("dark", "wood", "grey_texture", "light", "fabric", "green_mat", "gradient")
HALL_BACKGROUNDS = (*BACKGROUNDS, "light_wood", "white_desk")  # the low-contrast desks of a service hall


def texture(rng: np.random.Generator, h: int, w: int, scale: int, amp: float) -> np.ndarray:
    """Smooth noise: normal values on a grid ``scale`` px apart, upscaled, times ``amp``."""
    small = rng.normal(0, 1, (max(2, h // scale), max(2, w // scale))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC) * amp


def background(name: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A desk surface as float32 BGR (0..255)."""
    yy, xx = (a.astype(np.float32) for a in np.ogrid[0:h, 0:w])
    if name == "dark":
        base = np.float32([40, 38, 36]) + np.float32(rng.uniform(-15, 25))
        img = np.empty((h, w, 3), np.float32)
        img[:] = base
        img += texture(rng, h, w, 40, 6)[..., None]
    elif name == "wood":
        freq = rng.uniform(0.02, 0.05)
        grain = np.sin(yy * freq + 3 * np.sin(xx * 0.004 + rng.uniform(0, 6))) * 18
        grain += texture(rng, h, w, 8, 8)
        base = np.float32([55, 95, 140]) * np.float32(rng.uniform(0.8, 1.1))
        img = base + grain[..., None]
    elif name == "grey_texture":
        tone = rng.uniform(110, 150)
        img = np.full((h, w, 3), tone, np.float32) + (texture(rng, h, w, 3, 14) + texture(rng, h, w, 25, 8))[..., None]
    elif name == "light":  # low contrast: light grey desk under a white page
        tone = rng.uniform(160, 200)
        img = np.full((h, w, 3), tone, np.float32) + texture(rng, h, w, 30, 4)[..., None]
    elif name == "light_wood":  # pale beech: a light card on it differs by a few grey levels and some colour
        grain = np.sin(yy * rng.uniform(0.03, 0.08) + 2 * np.sin(xx * 0.003 + rng.uniform(0, 6))) * 5
        grain += texture(rng, h, w, 6, 4)
        base = np.float32([150, 185, 215]) * np.float32(rng.uniform(0.9, 1.08))
        img = base + grain[..., None]
    elif name == "white_desk":  # white laminate under white paper
        img = np.full((h, w, 3), rng.uniform(185, 225), np.float32) + texture(rng, h, w, 40, 3)[..., None]
    elif name == "fabric":
        weave = (np.sin(xx * 0.9) * np.sin(yy * 0.9)) * 15 + texture(rng, h, w, 5, 10)
        base = np.float32([120, 70, 60]) * np.float32(rng.uniform(0.7, 1.2))
        img = base + weave[..., None]
    elif name == "green_mat":
        base = np.float32([70, 130, 60]) * np.float32(rng.uniform(0.8, 1.15))
        img = np.empty((h, w, 3), np.float32)
        img[:] = base
        img += texture(rng, h, w, 50, 6)[..., None]
        for x in range(0, w, 48):  # cutting-mat grid lines
            cv2.line(img, (x, 0), (x, h), (110, 170, 110), 1)
        for y in range(0, h, 48):
            cv2.line(img, (0, y), (w, y), (110, 170, 110), 1)
    else:  # gradient
        a, b = np.float32(rng.uniform(30, 90)), np.float32(rng.uniform(90, 150))
        img = np.empty((h, w, 3), np.float32)
        img[:] = (a + (b - a) * xx / w)[..., None]
    return img.astype(np.float32)
