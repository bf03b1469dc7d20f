"""The third held-out renderer: ``shot(seed)`` → a 1280×720 frame with a document's true corners.

Independent of the detector and of ``bench/heldout`` and ``bench/heldout2`` (written before its first
run against the detector, and never tuned on): the desk is seen in perspective with the document
(checked cloth, newspaper, laminate, granite, felt, bamboo, carpet, glass, light melamine and beige
counters), documents are strip meshes (flat, curled at an edge or folded along a crease, each strip
shaded by its own normal), the lens is Brown–Conrady (barrel or pincushion, tangential), the sensor
a demosaiced Bayer mosaic with defocus or shake, shot noise, a tone curve, sharpening and JPEG 40–91.
Truth: the document's four physical corners where they land in the frame. Seeds 8 000 000 + are used
nowhere else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .camera import Camera, render_strips, rotation, sensor
from .paper import CARD_KINDS, SIZES_MM, document
from .world import DESKS, LIGHT_DESKS, desk, desk_things, light, thumb

KINDS = ("id_card", "bank_card", "ss_card", "hukou", "a4")
_KIND_P = np.array([0.25, 0.15, 0.15, 0.15, 0.30])
_COVER = {"id_card": (0.08, 0.35), "bank_card": (0.08, 0.35), "ss_card": (0.08, 0.35), "hukou": (0.18, 0.45),
          "a4": (0.25, 0.65)}


@dataclass
class Shot:
    image: np.ndarray
    corners: np.ndarray | None
    kind: str | None
    area: float
    tags: tuple[str, ...]


def _pose(rng, cam: Camera, wmm: float, hmm: float, cover: float, strong: bool):
    """Rotation and translation putting the document (flat) at ``cover`` of the frame, inside it."""
    tilt = rng.uniform(25, 50) if strong else rng.uniform(0, 25)
    direction = rng.uniform(0, 2 * np.pi)
    pitch, yaw = math.radians(tilt) * math.cos(direction), math.radians(tilt) * math.sin(direction)
    roll = math.radians(float(rng.choice([rng.uniform(-30, 30), rng.uniform(-90, 90), 90 + rng.uniform(-20, 20)],
                                         p=[0.5, 0.3, 0.2])))
    r = rotation(pitch, yaw, roll)
    corners = np.array([[-wmm / 2, -hmm / 2, 0], [wmm / 2, -hmm / 2, 0], [wmm / 2, hmm / 2, 0], [-wmm / 2, hmm / 2, 0]])
    for _ in range(60):
        z = 400.0
        ideal = cam.project((r @ corners.T).T + np.array([0, 0, z]))
        area = cv2.contourArea(ideal.astype(np.float32)) / (cam.w * cam.h)
        z *= math.sqrt(area / cover)
        off = rng.uniform(-0.3, 0.3, 2) * np.array([cam.w, cam.h]) / cam.f * z
        t = np.array([off[0], off[1], z])
        pts = cam.captured(cam.project((r @ corners.T).T + t))
        if (pts[:, 0].min() > 0.03 * cam.w and pts[:, 0].max() < 0.97 * cam.w and pts[:, 1].min() > 0.03 * cam.h
                and pts[:, 1].max() < 0.97 * cam.h):
            return r, t, tilt
        cover *= 0.95
    return r, t, tilt


def _lift(rng, kind: str, wmm: float, hmm: float):
    """(height function of the normalised position, axis, strips, tag) for the document's shape."""
    if kind in CARD_KINDS or rng.random() < 0.5:
        return (lambda s: 0.0), 0, 1, None
    axis = int(rng.integers(0, 2))
    length = (wmm, hmm)[axis]
    if rng.random() < 0.5:  # one edge curls up
        start, amp, end = rng.uniform(0.6, 0.85), rng.uniform(0.03, 0.1) * length, int(rng.integers(0, 2))

        def curl(s: float) -> float:
            s = s if end else 1 - s
            return amp * max(0.0, (s - start) / (1 - start)) ** 2
        return curl, axis, 14, "curl"
    amp, sign = math.tan(math.radians(rng.uniform(4, 14))) * length / 2, rng.choice([-1.0, 1.0])
    # folded once across the middle: a tent (ridge up) or a valley (both halves' ends up)
    return (lambda s: amp * (0.5 - abs(s - 0.5)) if sign > 0 else amp * abs(s - 0.5)), axis, 2, "fold"


def _desk_view(rng, cam: Camera, r: np.ndarray, t: np.ndarray, name: str) -> np.ndarray:
    """The desk plane (z = 0 in document coordinates) seen by the ideal camera."""
    k = np.array([[cam.f, 0, cam.c[0]], [0, cam.f, cam.c[1]], [0, 0, 1]])
    hmat = k @ np.column_stack([r[:, 0], r[:, 1], t])  # plane mm → ideal pixels
    inv = np.linalg.inv(hmat)
    m = 0.1
    img_corners = np.array([[-m * cam.w, -m * cam.h, 1], [(1 + m) * cam.w, -m * cam.h, 1],
                            [(1 + m) * cam.w, (1 + m) * cam.h, 1], [-m * cam.w, (1 + m) * cam.h, 1]])
    plane = (inv @ img_corners.T).T
    plane = plane[:, :2] / plane[:, 2:3]
    lo, hi = plane.min(0), plane.max(0)
    ppm = min(1.6, 2400 / max(float((hi - lo).max()), 1.0))
    size = np.maximum(((hi - lo) * ppm).astype(int), 8)
    canvas = desk(name, int(size[1]), int(size[0]), rng)
    return canvas, hmat @ np.array([[1 / ppm, 0, lo[0]], [0, 1 / ppm, lo[1]], [0, 0, 1]]), ppm, lo


def shot(seed: int, with_doc: bool = True, width: int = 1280, height: int = 720) -> Shot:
    """One frame (see the module docstring); ``with_doc=False``: a desk with things but no document."""
    rng = np.random.default_rng([seed, 0x3333])
    cam = Camera(rng, width, height)
    kind = str(rng.choice(KINDS, p=_KIND_P)) if with_doc else "a4"
    wmm, hmm = SIZES_MM[kind]
    low = with_doc and rng.random() < 0.25 and kind not in ("bank_card",)
    desk_name = str(rng.choice(LIGHT_DESKS if low else DESKS))
    tags = [desk_name] + (["lowcontrast"] if low else [])
    strong = rng.random() < 0.25
    cover = rng.uniform(*_COVER[kind])
    r, t, tilt = _pose(rng, cam, wmm, hmm, cover, strong)
    canvas, to_img, ppm, lo = _desk_view(rng, cam, r, t, desk_name)
    centre = (-lo * ppm, max(wmm, hmm) * ppm * 0.8)
    n_things = int(rng.integers(0, 4)) if with_doc else int(rng.integers(1, 5))
    things = desk_things(canvas, rng, n_things, ppm, centre if with_doc else None)
    tags += ["clutter"] if things else []
    img = cv2.warpPerspective(canvas, to_img, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    truth, area = None, 0.0
    if with_doc:
        tags.insert(0, kind)
        tags += ["tilt"] if strong else []
        px_mm = math.sqrt(cover * width * height / (wmm * hmm))
        doc_ppm = min(8.0, max(2.0, 2.2 * px_mm))
        doc, alpha = document(kind, rng, doc_ppm)
        lift, axis, strips, shape = _lift(rng, kind, wmm, hmm)
        tags += [shape] if shape else []
        light_dir = np.array([rng.normal(0, 0.4), rng.normal(0, 0.4), -1.0])
        light_dir /= np.linalg.norm(light_dir)
        layer, cover_mask, ideal = render_strips(doc, alpha, cam, r, t, (wmm, hmm), lift, axis, strips, light_dir,
                                                 (height, width))
        off = rng.normal(0, 1.5, 2) * px_mm * (2.5 if shape else 1.0)
        shadow = cv2.GaussianBlur(np.roll(cover_mask, (int(off[1]), int(off[0])), (0, 1)), (0, 0), 1 + px_mm * 1.5)
        img *= (1 - rng.uniform(0.15, 0.45) * shadow)[..., None]
        img = img * (1 - cover_mask[..., None]) + layer
        if kind in CARD_KINDS and rng.random() < 0.25:  # glare on the laminate
            c = ideal.mean(0) + rng.normal(0, 0.2, 2) * np.ptp(ideal, 0)
            g = np.zeros((height, width), np.float32)
            cv2.ellipse(g, (int(c[0]), int(c[1])), (int(rng.uniform(8, 30) * px_mm), int(rng.uniform(4, 12) * px_mm)),
                        float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
            g = cv2.GaussianBlur(g, (0, 0), 3 * px_mm) * cover_mask * rng.uniform(0.5, 0.95)
            img = img + (255 - img) * g[..., None]
            tags.append("glare")
        if rng.random() < (0.35 if kind in CARD_KINDS else 0.2):  # fingers over an edge
            i = int(rng.integers(0, 4))
            a, b = ideal[i], ideal[(i + 1) % 4]
            tip_on = a + (b - a) * rng.uniform(0.25, 0.75)
            inward = ideal.mean(0) - tip_on
            inward /= np.linalg.norm(inward) + 1e-9
            tip = tip_on + inward * rng.uniform(3, 12) * px_mm
            thumb(img, rng, tip, -inward + rng.normal(0, 0.3, 2), px_mm)
            tags.append("finger")
        truth = cam.captured(ideal).astype(np.float32)
        area = float(cv2.contourArea(truth)) / (width * height)
    elif rng.random() < 0.3:
        tip = rng.uniform([0.2 * width, 0.2 * height], [0.8 * width, 0.8 * height])
        thumb(img, rng, tip, rng.normal(0, 1, 2), rng.uniform(2, 4))
        tags.append("hand")
    tags += light(img, rng)
    frame, more = sensor(img, rng, cam)
    return Shot(frame, truth, kind if with_doc else None, area, tuple(tags + more))
