"""Light and lens of the second held-out renderer.

The scene is drawn on an ideal (pinhole) canvas larger than the frame; :class:`Lens` maps it to the
frame with a one-parameter *division model* (barrel or slight pincushion, with a little lateral
chromatic aberration), then vignetting, defocus or motion blur, shot noise, a phone's sharpening, a
tone curve and JPEG. Written without looking at the detector or at the other renderers' code.
"""

from __future__ import annotations

import cv2
import numpy as np

from .props import soft_blur


class Lens:
    """Division model: an ideal point at radius r_u (normalised by the frame's half diagonal) shows at
    r_d with r_u = r_d / (1 + lam · r_d²). lam < 0 is barrel distortion."""

    def __init__(self, rng: np.random.Generator, w: int, h: int, margin: tuple[int, int]):
        self.w, self.h, self.mx, self.my = w, h, margin[0], margin[1]
        self.lam = rng.uniform(-0.28, 0.04)
        self.centre = np.array([w / 2 + rng.uniform(-0.015, 0.015) * w, h / 2 + rng.uniform(-0.015, 0.015) * h])
        self.norm = 0.5 * np.hypot(w, h)
        self.ca = rng.uniform(0, 0.0025)  # red/blue magnification difference

    def to_frame(self, pts: np.ndarray) -> np.ndarray:
        """Canvas (ideal) points → frame pixels."""
        p = (np.asarray(pts, np.float64) - (self.mx, self.my) - self.centre) / self.norm
        ru = np.hypot(p[:, 0], p[:, 1])
        rd = np.where(np.abs(self.lam * ru) < 1e-9, ru,
                      (1 - np.sqrt(np.maximum(1 - 4 * self.lam * ru ** 2, 0))) / (2 * self.lam * np.maximum(ru, 1e-12)))
        scale = np.where(ru > 1e-12, rd / np.maximum(ru, 1e-12), 1.0)
        return (p * scale[:, None]) * self.norm + self.centre

    def apply(self, canvas: np.ndarray) -> np.ndarray:
        y, x = np.mgrid[0:self.h, 0:self.w].astype(np.float32)
        dx, dy = (x - self.centre[0]) / self.norm, (y - self.centre[1]) / self.norm
        out = np.empty((self.h, self.w, 3), np.float32)
        for ch, mag in ((0, 1 + self.ca), (1, 1.0), (2, 1 - self.ca)):
            f = mag / (1 + self.lam * (dx * dx + dy * dy))
            mx = (dx * f * self.norm + self.centre[0] + self.mx).astype(np.float32)
            my = (dy * f * self.norm + self.centre[1] + self.my).astype(np.float32)
            out[..., ch] = cv2.remap(canvas[..., ch], mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        return out


def illuminate(canvas: np.ndarray, rng: np.random.Generator, body_shadow: bool) -> None:
    """Uneven light in place: a ramp, a ceiling lamp's hot spot, a colour cast, maybe a person's shadow.
    The light field is smooth, so it is computed on a quarter-size grid and enlarged."""
    full_h, full_w = canvas.shape[:2]
    h, w = full_h // 4, full_w // 4
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * np.pi)
    ramp = 1 + rng.uniform(0, 0.35) * ((x - w / 2) * np.cos(a) + (y - h / 2) * np.sin(a)) / max(w, h)
    sx, sy = rng.uniform(0, w), rng.uniform(0, h)
    spot = rng.uniform(0, 0.3) * np.exp(-((x - sx) ** 2 + (y - sy) ** 2) / (2 * (rng.uniform(0.2, 0.6) * w) ** 2))
    light = ramp + spot
    if body_shadow:
        m = np.zeros((h, w), np.float32)
        c = (int(rng.uniform(0, w)), int(rng.choice([rng.uniform(-0.2, 0.3), rng.uniform(0.7, 1.2)]) * h))
        cv2.ellipse(m, c, (int(rng.uniform(0.25, 0.5) * w), int(rng.uniform(0.2, 0.45) * h)),
                    rng.uniform(0, 180), 0, 360, 1.0, -1)
        m = cv2.GaussianBlur(m, (0, 0), rng.uniform(15, 60) / 4)
        light *= 1 - rng.uniform(0.25, 0.55) * m
    cast = np.float32([rng.uniform(0.85, 1.05), 1.0, rng.uniform(0.9, 1.12)])  # warm or cool lamps
    field = cv2.resize(light[..., None] * cast[None, None, :], (full_w, full_h), interpolation=cv2.INTER_LINEAR)
    canvas *= field


def glare(canvas: np.ndarray, rng: np.random.Generator, centre, size: float, mask: np.ndarray | None) -> None:
    """A specular highlight (glossy laminate or a lamp's reflection), limited to ``mask`` when given."""
    h, w = canvas.shape[:2]
    g = np.zeros((h, w), np.float32)
    cv2.ellipse(g, (int(centre[0]), int(centre[1])), (int(size), int(size * rng.uniform(0.2, 0.7))),
                rng.uniform(0, 180), 0, 360, 1.0, -1)
    g = soft_blur(g, size * 0.35 + 1)
    if mask is not None:
        g *= mask
    canvas += (g * rng.uniform(90, 220))[..., None]


def finish(img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, tuple[str, ...]]:
    """Sensor and pipeline: vignetting, blur, noise, sharpening, tone, JPEG → BGR uint8 and tags."""
    h, w = img.shape[:2]
    tags: list[str] = []
    y, x = np.mgrid[0:h // 8, 0:w // 8].astype(np.float32) * 8
    r2 = ((x - w / 2) ** 2 + (y - h / 2) ** 2) / (0.5 * np.hypot(w, h)) ** 2
    vignette = cv2.resize((1 - rng.uniform(0.1, 0.45) * r2) ** 1.5, (w, h), interpolation=cv2.INTER_LINEAR)
    img = img * vignette[..., None]
    if rng.random() < 0.3:
        n = int(rng.integers(5, 15))
        k = np.zeros((n, n), np.float32)
        a = rng.uniform(0, np.pi)
        c = (n - 1) / 2
        cv2.line(k, (int(round(c - c * np.cos(a))), int(round(c - c * np.sin(a)))),
                 (int(round(c + c * np.cos(a))), int(round(c + c * np.sin(a)))), 1.0, 1)
        img = cv2.filter2D(img, -1, k / k.sum())
        tags.append("motion")
    else:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.8))
    gain = rng.uniform(0.75, 1.25)
    img = img * gain
    img = img + rng.standard_normal(img.shape, dtype=np.float32) * np.sqrt(np.clip(img, 1, 255)) * np.float32(
        rng.uniform(0.2, 0.7))
    if rng.random() < 0.6:
        soft = cv2.GaussianBlur(img, (0, 0), 1.5)
        img = img + rng.uniform(0.3, 1.0) * (img - soft)
    tone = (255 * (np.arange(256) / 255) ** rng.uniform(0.85, 1.15)).astype(np.uint8)
    img8 = cv2.LUT(np.clip(img, 0, 255).astype(np.uint8), tone)
    q = int(rng.integers(35, 92))
    ok, buf = cv2.imencode(".jpg", img8, [cv2.IMWRITE_JPEG_QUALITY, q])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR), tuple(tags)
