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
from kiosk.devices.camera.backdrops import HALL_BACKGROUNDS, background

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
        img = _shade(img, h, rng)
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


HALL_NO_PAGE = ("hands", "phone", "tablet", "keyboard", "wallet", "desk_things")


def hall_no_page(kind: str, seed: int, width: int = 1280, height: int = 720) -> np.ndarray:
    """A page-less frame of a hall's desk (BGR uint8): hands reaching in, a phone with its screen lit, a
    tablet with a dim screen, a keyboard, a wallet, or pens, cups and sticky notes; on the light desks
    halls have, sometimes under a cast shadow. (A lit screen showing a form *is* a document to the
    detector: a resident may well show one.)"""
    rng = np.random.default_rng([seed, 11])
    h, w = height, width
    img = background(str(rng.choice(HALL_BACKGROUNDS, p=_background_weights())), h, w, rng)
    c = (float(rng.uniform(0.3, 0.7) * w), float(rng.uniform(0.3, 0.7) * h))
    angle = float(rng.uniform(0, 180))
    if kind in ("hands", "desk_things") or rng.random() < 0.3:
        for _ in range(int(rng.integers(1, 3))):
            tip = rng.uniform([0.2, 0.2], [0.8, 0.8]) * (w, h)
            root = tip + rng.normal(0, 1, 2) * 0.5 * w
            skin = tuple(float(v) for v in rng.uniform([100, 130, 170], [150, 180, 235]))
            for k in range(int(rng.integers(1, 5))):
                off = np.array([k * 0.03 * w, 0]) @ np.array([[0, 1], [-1, 0]])
                cv2.line(img, tuple(int(v) for v in tip + off), tuple(int(v) for v in root + off), skin, int(0.03 * w))
            cv2.circle(img, tuple(int(v) for v in root), int(0.09 * w), skin, -1)
    if kind == "phone":  # a lit screen: bright, with text, in a black body; a phone is ~2.1 long per wide
        size = float(rng.uniform(0.12, 0.2) * w)
        body = cv2.boxPoints((c, (size, size * 2.1), angle))
        cv2.fillConvexPoly(img, body.astype(np.int32), (20.0, 20.0, 22.0))
        screen = ((body - c) * 0.92 + c).astype(np.int32)
        cv2.fillConvexPoly(img, screen, tuple(float(v) for v in rng.uniform(200, 250, 3)))
    elif kind == "tablet":  # a dim screen (a video, a dark theme) in a dark bezel
        size = float(rng.uniform(0.3, 0.45) * w)
        body = cv2.boxPoints((c, (size, size * 0.72), angle))
        cv2.fillConvexPoly(img, body.astype(np.int32), (30.0, 30.0, 32.0))
        screen = ((body - c) * 0.88 + c)
        cv2.fillConvexPoly(img, screen.astype(np.int32), tuple(float(v) for v in rng.uniform(35, 80, 3)))
    elif kind == "keyboard":
        body = cv2.boxPoints((c, (float(0.6 * w), float(0.2 * w)), angle % 30 - 15))
        cv2.fillConvexPoly(img, body.astype(np.int32), tuple(float(v) for v in rng.uniform(30, 220, 3) * [1, 1, 1]))
        for _ in range(80):
            p = body[0] + rng.uniform(0, 1) * (body[1] - body[0]) + rng.uniform(0, 1) * (body[3] - body[0])
            cv2.circle(img, (int(p[0]), int(p[1])), 7, (90.0, 90.0, 90.0), -1)
    elif kind == "wallet":  # brown leather, card-like in shape but plain
        size = float(rng.uniform(0.2, 0.3) * w)
        body = cv2.boxPoints((c, (size, size * 0.8), angle))
        cv2.fillConvexPoly(img, body.astype(np.int32), tuple(float(v) for v in rng.uniform([30, 50, 80], [60, 90, 140])))
    elif kind == "desk_things":
        for _ in range(int(rng.integers(2, 6))):
            p = rng.uniform([0, 0], [w, h])
            what = rng.random()
            colour = tuple(float(v) for v in rng.uniform(0, 255, 3))
            if what < 0.4:
                q = p + rng.normal(0, 1, 2) * 0.15 * w
                cv2.line(img, (int(p[0]), int(p[1])), (int(q[0]), int(q[1])), colour, int(rng.integers(6, 14)))
            elif what < 0.7:
                cv2.circle(img, (int(p[0]), int(p[1])), int(rng.uniform(0.03, 0.07) * w), colour, -1)
            else:  # a sticky note
                note = cv2.boxPoints(((float(p[0]), float(p[1])), (0.06 * w, 0.06 * w), float(rng.uniform(0, 90))))
                cv2.fillConvexPoly(img, note.astype(np.int32), (120.0, 235.0, 250.0))
    s = synth.Scene(width=w, height=h, noise=float(rng.uniform(1, 6)), gradient=float(rng.uniform(0, 0.4)),
                    blur=float(rng.uniform(0, 1.5)), seed=seed)
    synth.finish(img, s, rng)
    if rng.random() < 0.3:
        shadow = HallScene(s, float(rng.uniform(0.15, 0.45)))
        img = _shade(img, shadow, rng)
    return np.clip(img, 0, 255).astype(np.uint8)


def _shade(img: np.ndarray, h: HallScene, rng: np.random.Generator) -> np.ndarray:
    hh, ww = img.shape[:2]
    pts = (rng.uniform(-0.3, 1.3, (int(rng.integers(3, 6)), 2)) * (ww, hh)).astype(np.int32)
    mask = np.zeros((hh, ww), np.float32)
    cv2.fillPoly(mask, [cv2.convexHull(pts)], 1.0)
    return img * (1 - h.shadow * cv2.GaussianBlur(mask, (0, 0), float(rng.uniform(6, 40))))[..., None]
