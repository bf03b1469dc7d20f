"""Desk surfaces of the second held-out renderer, from octave value noise (random lattices enlarged by
bicubic resizing) and procedural patterns: birch and oak grain, tiled laminate with grout lines, a green
cutting mat with its grid, woven fabric, cork, speckled stone, a leather pad whose stitched border
crosses the frame, a plain white desk with smudges, and dark smoked glass.

BGR float32, 0..255. Written without looking at the detector or at the other renderers' code.
"""

from __future__ import annotations

import cv2
import numpy as np

SURFACES = ("birch", "oak", "tiles", "cutting_mat", "fabric", "cork", "stone", "leather_pad", "white_desk",
            "smoked_glass")
LIGHT = ("birch", "white_desk", "tiles")


def octaves(rng: np.random.Generator, h: int, w: int, cell: float, n: int = 4, gain: float = 0.5,
            aspect: float = 1.0) -> np.ndarray:
    """Zero-mean noise of about unit std: ``n`` octaves, the coarsest with lattice spacing ``cell`` px;
    ``aspect`` > 1 stretches the lattice along x (grain)."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for i in range(n):
        cy = max(2, int(h / (cell / 2 ** i)) + 2)
        cx = max(2, int(w / (cell * aspect / 2 ** i)) + 2)
        lattice = rng.standard_normal((cy, cx)).astype(np.float32)
        out += amp * cv2.resize(lattice, (w, h), interpolation=cv2.INTER_CUBIC)
        total += amp * amp
        amp *= gain
    return out / np.sqrt(total)


def _grid(h: int, w: int, angle: float) -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    c, s = np.cos(angle), np.sin(angle)
    return x * c + y * s, -x * s + y * c


def _tint(gray: np.ndarray, bgr) -> np.ndarray:
    return gray[..., None] * np.asarray(bgr, np.float32)[None, None, :]


def _wood(rng, h, w, base, dark):
    u, v = _grid(h, w, rng.uniform(0, np.pi))
    warp = octaves(rng, h, w, 300, 3) * rng.uniform(6, 14)
    period = rng.uniform(9, 22)
    rings = 0.5 + 0.5 * np.sin(2 * np.pi * (v + warp + 0.002 * u) / period)
    fibres = octaves(rng, h, w, 40, 3, aspect=12) * 0.5 + octaves(rng, h, w, 6, 2, aspect=20) * 0.3
    t = np.clip(rings ** 3 * 0.7 + fibres * 0.25, -0.5, 1.5)
    base, dark = np.float32(base), np.float32(dark)
    img = base[None, None, :] * (1 - t[..., None]) + dark[None, None, :] * t[..., None]
    # planks: a seam every 90–180 mm
    seam = rng.uniform(150, 320)
    img *= (1 - 0.12 * (np.abs(((v + 0.5 * seam) % seam) - 0.5 * seam) < 1.2))[..., None]
    return img


def _tiles(rng, h, w):
    u, v = _grid(h, w, rng.uniform(-0.3, 0.3))
    size = rng.uniform(120, 260)
    grout = (np.minimum(u % size, v % size) < rng.uniform(2, 4)).astype(np.float32)
    tone = rng.uniform(205, 235)
    body = tone + 6 * octaves(rng, h, w, 60, 3)
    img = _tint(body / 255, (rng.uniform(235, 255), rng.uniform(238, 255), 255))
    img *= (1 - grout * rng.uniform(0.15, 0.35))[..., None]
    return img


def _cutting_mat(rng, h, w):
    u, v = _grid(h, w, rng.uniform(-0.2, 0.2))
    step = rng.uniform(18, 30)
    line = ((u % step < 1.3) | (v % step < 1.3)).astype(np.float32)
    major = ((u % (step * 5) < 2.2) | (v % (step * 5) < 2.2)).astype(np.float32)
    base = np.float32([rng.uniform(60, 90), rng.uniform(110, 150), rng.uniform(40, 70)])
    img = base[None, None, :] * (1 + 0.05 * octaves(rng, h, w, 50, 3))[..., None]
    lines = np.maximum(line * 0.5, major)[..., None]
    return img * (1 - lines) + np.float32([200, 220, 200])[None, None, :] * lines


def _fabric(rng, h, w):
    u, v = _grid(h, w, rng.uniform(0, np.pi))
    pitch = rng.uniform(3, 6)
    weave = np.sin(2 * np.pi * u / pitch) * np.sin(2 * np.pi * v / pitch)
    colour = [(120, 60, 40), (60, 90, 50), (90, 90, 95), (40, 40, 110), (150, 140, 130)][rng.integers(5)]
    g = 1 + 0.12 * weave + 0.1 * octaves(rng, h, w, 120, 3) + 0.06 * octaves(rng, h, w, 4, 1)
    return _tint(g, colour)


def _cork(rng, h, w):
    blot = octaves(rng, h, w, 8, 2) + 0.6 * octaves(rng, h, w, 3, 1)
    t = np.clip(0.5 + 0.35 * blot, 0, 1)
    return _tint(np.ones((h, w), np.float32), (70, 120, 170)) * (0.65 + 0.5 * t)[..., None]


def _stone(rng, h, w):
    base = rng.uniform(90, 190)
    img = np.full((h, w, 3), base, np.float32) * (1 + 0.08 * octaves(rng, h, w, 200, 3))[..., None]
    for _ in range(3):
        spots = (rng.random((h, w)) < rng.uniform(0.01, 0.05)).astype(np.float32)
        spots = cv2.GaussianBlur(spots, (0, 0), rng.uniform(0.6, 1.5)) * 4
        img += spots[..., None] * np.float32(rng.uniform(-120, 90, 3))[None, None, :]
    return img


def _leather(rng, h, w):
    colour = [(30, 35, 30), (25, 50, 30), (40, 30, 60), (70, 70, 70)][rng.integers(4)]
    g = 1 + 0.1 * octaves(rng, h, w, 5, 2) + 0.05 * octaves(rng, h, w, 150, 2)
    img = _tint(g, colour)
    # the pad's edge: a straight border with stitching, across the frame; beyond it a wooden desk
    u, v = _grid(h, w, rng.uniform(0, 2 * np.pi))
    edge = rng.uniform(0.1, 0.3) * max(h, w) + v.min()
    outside = v < edge
    wood = _wood(rng, h, w, (150, 170, 190), (90, 110, 140))
    img[outside] = wood[outside]
    stitch = (np.abs(v - edge - 12) < 1.2) & ((u % 9) < 5)
    img[stitch] = (160, 160, 160)
    return img


def _white(rng, h, w):
    tone = rng.uniform(222, 245)
    g = tone + 3 * octaves(rng, h, w, 300, 2) + 1.5 * octaves(rng, h, w, 10, 1)
    smudge = np.clip(octaves(rng, h, w, 90, 2) - 1.2, 0, None) * 10
    return _tint((g - smudge) / 255, (rng.uniform(240, 255), rng.uniform(245, 255), 255))


def _glass(rng, h, w):
    g = 25 + 10 * octaves(rng, h, w, 400, 2)
    u, _ = _grid(h, w, rng.uniform(0, np.pi))
    streak = np.exp(-((u - rng.uniform(0, w)) / rng.uniform(40, 150)) ** 2) * rng.uniform(20, 60)
    return _tint((g + streak) / 255, (255, 245, 235))


_MAKERS = {
    "birch": lambda rng, h, w: _wood(rng, h, w, (170, 205, 225), (140, 180, 205)),
    "oak": lambda rng, h, w: _wood(rng, h, w, (70, 110, 160), (35, 60, 95)),
    "tiles": _tiles, "cutting_mat": _cutting_mat, "fabric": _fabric, "cork": _cork, "stone": _stone,
    "leather_pad": _leather, "white_desk": _white, "smoked_glass": _glass,
}


def surface(name: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """The named desk surface, BGR float32 ``h``×``w``."""
    if name not in _MAKERS:
        raise ValueError(name)
    return np.clip(_MAKERS[name](rng, h, w), 0, 255).astype(np.float32)
