"""Two more kinds of training frame for the document model (``bench/doc_model_data.py``; a dev script).

What the second round's model still missed or took for a page: *small cards held in the hand* (2–13 %
of the frame, one to three fingers over an edge or a corner, sometimes pinched from both sides) and
*phones and tablets with lit screens*, with thin dark bezels, seen in perspective, often held by a
thumb, their screens showing a page, a card, a photo or an app (hard negatives: a document on a screen
is not one to capture). Both are built from :mod:`~kiosk.devices.camera.synth_train`'s and
:mod:`~kiosk.devices.camera.synth_props`' parts (desks, card faces, a 3-D pose, thumbs, the camera's
finish); the detector's bench sets never call these functions, and their seeds (40 000 000 +) are the
training data's.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.devices.camera import synth, synth_train
from kiosk.devices.camera.synth_props import DESKS, LIGHT_DESKS, card_face, desk, glare, rounded_alpha, thumb

_DEVICE_MM = {"phone": ((140.0, 160.0), (65.0, 76.0)), "tablet": ((200.0, 280.0), (135.0, 190.0))}
_DEVICE_COVER = {"phone": (0.03, 0.14), "tablet": (0.08, 0.35)}


def _place(img: np.ndarray, face: np.ndarray, alpha: np.ndarray, corners: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    fh, fw = face.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [fw, 0], [fw, fh], [0, fh]]), corners)
    a = cv2.warpPerspective(alpha, m, (w, h), flags=cv2.INTER_AREA)
    f = cv2.warpPerspective(face, m, (w, h), flags=cv2.INTER_LINEAR)
    img[:] = img * (1 - a[..., None]) + f * a[..., None]
    return a


def _hold(img: np.ndarray, corners: np.ndarray, rng: np.random.Generator, fingers: int, scale) -> None:
    """``fingers`` thumbs over the quad's edges (or a corner); the second often on the opposite side."""
    short = float(min(np.linalg.norm(corners - np.roll(corners, 1, axis=0), axis=1)))
    side = int(rng.integers(0, 4))
    for k in range(fingers):
        i = (side + 2) % 4 if k == 1 and rng.random() < 0.6 else int(rng.integers(0, 4))
        t = rng.uniform(0.1, 0.9) if rng.random() < 0.75 else 0.0
        at = corners[i] + (corners[(i + 1) % 4] - corners[i]) * t
        thumb(img, at, corners.mean(axis=0) - at, max(scale, short * rng.uniform(*((0.25, 0.55)))), rng)


def screen(img: np.ndarray, rng: np.random.Generator, kind: str) -> np.ndarray:
    """A phone or tablet with its screen lit, in a 3-D pose; returns its corners."""
    h, w = img.shape[:2]
    long, short = (float(rng.uniform(*r)) for r in _DEVICE_MM[kind])
    corners, _ = synth_train._pose(rng, w, h, (long, short), float(rng.uniform(*_DEVICE_COVER[kind])))
    bw = 600
    bh = int(bw * short / long)
    what = rng.random()
    body = np.empty((bh, bw, 3), np.float32)  # a page on a light body would be a page: dark under pages
    body[:] = float(rng.uniform(5, 35) if what < 0.35 or rng.random() < 0.8 else rng.uniform(150, 215))
    bez = max(3, int(bh * rng.uniform(0.02, 0.06)))
    sw, sh = bw - 2 * bez, bh - 2 * bez
    if what < 0.35:  # a page or a white app
        scr = synth.page_canvas("a4", rng, int(rng.uniform(215, 250)), long_side=max(sw, sh))
        scr = cv2.resize(scr, (sw, sh))
    elif what < 0.55:  # a card shown on the screen
        tone = np.float32(rng.uniform(150, 240, 3))
        scr = np.full((sh, sw, 3), float(rng.uniform(20, 240)), np.float32)
        cw = int(sw * rng.uniform(0.6, 0.95))
        ch = min(sh - 2, int(cw * 54 / 85.6))
        face = card_face(str(rng.choice(("id_card", "bank_card", "ss_card"))), rng, cw, ch, tone)
        x, y = (sw - cw) // 2, (sh - ch) // 2
        scr[y : y + ch, x : x + cw] = face
    elif what < 0.8:  # a photo or a video
        grid = rng.uniform(0, 255, (int(rng.integers(3, 7)), int(rng.integers(4, 9)), 3)).astype(np.float32)
        scr = np.clip(cv2.resize(grid, (sw, sh), interpolation=cv2.INTER_CUBIC), 0, 255)
    else:  # an app: a bar and tiles
        scr = np.full((sh, sw, 3), float(rng.uniform(200, 245)), np.float32)
        cv2.rectangle(scr, (0, 0), (sw, int(0.12 * sh)), tuple(float(v) for v in rng.uniform(0, 255, 3)), -1)
        for _ in range(6):
            x, y = int(rng.uniform(0, 0.8) * sw), int(rng.uniform(0.15, 0.8) * sh)
            col = tuple(float(v) for v in rng.uniform(0, 255, 3))
            cv2.rectangle(scr, (x, y), (x + sw // 6, y + sh // 6), col, -1)
    body[bez : bez + sh, bez : bez + sw] = scr * rng.uniform(1.0, 1.3)  # emissive: brighter than the room
    a = _place(img, body, rounded_alpha(bw, bh, bh * rng.uniform(0.02, 0.12)), corners)
    if rng.random() < 0.3:
        c = corners.mean(axis=0) + rng.uniform(-0.4, 0.4, 2) * (corners.max(0) - corners.min(0))
        glare(
            img, c, float(np.ptp(corners[:, 1])) * rng.uniform(0.1, 0.3), float(rng.uniform(60, 200)), rng, a
        )
    return corners


def held_card(seed: int, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """A small card (2–13 % of the frame) held by one to three fingers, sometimes beside a lit screen."""
    rng = np.random.default_rng([seed, 7311])
    name = str(rng.choice(LIGHT_DESKS if rng.random() < 0.4 else DESKS))
    img = desk(name, h, w, rng)
    if rng.random() < 0.3:
        screen(img, rng, "phone" if rng.random() < 0.5 else "tablet")
    kind = str(rng.choice(("id_card", "bank_card", "ss_card")))
    face, alpha, _ = synth_train._document(rng, kind, [])
    corners, _ = synth_train._pose(rng, w, h, synth_train._MM[kind], float(rng.uniform(0.02, 0.13)))
    _place(img, face, alpha, corners)
    _hold(img, corners, rng, int(rng.choice((1, 2, 3), p=(0.5, 0.4, 0.1))), 9.0 * w / 1280)
    if rng.random() < 0.25:
        c = corners.mean(axis=0) + rng.uniform(-0.4, 0.4, 2) * (corners.max(0) - corners.min(0))
        glare(
            img, c, float(np.ptp(corners[:, 1])) * rng.uniform(0.15, 0.4), float(rng.uniform(100, 250)), rng
        )
    return synth_train._finish(img, rng), corners


def lit_screens(seed: int, w: int, h: int) -> np.ndarray:
    """No document: one or two phones or tablets with lit screens, often held, maybe a hand beside."""
    rng = np.random.default_rng([seed, 7312])
    img = desk(str(rng.choice(DESKS + LIGHT_DESKS)), h, w, rng)
    for _ in range(1 if rng.random() < 0.75 else 2):
        corners = screen(img, rng, "phone" if rng.random() < 0.5 else "tablet")
        if rng.random() < 0.5:
            _hold(img, corners, rng, int(rng.integers(1, 3)), 18.0 * w / 1280)
    return synth_train._finish(img, rng)
