"""Synthetic camera frames with ground truth: a page (A4 or ID card) on a desk (page-less frames are in
:mod:`~kiosk.devices.camera.synth_empty`).

Used by the tests, the benchmark and the simulated camera. Every frame is BGR ``uint8``; a page frame
comes with the page's true corners in frame pixels, clockwise from the page's own top-left corner.
Everything is drawn from a ``numpy.random.Generator`` so a seed gives the same frame every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from kiosk.devices.camera.backdrops import BACKGROUNDS, background

TINTS = ((0.8, 0.96, 1.0), (1.0, 0.93, 0.84), (0.9, 0.87, 1.0), (0.86, 1.0, 0.9))  # yellow blue pink green


@dataclass
class Scene:
    """How one page frame looks. ``random_scene`` draws one; tests may build their own."""

    width: int = 1280
    height: int = 720
    kind: str = "a4"  # a4 | card
    background: str = "dark"
    cover: float = 0.45  # share of the frame's area the page covers (before perspective)
    angle: float = 0.0  # degrees, in-plane rotation
    tilt: float = 0.0  # 0..0.3: the page plane tilts up to tilt × 150 degrees about each axis
    center: tuple[float, float] = (0.5, 0.5)  # page centre in frame fractions
    light: float = 1.0  # overall exposure factor
    gradient: float = 0.0  # 0..0.6, strength of a lighting falloff across the frame
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 3.0  # Gaussian noise sigma in grey levels
    glare: float = 0.0  # 0 none; >0 radius of a saturated glare spot in page-width fractions
    occlude: bool = False  # a finger over one page corner
    page_tone: int = 242  # paper grey level
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)  # BGR factors: coloured paper
    objects: int = 0  # pens, a phone, a cup on the desk, some touching the page
    seed: int = 0
    extra: dict = field(default_factory=dict)


def page_canvas(kind: str, rng: np.random.Generator, tone: int = 242, long_side: int = 900) -> np.ndarray:
    """A flat page as float32 BGR: paper tone, a title, text-like lines, a table or a photo box."""
    if kind == "card":
        w, h = long_side, int(long_side * 53.98 / 85.6)
    else:
        w, h = int(long_side / 2 ** 0.5), long_side
    paper = np.array([tone, tone, tone], np.float32) + rng.uniform(-6, 6, 3).astype(np.float32)
    img = np.ones((h, w, 3), np.float32) * paper
    ink = (40, 40, 40)
    if kind == "card":
        img[:] = paper * np.array([1.0, 0.97, 0.93], np.float32)  # faint tint like a resident card
        cv2.rectangle(img, (int(w * 0.66), int(h * 0.15)), (int(w * 0.92), int(h * 0.7)), (150, 150, 155), -1)
        for i in range(5):
            y = int(h * (0.18 + i * 0.13))
            cv2.line(img, (int(w * 0.08), y), (int(w * rng.uniform(0.3, 0.58)), y), ink, 7)
        cv2.line(img, (int(w * 0.25), int(h * 0.86)), (int(w * 0.9), int(h * 0.86)), ink, 9)
        return img
    margin = int(w * 0.1)
    cv2.line(img, (int(w * 0.3), int(h * 0.08)), (int(w * 0.7), int(h * 0.08)), ink, 12)
    y = int(h * 0.14)
    while y < h * 0.9:
        if rng.random() < 0.08:  # a table
            rows = int(rng.integers(2, 5))
            for r in range(rows + 1):
                cv2.line(img, (margin, y + r * 24), (w - margin, y + r * 24), ink, 2)
            for c in np.linspace(margin, w - margin, 4):
                cv2.line(img, (int(c), y), (int(c), y + rows * 24), ink, 2)
            y += rows * 24 + 20
            continue
        end = int(w - margin - rng.uniform(0, 0.4 if rng.random() < 0.3 else 0.05) * w)
        x = margin
        while x < end:  # words: short dark dashes
            word = int(rng.integers(8, 40))
            cv2.line(img, (x, y), (min(end, x + word), y), ink, 5)
            x += word + int(rng.integers(6, 12))
        y += int(rng.integers(18, 26))
    if rng.random() < 0.5:  # a red seal
        c = (int(w * rng.uniform(0.55, 0.8)), int(h * rng.uniform(0.75, 0.88)))
        cv2.circle(img, c, int(w * 0.09), (40, 40, 200), 4)
    return img


@lru_cache(maxsize=8)
def _page(kind: str, seed: int, tone: int) -> np.ndarray:
    """The page canvas of a scene (cached: drawing the text is the slow part). Do not modify it."""
    page = page_canvas(kind, np.random.default_rng(seed + 13), tone)
    page.flags.writeable = False
    return page


def _page_quad(s: Scene, rng: np.random.Generator, aspect: float) -> np.ndarray:
    area = s.cover * s.width * s.height
    pw = (area * aspect) ** 0.5
    ph = area / pw
    pts = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]], np.float32)
    a = np.deg2rad(s.angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    pts = pts @ rot.T
    if s.tilt > 0:  # perspective: the page plane tilted about both axes, seen by a pinhole camera
        rx, ry = np.deg2rad(rng.uniform(-1, 1, 2) * s.tilt * 150)
        rot_x = np.array([[1, 0, 0], [0, np.cos(rx), -np.sin(rx)], [0, np.sin(rx), np.cos(rx)]])
        rot_y = np.array([[np.cos(ry), 0, np.sin(ry)], [0, 1, 0], [-np.sin(ry), 0, np.cos(ry)]])
        f = 1.2 * s.width  # a ~55° field of view
        p3 = np.c_[pts, np.zeros(4)] @ (rot_y @ rot_x).T + np.array([0, 0, f])
        pts = (f * p3[:, :2] / p3[:, 2:3]).astype(np.float32)
    pts += np.array([s.center[0] * s.width, s.center[1] * s.height], np.float32)
    return pts


def render(s: Scene) -> tuple[np.ndarray, np.ndarray]:
    """The frame (BGR uint8) and the page's corners (4×2 float32, clockwise from the page's top-left)."""
    rng = np.random.default_rng(s.seed)
    h, w = s.height, s.width
    img = background(s.background, h, w, rng)
    page = _page(s.kind, s.seed, s.page_tone)
    ph, pw = page.shape[:2]
    quad = page_quad(s)
    _desk_objects(img, quad, s.objects, rng)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(page, m, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), m, (w, h), flags=cv2.INTER_LINEAR)[..., None]
    shadow = cv2.GaussianBlur(mask[..., 0], (0, 0), 6)[..., None]  # a soft drop shadow
    if s.tint != (1.0, 1.0, 1.0):
        warped *= np.float32(s.tint)
    keep = (1 - mask) * (1 - 0.35 * shadow * (1 - mask))
    img *= keep
    img += warped * mask
    if s.glare > 0:
        c = quad.mean(axis=0) + rng.uniform(-0.2, 0.2, 2) * (quad.max(0) - quad.min(0))
        r = s.glare * (quad[:, 0].max() - quad[:, 0].min())
        spot = np.zeros((h, w), np.float32)
        cv2.circle(spot, (int(c[0]), int(c[1])), int(r), 1.0, -1)
        spot = cv2.GaussianBlur(spot, (0, 0), r * 0.25 + 1)
        img = img + spot[..., None] * 400 * mask
    if s.occlude:
        corner = quad[int(rng.integers(0, 4))]
        toward = quad.mean(axis=0) - corner
        tip = corner + toward * 0.08
        root = corner - toward * 0.6
        skin = (120 * s.light, 150 * s.light, 200 * s.light)
        cv2.line(img, (int(root[0]), int(root[1])), (int(tip[0]), int(tip[1])), skin, int(w * 0.035))
    finish(img, s, rng)
    return np.clip(img, 0, 255).astype(np.uint8), quad


def _desk_objects(img: np.ndarray, quad: np.ndarray, count: int, rng: np.random.Generator) -> None:
    """Draws ``count`` things lying on the desk (before the page, so the page may cover their ends)."""
    h, w = img.shape[:2]
    for _ in range(count):
        edge = int(rng.integers(0, 4))
        anchor = quad[edge] + (quad[(edge + 1) % 4] - quad[edge]) * rng.uniform(0.2, 0.8)
        away = anchor - quad.mean(axis=0)
        away /= np.linalg.norm(away) + 1e-6
        colour = tuple(float(c) for c in rng.uniform(10, 230, 3))
        what = rng.random()
        if what < 0.5:  # a pen poking out from under the page
            end = anchor + away * rng.uniform(0.1, 0.25) * w + rng.uniform(-60, 60, 2)
            cv2.line(img, tuple(int(v) for v in anchor), tuple(int(v) for v in end), colour, int(rng.integers(8, 16)))
        elif what < 0.8:  # a phone beside the page
            c = anchor + away * rng.uniform(0.08, 0.15) * w
            box = cv2.boxPoints(((float(c[0]), float(c[1])), (0.06 * w, 0.12 * w), float(rng.uniform(0, 180))))
            cv2.fillConvexPoly(img, box.astype(np.int32), (25.0, 25.0, 30.0))
        else:  # a cup seen from above
            c = anchor + away * rng.uniform(0.1, 0.2) * w
            cv2.circle(img, (int(c[0]), int(c[1])), int(0.05 * w), colour, -1)
            cv2.circle(img, (int(c[0]), int(c[1])), int(0.04 * w), tuple(v * 0.6 for v in colour), -1)
    del h


def finish(img: np.ndarray, s: Scene, rng: np.random.Generator) -> None:
    """Lighting, falloff, blur and sensor noise, in place on a float32 image."""
    h, w = img.shape[:2]
    if s.gradient > 0:
        ang = rng.uniform(0, 2 * np.pi)
        yy, xx = np.ogrid[0:h, 0:w]
        t = ((xx.astype(np.float32) / w - 0.5) * np.cos(ang) + (yy.astype(np.float32) / h - 0.5) * np.sin(ang)) + 0.5
        img *= (1 - s.gradient * np.clip(t, 0, 1))[..., None]
    img *= s.light
    if s.blur > 0:
        cv2.GaussianBlur(img, (0, 0), s.blur, dst=img)
    if s.noise > 0:
        noise = np.empty(img.shape, np.float32)
        cv2.setRNGSeed(int(rng.integers(0, 2**31)))  # OpenCV's generator is per thread and ~10× faster
        cv2.randn(noise, 0.0, float(s.noise))
        img += noise


def random_scene(rng: np.random.Generator, width: int = 1280, height: int = 720, hard: bool = True) -> Scene:
    """A varied page scene: background, size, rotation, perspective, lighting, blur, noise, occlusion."""
    kind = "card" if rng.random() < 0.25 else "a4"
    cover = rng.uniform(0.28, 0.6) if kind == "a4" else rng.uniform(0.25, 0.45)
    angle = float(rng.choice([rng.uniform(-25, 25), rng.uniform(-45, 45), 90 + rng.uniform(-15, 15)],
                             p=[0.6, 0.25, 0.15]))
    s = Scene(
        width=width, height=height, kind=kind, background=str(rng.choice(BACKGROUNDS)), cover=float(cover),
        angle=angle, tilt=float(rng.uniform(0, 0.15)), light=float(rng.uniform(0.7, 1.1)),
        gradient=float(rng.uniform(0, 0.6)) if rng.random() < 0.5 else 0.0,
        blur=float(rng.uniform(0.5, 3.0)) if rng.random() < 0.4 else 0.0,
        noise=float(rng.uniform(1, 10)), page_tone=int(rng.integers(210, 250)),
        tint=TINTS[int(rng.integers(0, len(TINTS)))] if rng.random() < 0.25 else (1.0, 1.0, 1.0),
        objects=int(rng.integers(1, 4)) if hard and rng.random() < 0.35 else 0,
        occlude=bool(hard and rng.random() < 0.1), seed=int(rng.integers(0, 2**31)),
        glare=float(rng.uniform(0.05, 0.12)) if rng.random() < 0.1 else 0.0,
    )
    s.center = _fit_center(s, rng)
    return s


def _fit_center(s: Scene, rng: np.random.Generator) -> tuple[float, float]:
    """A page centre that keeps the whole (rotated, tilted) page inside the frame with a small margin;
    shrinks the page (not below 23 % of the frame) and then straightens it until one fits."""
    for attempt in range(400):
        s.center = (float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.7)))
        q = page_quad(s)
        if (q[:, 0].min() > 0.02 * s.width and q[:, 0].max() < 0.98 * s.width
                and q[:, 1].min() > 0.02 * s.height and q[:, 1].max() < 0.98 * s.height):
            return s.center
        if attempt % 10 == 9:
            if s.cover > 0.23:
                s.cover = max(0.23, s.cover * 0.93)
            else:
                square = round(s.angle / 90) * 90
                s.angle = square + (s.angle - square) * 0.8
                s.tilt *= 0.8
    raise ValueError(f"no page placement fits the frame for {s}")


def page_quad(s: Scene) -> np.ndarray:
    """The page corners ``render`` draws for ``s`` (4×2 float32, clockwise from the page's top-left)."""
    aspect = 85.6 / 53.98 if s.kind == "card" else 1 / 2 ** 0.5
    return _page_quad(s, np.random.default_rng(s.seed + 7), aspect)


def corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    """The largest corner distance (pixels) between two quads, matching corners in the best cyclic order."""
    f = np.asarray(found, np.float32).reshape(4, 2)
    t = np.asarray(truth, np.float32).reshape(4, 2)
    return float(min(np.linalg.norm(np.roll(f, k, axis=0) - t, axis=1).max() for k in range(4)))
