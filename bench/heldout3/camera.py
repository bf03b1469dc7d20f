"""Geometry and sensor of the third held-out renderer.

A pinhole camera looks down at a desk plane; a document is a strip mesh on that plane (flat, folded
along a crease, or curled at one edge), each strip drawn with its own homography. The lens is a
Brown–Conrady model (two radial and two tangential terms, barrel or pincushion); the sensor is a Bayer
mosaic demosaiced, with a disc (defocus) or line (motion) blur, signal-dependent noise, a tone curve
and JPEG. Written without looking at the detector or at the other held-out renderers.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def rotation(pitch: float, yaw: float, roll: float) -> np.ndarray:
    """R = Rx(pitch) · Ry(yaw) · Rz(roll), angles in radians."""
    cp, sp, cy, sy, cr, sr = (math.cos(pitch), math.sin(pitch), math.cos(yaw), math.sin(yaw),
                              math.cos(roll), math.sin(roll))
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return rx @ ry @ rz


class Camera:
    """Pinhole (focal ``f`` px, centre ``c``) with a Brown–Conrady lens."""

    def __init__(self, rng: np.random.Generator, w: int, h: int):
        self.w, self.h = w, h
        self.f = float(rng.uniform(0.8, 1.5) * w)
        self.c = np.array([w / 2 + rng.normal(0, 6), h / 2 + rng.normal(0, 6)])
        self.k1 = float(rng.uniform(-0.22, 0.12))
        self.k2 = float(rng.uniform(-0.05, 0.05))
        self.p = rng.normal(0, 0.0015, 2)

    def project(self, pts3: np.ndarray) -> np.ndarray:
        """Camera-frame 3D points (…×3, mm, z forward) → ideal pixel positions."""
        return self.f * pts3[..., :2] / pts3[..., 2:3] + self.c

    def _lens(self, x: np.ndarray) -> np.ndarray:
        """Captured normalised position → ideal normalised position (the map the remap samples)."""
        r2 = (x ** 2).sum(-1, keepdims=True)
        radial = 1 + self.k1 * r2 + self.k2 * r2 ** 2
        xx, yy = x[..., :1], x[..., 1:]
        tx = 2 * self.p[0] * xx * yy + self.p[1] * (r2 + 2 * xx ** 2)
        ty = self.p[0] * (r2 + 2 * yy ** 2) + 2 * self.p[1] * xx * yy
        return x * radial + np.concatenate([tx, ty], -1)

    def maps(self) -> tuple[np.ndarray, np.ndarray]:
        """The remap's source position for each captured pixel (exact on an 8 px grid, then bilinear)."""
        step = 8
        yy, xx = np.mgrid[0:self.h + step:step, 0:self.w + step:step].astype(np.float64)
        x = (np.stack([xx, yy], -1) - self.c) / self.f
        src = (self._lens(x) * self.f + self.c).astype(np.float32)
        full = cv2.resize(src, ((src.shape[1] - 1) * step + 1, (src.shape[0] - 1) * step + 1),
                          interpolation=cv2.INTER_LINEAR)[:self.h, :self.w]
        return np.ascontiguousarray(full[..., 0]), np.ascontiguousarray(full[..., 1])

    def captured(self, ideal: np.ndarray) -> np.ndarray:
        """Ideal pixel positions → where they land in the captured frame (the lens map inverted)."""
        target = (np.asarray(ideal, np.float64) - self.c) / self.f
        x = target.copy()
        with np.errstate(over="ignore", invalid="ignore"):  # far outside the frame it may diverge: NaN, retried
            for _ in range(40):
                x = x - (self._lens(x) - target)
        return x * self.f + self.c


def render_strips(canvas: np.ndarray, alpha: np.ndarray, cam: Camera, r: np.ndarray, t: np.ndarray,
                  size_mm: tuple[float, float], lift, axis: int, strips: int, light_dir: np.ndarray,
                  out_shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The document drawn strip by strip: (BGR float32 layer, alpha layer, ideal corner pixels 4×2).

    ``lift(s)`` is the height (mm, toward the camera) at the normalised position ``s`` along ``axis``
    (0: across the width, 1: down the height); each strip is lit by the cosine of its normal with
    ``light_dir``."""
    wmm, hmm = size_mm
    ch, cw = canvas.shape[:2]
    layer = np.zeros(out_shape + (3,), np.float32)
    cover = np.zeros(out_shape, np.float32)

    def world(u: float, v: float) -> np.ndarray:  # normalised page position → camera-frame 3D point
        s = u if axis == 0 else v
        p = np.array([(u - 0.5) * wmm, (v - 0.5) * hmm, -lift(s)])
        return r @ p + t

    edges = np.linspace(0, 1, strips + 1)
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        uv = [(a, 0), (b, 0), (b, 1), (a, 1)] if axis == 0 else [(0, a), (1, a), (1, b), (0, b)]
        p3 = np.array([world(u, v) for u, v in uv])
        dst = cam.project(p3).astype(np.float32)
        src = np.float32([[u * (cw - 1), v * (ch - 1)] for u, v in uv])
        x0, y0 = np.maximum(np.floor(dst.min(0)) - 2, 0).astype(int)
        x1, y1 = np.minimum(np.ceil(dst.max(0)) + 3, (out_shape[1], out_shape[0])).astype(int)
        if x1 <= x0 or y1 <= y0:
            continue
        hmat = cv2.getPerspectiveTransform(src, dst - np.float32([x0, y0]))  # drawn into its box only
        part = cv2.warpPerspective(canvas, hmat, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_LINEAR)
        m = np.zeros((ch, cw), np.float32)
        u0, u1 = int(round(src[0, 0])), int(round(src[2, 0]))
        v0, v1 = int(round(src[0, 1])), int(round(src[2, 1]))
        m[v0:v1 + 1, u0:u1 + 1] = alpha[v0:v1 + 1, u0:u1 + 1]
        pm = cv2.warpPerspective(m, hmat, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_LINEAR)
        normal = np.cross(p3[1] - p3[0], p3[3] - p3[0])
        normal /= np.linalg.norm(normal) + 1e-9
        shade = 0.75 + 0.3 * abs(float(normal @ light_dir))
        new = pm * (1 - cover[y0:y1, x0:x1])
        layer[y0:y1, x0:x1] += part * shade * new[..., None]
        cover[y0:y1, x0:x1] += new
    corners = np.array([world(u, v) for u, v in ((0, 0), (1, 0), (1, 1), (0, 1))])
    return layer, np.clip(cover, 0, 1), cam.project(corners)


def sensor(img: np.ndarray, rng: np.random.Generator, cam: Camera) -> tuple[np.ndarray, list[str]]:
    """Lens remap, blur, Bayer mosaic + demosaic, noise, tone curve and JPEG; float32 in, uint8 out."""
    tags: list[str] = []
    mx, my = cam.maps()
    img = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if rng.random() < 0.5:  # defocus: a disc kernel
        r = rng.uniform(0.8, 2.6)
        k = int(math.ceil(r)) * 2 + 1
        kern = np.zeros((k, k), np.float32)
        cv2.circle(kern, (k // 2, k // 2), int(round(r)), 1.0, -1)
        img = cv2.filter2D(img, -1, kern / kern.sum())
        tags.append("defocus")
    elif rng.random() < 0.25:  # hand shake: a short line kernel
        length = int(rng.integers(3, 9))
        kern = np.zeros((length, length), np.float32)
        cv2.line(kern, (0, int(rng.integers(0, length))), (length - 1, int(rng.integers(0, length))), 1.0, 1)
        img = cv2.filter2D(img, -1, kern / kern.sum())
        tags.append("shake")
    img = np.clip(img, 0, 255)
    gain = rng.uniform(0.8, 1.15)
    img = img * gain
    shot = rng.uniform(0.3, 1.2)
    noise = np.empty(img.shape, np.float32)
    cv2.setRNGSeed(int(rng.integers(0, 2 ** 31)))
    cv2.randn(noise, 0.0, 1.0)
    img = img + noise * np.sqrt(np.maximum(img, 1) * shot) + noise[::-1, ::-1] * 1.5
    img = np.clip(img, 0, 255).astype(np.uint8)
    bayer = np.zeros(img.shape[:2], np.uint8)  # BGGR mosaic, then the camera's demosaic
    bayer[0::2, 0::2] = img[0::2, 0::2, 0]
    bayer[0::2, 1::2] = img[0::2, 1::2, 1]
    bayer[1::2, 0::2] = img[1::2, 0::2, 1]
    bayer[1::2, 1::2] = img[1::2, 1::2, 2]
    img = cv2.cvtColor(bayer, cv2.COLOR_BayerRG2BGR)
    lut = np.clip(255 * (np.arange(256) / 255.0) ** rng.uniform(0.8, 1.2), 0, 255).astype(np.uint8)
    img = cv2.LUT(img, lut)
    if rng.random() < 0.3:  # phone sharpening
        soft = cv2.GaussianBlur(img, (0, 0), 1.2)
        img = cv2.addWeighted(img, 1.6, soft, -0.6, 0)
        tags.append("sharpened")
    q = int(rng.integers(40, 92))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR), tags
