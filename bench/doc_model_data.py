"""Training data of the document model (``bench/train_doc_model.py``): frames of our own renderers only,
and the augmentation that turns each into a 128×128 input with its targets (a dev script, never run by CI).

Frames: :mod:`~kiosk.devices.camera.synth` (``random_scene``), :mod:`~kiosk.devices.camera.synth_hall`,
:mod:`~kiosk.devices.camera.synth_train` (rendered at 640×360 then halved, so its thumbs and glare keep
their size), and page-less ones from :mod:`~kiosk.devices.camera.synth_empty`, ``synth_hall.hall_no_page``
and ``synth_train.shot(with_doc=False)``; stored at 320×180 with seeds from 40 000 000 on (no bench set
uses them). Never the held-out renderers in ``bench/heldout*``, never the real photos.

Augmentation (generic, what hall cameras see): a crop of any aspect keeping the document whole, a small
extra perspective warp, quarter turns and mirrors; the document's brightness pulled toward its desk's
(light on light, colour-only edges); a soft shadow over part of the frame; fingers (our renderer's thumb)
over an edge or a corner; clutter beside the document (pens, blobs, coins); colour gain, gamma, contrast
down to faint; grey; lens distortion (barrel or pincushion); defocus or motion blur; noise; JPEG 25–90.
Targets: the document's quad filled and a heatmap of its four corners (a Gaussian of one output cell),
both on the 64×64 output grid.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera import synth, synth_empty, synth_hall, synth_train
from kiosk.devices.camera.synth_props import thumb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_model_scenes import held_card, lit_screens  # noqa: E402

W, H = 320, 180  # stored frame
SIDE, OUT = 128, 64  # network input and output grid


def _cached_canvases() -> None:
    """Drawing a page's text is most of a render: reuse 24 canvases per kind and size (toned on use)."""
    original, cache = synth.page_canvas, {}

    def page_canvas(kind, rng, tone=242, long_side=900):
        key = (kind, long_side, int(rng.integers(0, 24)))
        if key not in cache:
            cache[key] = original(kind, np.random.default_rng(key[2] + 77), 242, long_side)
        return cache[key] * np.float32(tone / 242.0)

    synth.page_canvas = page_canvas
    synth._page.cache_clear()


def render(frames: int, seed: int, path: Path, chunk: int = 1000) -> None:
    """``frames`` frames (72 % with a document: 10 % ``synth``, 15 % hall, 30 % the training renderer's hard
    kinds, 17 % small held cards; 28 % page-less, 13 % of all lit phones and tablets),
    saved every ``chunk`` frames as ``<path>.<seed>-<n>.npz`` (training may start on the first ones)."""
    _cached_canvases()
    rng = np.random.default_rng(seed)
    images, quads = [], []
    t0 = time.time()
    for i in range(frames):
        what = rng.random()
        s = 40_000_000 + seed * 100_000 + i
        quad = None
        if what < 0.10:
            img, quad = synth.render(synth.random_scene(rng, W, H))
        elif what < 0.25:
            img, quad = synth_hall.render_hall(synth_hall.hall_scene(rng, W, H))
        elif what < 0.55:
            shot = synth_train.shot(s, True, 2 * W, 2 * H)
            img = cv2.resize(shot.image, (W, H), interpolation=cv2.INTER_AREA)
            quad = (shot.corners + 0.5) / 2 - 0.5
        elif what < 0.72:  # small cards held by fingers
            img, corners = held_card(s, 2 * W, 2 * H)
            img = cv2.resize(img, (W, H), interpolation=cv2.INTER_AREA)
            quad = (corners + 0.5) / 2 - 0.5
        elif what < 0.77:
            img = synth_empty.no_page(synth_empty.NO_PAGE_KINDS[i % len(synth_empty.NO_PAGE_KINDS)], s, W, H)
        elif what < 0.82:
            img = synth_hall.hall_no_page(synth_hall.HALL_NO_PAGE[i % len(synth_hall.HALL_NO_PAGE)], s, W, H)
        elif what < 0.87:
            img = cv2.resize(
                synth_train.shot(s, False, 2 * W, 2 * H).image, (W, H), interpolation=cv2.INTER_AREA
            )
        else:  # phones and tablets with lit screens, often held: hard negatives
            img = cv2.resize(lit_screens(s, 2 * W, 2 * H), (W, H), interpolation=cv2.INTER_AREA)
        images.append(img)
        quads.append(np.full((4, 2), np.nan, np.float32) if quad is None else np.float32(quad))
        if len(images) == chunk or i == frames - 1:
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(f"{path.stem}.{seed}-{i // chunk}.npz")  # seeds never overwrite others
            np.savez(part.with_suffix(".tmp.npz"), images=np.stack(images), quads=np.stack(quads))
            part.with_suffix(".tmp.npz").rename(part)
            images, quads = [], []
            print(f"{i + 1} frames, {time.time() - t0:.0f} s", flush=True)


def _crop(img, quad, has, rng):
    h, w = img.shape[:2]
    lo = quad.min(0) if has else np.float32([w, h]) * rng.uniform(0.3, 0.5, 2)
    hi = quad.max(0) if has else lo + 1
    cw = rng.uniform(max(hi[0] - lo[0] + 4, 0.35 * w), w) if rng.random() < 0.6 else w
    ch = rng.uniform(max(hi[1] - lo[1] + 4, 0.35 * h), h) if rng.random() < 0.6 else h
    if rng.random() < 0.2:  # a portrait frame
        ch = h
        cw = max(hi[0] - lo[0] + 4, min(w, h * rng.uniform(0.56, 1.0)))
    x0 = rng.uniform(max(0, hi[0] + 2 - cw), max(0, min(lo[0] - 2, w - cw)) + 1e-3)
    y0 = rng.uniform(max(0, hi[1] + 2 - ch), max(0, min(lo[1] - 2, h - ch)) + 1e-3)
    src = np.float32([[x0, y0], [x0 + cw, y0], [x0 + cw, y0 + ch], [x0, y0 + ch]])
    dst = np.float32([[0, 0], [SIDE, 0], [SIDE, SIDE], [0, SIDE]]) + rng.normal(0, 3, (4, 2)).astype(
        np.float32
    )
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(img, m, (SIDE, SIDE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
    q = cv2.perspectiveTransform(quad.reshape(-1, 1, 2), m).reshape(4, 2) if has else None
    return out.astype(np.float32), q


def _distort(out, fill, q, rng):
    """Radial lens distortion of the input, its mask and its corners (k < 0 barrel, k > 0 pincushion)."""
    k = float(rng.uniform(-0.25, 0.2))
    c = SIDE / 2
    ys, xs = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    dx, dy = (xs - c) / c, (ys - c) / c
    f = 1 + k * (dx * dx + dy * dy)
    mx, my = c + dx * c * f, c + dy * c * f  # where each output pixel reads the undistorted image
    out = cv2.remap(out, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    fill = cv2.remap(fill, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    if q is not None:
        src = (q - c) / c
        p = src.copy()
        for _ in range(8):  # invert p·(1 + k|p|²) = src
            p = src / (1 + k * (p * p).sum(1, keepdims=True))
        q = (c + p * c).astype(np.float32)
    return out, fill, q


def _pull_tone(out, fill, rng):
    """Bring the document's brightness toward the desk around it: light on light, or colour-only."""
    ring = cv2.dilate(fill, np.ones((9, 9), np.uint8)) - fill
    if ring.sum() < 10 or fill.sum() < 10:
        return out
    inside = (out * fill[..., None]).sum((0, 1)) / fill.sum()
    around = (out * ring[..., None]).sum((0, 1)) / ring.sum()
    amount = rng.uniform(0.5, 1.0)
    if rng.random() < 0.5:  # same luma, keep the hue: a colour-only edge
        li, la = inside.mean(), around.mean()
        gain = np.float32(1 + amount * (la / max(li, 1.0) - 1))
    else:
        gain = (1 + amount * (around / np.maximum(inside, 1.0) - 1)).astype(np.float32)
    soft = cv2.GaussianBlur(fill, (0, 0), 0.7)[..., None]
    return out * (1 - soft) + out * gain * soft


def _clutter(out, fill, rng):
    for _ in range(int(rng.integers(1, 5))):
        at = (int(rng.uniform(0, SIDE)), int(rng.uniform(0, SIDE)))
        if fill[min(at[1], SIDE - 1), min(at[0], SIDE - 1)] > 0 and rng.random() < 0.8:
            continue
        col = tuple(float(v) for v in rng.uniform(0, 255, 3))
        r = rng.random()
        if r < 0.4:
            end = (int(at[0] + rng.normal(0, 25)), int(at[1] + rng.normal(0, 25)))
            cv2.line(out, at, end, col, int(rng.integers(1, 5)), cv2.LINE_AA)
        elif r < 0.8:
            axes = (int(rng.uniform(2, 10)), int(rng.uniform(2, 10)))
            cv2.ellipse(out, at, axes, float(rng.uniform(0, 180)), 0, 360, col, -1, cv2.LINE_AA)
        else:
            pts = np.int32(np.array(at) + rng.normal(0, 6, (int(rng.integers(3, 6)), 2)))
            cv2.fillPoly(out, [pts], col, cv2.LINE_AA)


def _shadow(out, rng):
    """A soft shadow (a hand, a head, the kiosk's hood) over a random half-plane or blob."""
    shade = np.zeros((SIDE, SIDE), np.float32)
    if rng.random() < 0.5:
        a, b = rng.uniform(0, SIDE, 2), rng.uniform(0, SIDE, 2)
        n = np.float32([b[1] - a[1], a[0] - b[0]])
        ys, xs = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
        shade = (((xs - a[0]) * n[0] + (ys - a[1]) * n[1]) > 0).astype(np.float32)
    else:
        at = (int(rng.uniform(0, SIDE)), int(rng.uniform(0, SIDE)))
        cv2.ellipse(
            shade,
            at,
            (int(rng.uniform(15, 60)), int(rng.uniform(15, 60))),
            float(rng.uniform(0, 180)),
            0,
            360,
            1.0,
            -1,
        )
    shade = cv2.GaussianBlur(shade, (0, 0), float(rng.uniform(1, 10)))
    return out * (1 - rng.uniform(0.25, 0.6) * shade)[..., None]


def _blur(out, rng):
    if rng.random() < 0.5:
        return cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.3, 1.5)))
    n = int(rng.integers(3, 8))
    kernel = np.zeros((n, n), np.float32)
    a = rng.uniform(0, np.pi)
    c = (n - 1) / 2
    cv2.line(
        kernel,
        (int(round(c - np.cos(a) * c)), int(round(c - np.sin(a) * c))),
        (int(round(c + np.cos(a) * c)), int(round(c + np.sin(a) * c))),
        1.0,
        1,
    )
    return cv2.filter2D(out, -1, kernel / max(kernel.sum(), 1e-6))


def augment(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One training pair: the 128×128 BGR input (uint8) and its 2×64×64 targets (mask, corner heatmap)."""
    has = not np.isnan(quad).any()
    out, q = _crop(img, quad, has, rng)
    fill = np.zeros((SIDE, SIDE), np.float32)
    if has:
        cv2.fillConvexPoly(fill, np.int32(np.round(q * 16)), 1.0, cv2.LINE_AA, 4)
        if rng.random() < 0.2:
            out = _pull_tone(out, fill, rng)
        if rng.random() < 0.3:  # fingers over an edge or a corner
            short = float(min(np.linalg.norm(q - np.roll(q, 1, axis=0), axis=1)))
            for _ in range(1 if rng.random() < 0.7 else 2):
                i = int(rng.integers(0, 4))
                at = q[i] + (q[(i + 1) % 4] - q[i]) * (rng.uniform(0.1, 0.9) if rng.random() < 0.7 else 0.0)
                thumb(out, at, q.mean(axis=0) - at, max(4.0, short * rng.uniform(0.15, 0.4)), rng)
    if rng.random() < 0.3:
        _clutter(out, fill, rng)
    if rng.random() < 0.25:
        out = _shadow(out, rng)
    if rng.random() < 0.25:
        out, fill, q = _distort(out, fill, q, rng)
    out *= np.float32(rng.uniform(0.85, 1.15, 3)) * np.float32(rng.uniform(0.55, 1.3))
    mean = out.mean()
    out = (out - mean) * np.float32(
        rng.uniform(0.35, 1.2) if rng.random() < 0.3 else rng.uniform(0.75, 1.2)
    ) + mean
    out = 255 * (np.clip(out, 0, 255) / 255) ** np.float32(rng.uniform(0.7, 1.4))
    if rng.random() < 0.1:
        out[:] = out.mean(axis=2, keepdims=True)
    if rng.random() < 0.35:
        out = _blur(out, rng)
    out += rng.normal(0, rng.uniform(0, 7), out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.45:
        out = cv2.imdecode(
            cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 90))])[1], 1
        )
    target = np.zeros((2, OUT, OUT), np.float32)
    target[0] = cv2.resize(fill, (OUT, OUT), interpolation=cv2.INTER_AREA)
    if has:
        ys, xs = np.mgrid[0:OUT, 0:OUT].astype(np.float32)
        for x, y in q * (OUT / SIDE) - 0.5 + 0.5 * (OUT / SIDE):  # input pixel centres → output cell centres
            target[1] = np.maximum(target[1], np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / 2))
    k = int(rng.integers(0, 4))
    out, target = np.rot90(out, k), np.rot90(target, k, axes=(1, 2))
    if rng.random() < 0.5:
        out, target = out[:, ::-1], target[:, :, ::-1]
    return np.ascontiguousarray(out), np.ascontiguousarray(target)
