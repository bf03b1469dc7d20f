"""Harder synthetic frames, as a service hall's camera sees them: small cards (8–35 % of the frame),
light cards on light desks, dark bank cards, strong tilt, fingers, clutter, cast shadows and curled
page edges.

The detector's *tuning* set (with :func:`kiosk.devices.camera.synth.random_scene`); the benchmark
reports it beside a held-out set from an independent renderer (``bench/heldout``) that nothing is
tuned on. Built on :func:`kiosk.devices.camera.synth.render`, plus two effects drawn afterwards: a
soft cast shadow and a bowed (curled) page edge, whose true corners do not move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk.devices.camera import synth
from kiosk.devices.camera.backdrops import HALL_BACKGROUNDS

CARD_TONES = ((242, (1.0, 1.0, 1.0)), (232, (1.0, 0.96, 0.9)), (120, (1.25, 0.75, 0.55)), (95, (0.6, 0.9, 1.6)),
              (150, (0.7, 1.1, 1.3)), (225, (1.0, 0.93, 0.84)))  # white, ID, blue, red, gold, social security


@dataclass
class HallScene:
    """A :class:`~kiosk.devices.camera.synth.Scene` and the effects drawn over it."""

    scene: synth.Scene
    shadow: float = 0.0  # 0 none, else the darkening (0..0.5) of a soft cast shadow
    curl: float = 0.0  # 0 none, else how far (share of the side) the middle of one side bows outward
    curl_side: int = 0
    tags: tuple[str, ...] = field(default_factory=tuple)


def hall_scene(rng: np.random.Generator, width: int = 1280, height: int = 720) -> HallScene:
    """A hall-like page scene: more cards than pages, and every kind of trouble more often."""
    kind = "card" if rng.random() < 0.55 else "a4"
    tags = [kind]
    if kind == "card":
        cover = float(rng.uniform(0.08, 0.35))
        tone, tint = CARD_TONES[int(rng.integers(0, len(CARD_TONES)))]
        tags.append("card_small" if cover < 0.15 else "card_mid")
    else:
        cover, tone, tint = float(rng.uniform(0.22, 0.6)), int(rng.integers(215, 250)), (1.0, 1.0, 1.0)
    background = str(rng.choice(HALL_BACKGROUNDS, p=_background_weights()))
    tilt = float(rng.uniform(0.15, 0.25)) if rng.random() < 0.25 else float(rng.uniform(0, 0.15))
    s = synth.Scene(
        width=width, height=height, kind=kind, background=background, cover=cover,
        angle=float(rng.uniform(-180, 180)), tilt=tilt, light=float(rng.uniform(0.7, 1.1)),
        gradient=float(rng.uniform(0, 0.5)) if rng.random() < 0.4 else 0.0,
        blur=float(rng.uniform(0.5, 2.5)) if rng.random() < 0.3 else 0.0, noise=float(rng.uniform(1, 8)),
        page_tone=tone, tint=tint, objects=int(rng.integers(1, 4)) if rng.random() < 0.4 else 0,
        occlude=bool(rng.random() < 0.3), seed=int(rng.integers(0, 2**31)),
        glare=float(rng.uniform(0.05, 0.12)) if rng.random() < 0.1 else 0.0)
    s.center = synth._fit_center(s, rng)
    tags += [background] + [t for t, on in (("finger", s.occlude), ("clutter", s.objects), ("tilt", tilt > 0.15)) if on]
    shadow = float(rng.uniform(0.15, 0.45)) if rng.random() < 0.3 else 0.0
    curl = float(rng.uniform(0.01, 0.035)) if kind == "a4" and rng.random() < 0.4 else 0.0
    tags += [t for t, on in (("shadow", shadow), ("curl", curl)) if on]
    return HallScene(s, shadow, curl, int(rng.integers(0, 4)), tuple(tags))


def _background_weights() -> np.ndarray:
    w = np.ones(len(HALL_BACKGROUNDS))
    w[-2:] = 2.5  # light wood and white desks are what halls have
    return w / w.sum()


def render_hall(h: HallScene) -> tuple[np.ndarray, np.ndarray]:
    """The frame (BGR uint8) and the true corners, as :func:`kiosk.devices.camera.synth.render`."""
    frame, quad = synth.render(h.scene)
    rng = np.random.default_rng(h.scene.seed + 99)
    img = frame.astype(np.float32)
    hh, ww = img.shape[:2]
    if h.curl > 0:
        img = _bow(img, quad, h.curl_side, h.curl)
    if h.shadow > 0:
        pts = (rng.uniform(-0.3, 1.3, (int(rng.integers(3, 6)), 2)) * (ww, hh)).astype(np.int32)
        mask = np.zeros((hh, ww), np.float32)
        cv2.fillPoly(mask, [cv2.convexHull(pts)], 1.0)
        img *= (1 - h.shadow * cv2.GaussianBlur(mask, (0, 0), float(rng.uniform(6, 40))))[..., None]
    return np.clip(img, 0, 255).astype(np.uint8), quad


def _bow(img: np.ndarray, quad: np.ndarray, side: int, amount: float) -> np.ndarray:
    """Bows side ``side`` of the page outward by ``amount`` × its length in the middle (a curled edge);
    the displacement fades to nothing at the corners and a third of the way into the page."""
    hh, ww = img.shape[:2]
    a, b = quad[side].astype(np.float64), quad[(side + 1) % 4].astype(np.float64)
    d = b - a
    length = float(np.linalg.norm(d))
    u = d / length
    n = np.array([-u[1], u[0]])
    if np.dot(quad.mean(axis=0) - a, n) > 0:
        n = -n  # outward
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float64)
    rel_x, rel_y = xx - a[0], yy - a[1]
    t = np.clip((rel_x * u[0] + rel_y * u[1]) / length, 0, 1)
    depth = -(rel_x * n[0] + rel_y * n[1])  # > 0 inside the page
    reach = length / 3
    fade = np.clip(1 - np.abs(depth) / reach, 0, 1) * np.where(depth > -amount * length * 1.5, 1.0, 0.0)
    shift = amount * length * np.sin(np.pi * t) * fade
    map_x = (xx - n[0] * shift).astype(np.float32)  # the bowed edge shows what lay `shift` further in
    map_y = (yy - n[1] * shift).astype(np.float32)
    return cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
