"""A *training* renderer for the document detector: the troubles a hall's camera meets, each often.

``shot(seed)`` draws a 1280×720 frame with one document (ID, bank or social-security card, 户口簿 page
or A4) and its true corners; ``shot(seed, with_doc=False)`` a frame without one. Unlike
:mod:`~kiosk.devices.camera.synth` it places the document by a 3-D pose seen through a pinhole camera
(tilt up to 45°), draws cards with rounded corners, and makes each of these frequent: small cards
(6–35 % of the frame) held with a thumb over an edge; glare over the card and across its edge; light
cards on light desks; *colour-only* edges (a card as bright as its desk, in another hue); a soft drop
shadow; colour casts, vignetting, defocus, sensor noise and JPEG. Page-less frames are mostly phones
and tablets with their screens lit (a document on a screen is not a document to capture), with hands
and desk things.

The detector may be tuned on this set (``bench/bench_document.py --sets train``); the held-out sets
stay held out. Its seeds and its code share nothing with them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.devices.camera import synth
from kiosk.devices.camera.synth_props import (
    DESKS,
    LIGHT_DESKS,
    card_face,
    desk,
    glare,
    rounded_alpha,
    screen_device,
    thumb,
)

KINDS = ("id_card", "bank_card", "ss_card", "hukou", "a4")
_P = (0.3, 0.15, 0.15, 0.15, 0.25)
_MM = {"id_card": (85.6, 54.0), "bank_card": (85.6, 54.0), "ss_card": (85.6, 54.0), "hukou": (143.0, 105.0),
       "a4": (210.0, 297.0)}
_COVER = {"id_card": (0.06, 0.35), "bank_card": (0.06, 0.35), "ss_card": (0.06, 0.35), "hukou": (0.15, 0.45),
          "a4": (0.2, 0.6)}
_CARD_TONES = {"id_card": ((228, 232, 236), (205, 225, 236), (236, 222, 210)),
               "bank_card": ((150, 60, 20), (40, 40, 170), (60, 150, 200), (200, 200, 200), (30, 30, 30)),
               "ss_card": ((238, 238, 238), (215, 232, 240))}


@dataclass
class Shot:
    image: np.ndarray
    corners: np.ndarray | None
    kind: str | None
    area: float
    tags: tuple[str, ...]


def _luma(bgr) -> float:
    return float(0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2])


def _pose(rng: np.random.Generator, w: int, h: int, size_mm: tuple[float, float], cover: float):
    """The document's corners in the frame for a random 3-D pose that keeps it inside, and the tilt."""
    f = w * rng.uniform(0.8, 1.4)
    tilt = math.radians(rng.uniform(25, 45) if rng.random() < 0.2 else rng.uniform(0, 25))
    d = rng.uniform(0, 2 * math.pi)
    ax, ay, az = tilt * math.cos(d), tilt * math.sin(d), rng.uniform(-math.pi, math.pi)
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    a, b = size_mm
    body = np.array([[-a / 2, -b / 2, 0], [a / 2, -b / 2, 0], [a / 2, b / 2, 0], [-a / 2, b / 2, 0]]) @ (rx @ ry @ rz).T
    for _ in range(200):
        z = f * math.sqrt(a * b / (cover * w * h))
        off = rng.uniform(-0.3, 0.3, 2) * np.array([w, h]) * z / f
        p = body + np.array([off[0], off[1], z])
        if p[:, 2].min() <= 0.2 * z:
            cover *= 0.95
            continue
        pts = f * p[:, :2] / p[:, 2:3] + np.array([w / 2, h / 2])
        if pts[:, 0].min() > 0.03 * w and pts[:, 0].max() < 0.97 * w and pts[:, 1].min() > 0.03 * h and \
                pts[:, 1].max() < 0.97 * h:
            return pts.astype(np.float32), math.degrees(tilt)
        cover *= 0.97
    raise ValueError("no pose fits")


def _finish(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Light (colour cast, gradient, vignette), lens (defocus), sensor (noise) and JPEG."""
    h, w = img.shape[:2]
    img *= np.float32(rng.uniform(0.95, 1.05, 3)) * np.float32(rng.uniform(0.7, 1.1))
    yy, xx = np.ogrid[0:h, 0:w]
    if rng.random() < 0.5:
        ang = rng.uniform(0, 2 * np.pi)
        t = (xx / w - 0.5) * math.cos(ang) + (yy / h - 0.5) * math.sin(ang) + 0.5
        img *= (1 - rng.uniform(0.1, 0.45) * np.clip(t, 0, 1)).astype(np.float32)[..., None]
    r2 = ((xx - w / 2) / w) ** 2 + ((yy - h / 2) / w) ** 2
    img *= (1 - rng.uniform(0, 0.6) * r2).astype(np.float32)[..., None]
    if rng.random() < 0.4:
        cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.6, 2.0)), dst=img)
    img += rng.normal(0, 1, img.shape).astype(np.float32) * (rng.uniform(1, 4) + np.sqrt(np.maximum(img, 0)) *
                                                              rng.uniform(0, 0.35))
    out = np.clip(img, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(45, 93))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else out


def _document(rng: np.random.Generator, kind: str, tags: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The document's face, its alpha (rounded corners for cards) and its base colour."""
    a, b = _MM[kind]
    px = 900
    w, h = (px, int(px * b / a)) if a >= b else (int(px * a / b), px)
    if kind in _CARD_TONES:
        tones = _CARD_TONES[kind]
        tone = np.float32(tones[int(rng.integers(0, len(tones)))]) + np.float32(rng.uniform(-10, 10, 3))
        face = card_face(kind, rng, w, h, tone)
        alpha = rounded_alpha(w, h, w * 3.18 / 85.6)
    else:
        tone = np.float32([rng.uniform(215, 245)] * 3)
        if kind == "hukou":
            tone *= np.float32([1.0, 1.0, 0.9])
        page = synth.page_canvas("a4", rng, int(tone[0]), long_side=max(w, h))
        face = cv2.resize(page, (w, h)) * (tone / max(float(tone[0]), 1.0))
        if kind == "hukou":
            for y in np.linspace(0.1 * h, 0.9 * h, 9):
                cv2.line(face, (int(0.05 * w), int(y)), (int(0.95 * w), int(y)), (120, 110, 150), 2)
        alpha = rounded_alpha(w, h, 0)
    return face, alpha, tone


def shot(seed: int, with_doc: bool = True, width: int = 1280, height: int = 720) -> Shot:
    """One frame: a document with its true corners (tl, tr, br, bl of the document), or none."""
    rng = np.random.default_rng([seed, 2024])
    if not with_doc:
        return _empty(rng, width, height)
    kind = str(rng.choice(KINDS, p=_P))
    tags = [kind]
    face, alpha, tone = _document(rng, kind, tags)
    trouble = rng.random()
    desk_tone = None
    if trouble < 0.15:  # colour-only edge: a desk as bright as the document, in another hue
        hue = np.float32(rng.uniform(60, 240, 3))
        hue *= _luma(tone) / max(_luma(hue), 1.0)
        desk_tone = np.clip(hue, 0, 255)
        name = "tinted"
        tags.append("colour_only")
    elif trouble < 0.5:
        name = str(rng.choice(LIGHT_DESKS))
        tags.append("light_desk")
    else:
        name = str(rng.choice(DESKS))
    tags.append(name)
    img = desk(name, height, width, rng, desk_tone)
    cover = float(rng.uniform(*_COVER[kind]))
    corners, tilt = _pose(rng, width, height, _MM[kind], cover)
    if tilt > 25:
        tags.append("tilt")
    fh, fw = face.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [fw, 0], [fw, fh], [0, fh]]), corners)
    wa = cv2.warpPerspective(alpha, m, (width, height), flags=cv2.INTER_AREA)
    if rng.random() < 0.6:  # the drop shadow of a document lying a little off the desk
        sh = cv2.GaussianBlur(np.roll(wa, (int(rng.integers(-4, 5)), int(rng.integers(-4, 5))), (0, 1)), (0, 0), 4)
        img *= (1 - rng.uniform(0.1, 0.3) * sh)[..., None]
    wf = cv2.warpPerspective(face, m, (width, height), flags=cv2.INTER_LINEAR)
    img = img * (1 - wa[..., None]) + wf * wa[..., None]
    area = float(cv2.contourArea(corners)) / (width * height)
    short = float(min(np.linalg.norm(corners - np.roll(corners, 1, axis=0), axis=1)))
    if rng.random() < (0.3 if kind.endswith("card") else 0.12):
        c = corners.mean(axis=0) + rng.uniform(-0.45, 0.45, 2) * (corners.max(0) - corners.min(0))
        glare(img, c, short * rng.uniform(0.15, 0.4), float(rng.uniform(120, 300)), rng,
              None if rng.random() < 0.4 else wa)
        tags.append("glare")
    if rng.random() < (0.55 if kind.endswith("card") else 0.25):  # held: a thumb over an edge, maybe two
        for _ in range(1 if rng.random() < 0.7 else 2):
            i = int(rng.integers(0, 4))
            at = corners[i] + (corners[(i + 1) % 4] - corners[i]) * rng.uniform(0.15, 0.85)
            thumb(img, at, corners.mean(axis=0) - at, max(18.0, short * rng.uniform(0.22, 0.4)), rng)
        tags.append("thumb")
    tags.append("small" if area < 0.15 else "mid")
    return Shot(_finish(img, rng), corners, kind, area, tuple(tags))


def _empty(rng: np.random.Generator, width: int, height: int) -> Shot:
    name = str(rng.choice(DESKS))
    img = desk(name, height, width, rng)
    what = str(rng.choice(("tablet", "phone", "tablet_hand", "hands"), p=(0.4, 0.3, 0.2, 0.1)))
    if what != "hands":
        screen_device(img, rng, "phone" if what == "phone" else "tablet")
    if what in ("tablet_hand", "hands"):
        for _ in range(int(rng.integers(1, 3))):
            at = rng.uniform([0.2, 0.2], [0.8, 0.8]) * (width, height)
            thumb(img, at, rng.normal(0, 1, 2), float(rng.uniform(40, 80)), rng)
    return Shot(_finish(img, rng), None, None, 0.0, (what, name))
