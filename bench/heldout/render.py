"""The held-out renderer: a document photographed by a pinhole camera with lens distortion, on a desk,
with hands, clutter, cast shadows, glare, curl and folds, then vignetting, blur, sensor noise and JPEG.

Never used to tune the detector: ``bench/bench_document.py`` reports it beside the tuning sets.
``shot(seed)`` gives one 1280×720 frame (BGR uint8) with the document's true corners (the corners of
the document's straight sides, i.e. where a rounded card corner would be if it were square), in frame
pixels after distortion; ``shot(seed, with_doc=False)`` a frame with no document.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .content import CARDS, SIZES_MM, document
from .desks import DESKS, desk

KINDS = ("id_card", "bank_card", "ss_card", "hukou", "a4")
_KIND_P = (0.25, 0.15, 0.15, 0.15, 0.30)
_DESK_P = np.array([2, 1, 2, 2, 1, 1, 1, 1, 1], float)
_COVER = {"id_card": (0.08, 0.35), "bank_card": (0.08, 0.35), "ss_card": (0.08, 0.35), "hukou": (0.15, 0.4),
          "a4": (0.22, 0.6)}


@dataclass
class Shot:
    image: np.ndarray  # BGR uint8
    corners: np.ndarray | None  # 4×2 float32, frame pixels
    kind: str | None
    area: float  # share of the frame the document covers
    tags: tuple[str, ...]


def _rot(ax: float, ay: float, az: float) -> np.ndarray:
    cx, sx, cy, sy, cz, sz = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay), math.cos(az), math.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rx @ ry @ rz


class _Camera:
    def __init__(self, rng: np.random.Generator, w: int, h: int):
        self.w, self.h = w, h
        self.f = rng.uniform(0.75, 1.4) * w
        self.c = np.array([w / 2 + rng.uniform(-0.02, 0.02) * w, h / 2 + rng.uniform(-0.02, 0.02) * h])
        self.k = np.array([rng.uniform(-0.3, 0.12), rng.uniform(-0.04, 0.08), 0, 0], np.float64)
        self.matrix = np.array([[self.f, 0, self.c[0]], [0, self.f, self.c[1]], [0, 0, 1]], np.float64)

    def project(self, p: np.ndarray) -> np.ndarray:
        return self.f * p[..., :2] / p[..., 2:3] + self.c

    def distort(self, pts: np.ndarray) -> np.ndarray:
        """Ideal (pinhole) pixel positions → where the lens puts them."""
        x = (pts - self.c) / self.f
        r2 = (x ** 2).sum(axis=-1, keepdims=True)
        return x * (1 + self.k[0] * r2 + self.k[1] * r2 ** 2) * self.f + self.c

    def distortion_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """For each output pixel, where it comes from in the ideal image (coarse grid, upsampled)."""
        step = 8
        gy, gx = np.mgrid[0:self.h + step:step, 0:self.w + step:step].astype(np.float32)
        pts = np.stack([gx.ravel(), gy.ravel()], axis=1).reshape(-1, 1, 2)
        und = cv2.undistortPoints(pts, self.matrix, self.k, P=self.matrix).reshape(gy.shape + (2,))
        full = cv2.resize(und, ((gx.shape[1] - 1) * step + 1, (gx.shape[0] - 1) * step + 1),
                          interpolation=cv2.INTER_LINEAR)[:self.h, :self.w]
        return np.ascontiguousarray(full[..., 0]), np.ascontiguousarray(full[..., 1])


def _lift(kind: str, rng: np.random.Generator, wmm: float, hmm: float):
    """A page curl or fold as a height (mm, toward the camera) over page coordinates; None for flat."""
    if kind in CARDS or rng.random() < 0.55:
        return None, ()
    axis = int(rng.integers(0, 2))
    length = (wmm, hmm)[axis]
    if rng.random() < 0.6:  # one edge curls up
        start, amp, sign = rng.uniform(0.55, 0.8), rng.uniform(0.04, 0.12) * length, rng.choice([-1, 1])
        def lift(u, v):
            t = ((u, v)[axis] / length + 0.5) * sign + (0 if sign > 0 else 1)
            return amp * np.clip((t - start) / (1 - start), 0, None) ** 2
        return lift, ("curl",)
    at, amp = rng.uniform(-0.2, 0.2) * length, rng.uniform(0.02, 0.06) * length  # a fold left by the post
    def fold(u, v):
        return amp * np.clip(1 - np.abs((u, v)[axis] - at) / (0.5 * length), 0, None)
    return fold, ("fold",)


def _place(rng: np.random.Generator, cam: _Camera, kind: str, held: bool):
    """Pose the document so that it covers its drawn share of the frame and lies wholly inside it."""
    wmm, hmm = SIZES_MM[kind]
    lo, hi = _COVER[kind]
    pitch = math.radians(rng.uniform(25, 42) if rng.random() < 0.2 else rng.uniform(0, 25))
    roll = rng.uniform(-math.pi, math.pi)
    desk_r = _rot(pitch, 0, roll)
    for _ in range(200):
        cover = rng.uniform(lo, hi)
        z = cam.f * math.sqrt(wmm * hmm / (cover * cam.w * cam.h))
        r = desk_r @ _rot(0, 0, rng.uniform(-math.pi, math.pi))
        if held:
            r = r @ _rot(*np.radians(rng.uniform(-22, 22, 2)), 0)
        t = np.array([rng.uniform(-0.3, 0.3) * cam.w / cam.f * z, rng.uniform(-0.3, 0.3) * cam.h / cam.f * z, z])
        corners3 = np.array([[-wmm / 2, -hmm / 2, 0], [wmm / 2, -hmm / 2, 0], [wmm / 2, hmm / 2, 0],
                             [-wmm / 2, hmm / 2, 0]]) @ r.T + t
        pts = cam.distort(cam.project(corners3))
        m = 0.03
        if (pts[:, 0].min() > m * cam.w and pts[:, 0].max() < (1 - m) * cam.w and pts[:, 1].min() > m * cam.h
                and pts[:, 1].max() < (1 - m) * cam.h):
            return r, t, desk_r
        lo, hi = lo * 0.97, max(lo * 0.97, hi * 0.97)
    raise RuntimeError("no placement")


def _render_doc(cam: _Camera, canvas: np.ndarray, ppm: float, r: np.ndarray, t: np.ndarray, lift, wmm, hmm):
    """The document layer (RGB premultiplied by alpha, alpha) in ideal pixels, and its ideal corners."""
    corners = np.array([[-wmm / 2, -hmm / 2], [wmm / 2, -hmm / 2], [wmm / 2, hmm / 2], [-wmm / 2, hmm / 2]])

    def to_img(u, v):
        w_ = np.zeros_like(u) if lift is None else -lift(u, v)
        return cam.project(np.stack([u, v, w_], axis=-1) @ r.T + t)

    true = to_img(corners[:, 0], corners[:, 1])
    hom = cv2.getPerspectiveTransform(corners.astype(np.float32), cam.project(
        np.c_[corners, np.zeros(4)] @ r.T + t).astype(np.float32))
    x0, y0 = np.floor(true.min(axis=0) - 40).astype(int).clip(0)
    x1, y1 = np.minimum(np.ceil(true.max(axis=0) + 40).astype(int), [cam.w, cam.h])
    gy, gx = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    inv = np.linalg.inv(hom)
    target = np.stack([gx, gy], axis=-1)
    p = target.copy()
    for _ in range(4 if lift is not None else 1):
        q = np.concatenate([p, np.ones(p.shape[:2] + (1,))], axis=-1) @ inv.T
        u, v = q[..., 0] / q[..., 2], q[..., 1] / q[..., 2]
        if lift is None:
            break
        p = target - (to_img(u, v) - cam.project(np.stack([u, v, np.zeros_like(u)], axis=-1) @ r.T + t))
    mx = ((u + wmm / 2) * ppm - 0.5).astype(np.float32)
    my = ((v + hmm / 2) * ppm - 0.5).astype(np.float32)
    layer = cv2.remap(canvas, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    alpha = layer[..., 3:4] / 255
    if lift is not None:  # the curled part turns from the light
        du = lift(u + 1, v) - lift(u - 1, v)
        dv = lift(u, v + 1) - lift(u, v - 1)
        layer[..., :3] *= np.clip(1 - 0.35 * (du + 0.5 * dv), 0.55, 1.15)[..., None].astype(np.float32)
    full = np.zeros((cam.h, cam.w, 4), np.float32)
    full[y0:y1, x0:x1, :3] = layer[..., :3] * alpha
    full[y0:y1, x0:x1, 3:] = alpha
    return full, true


def _capsule(mask: np.ndarray, a, b, width: float) -> None:
    cv2.line(mask, tuple(int(v) for v in a), tuple(int(v) for v in b), 1.0, max(1, int(width)), cv2.LINE_AA)


def _hand(img: np.ndarray, rng: np.random.Generator, tip, inward, px_mm: float, fingers: int = 2) -> None:
    """Fingers (and a palm) reaching in along ``inward`` with a fingertip at ``tip``, with a soft shadow."""
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.float32)
    d = inward / (np.linalg.norm(inward) + 1e-9)
    side = np.array([-d[1], d[0]])
    fw = rng.uniform(15, 20) * px_mm
    n = int(rng.integers(1, fingers + 1))
    for i in range(n):
        off = side * (i - (n - 1) / 2) * fw * 1.05
        ang = rng.uniform(-0.25, 0.25)
        di = np.array([d[0] * math.cos(ang) - d[1] * math.sin(ang), d[0] * math.sin(ang) + d[1] * math.cos(ang)])
        t = tip + off - di * fw * rng.uniform(0, 0.8) * (i != 0)
        _capsule(mask, t, t - di * rng.uniform(55, 85) * px_mm, fw)
    palm = tip - d * 95 * px_mm
    cv2.ellipse(mask, (int(palm[0]), int(palm[1])), (int(50 * px_mm), int(45 * px_mm)),
                math.degrees(math.atan2(d[1], d[0])), 0, 360, 1.0, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.2)
    shift = rng.uniform(4, 14, 2) * px_mm / 3
    shadow = cv2.GaussianBlur(np.roll(mask, (int(shift[1]), int(shift[0])), axis=(0, 1)), (0, 0), 6 + 2 * px_mm)
    img *= (1 - 0.45 * shadow * (1 - mask))[..., None]
    skin = np.array([rng.uniform(175, 235), rng.uniform(120, 175), rng.uniform(95, 150)], np.float32)
    shade = cv2.GaussianBlur(mask, (0, 0), fw / 3)  # rounder toward the middle of a finger
    img[:] = img * (1 - mask[..., None]) + (skin * (0.65 + 0.45 * shade[..., None])) * mask[..., None]


def _clutter(img: np.ndarray, rng: np.random.Generator, count: int, px_mm: float, near=None) -> None:
    h, w = img.shape[:2]
    for _ in range(count):
        c = near + rng.normal(0, 60, 2) * px_mm if near is not None and rng.random() < 0.6 else rng.uniform([0, 0], [w, h])
        what = rng.random()
        colour = tuple(float(v) for v in rng.uniform(0, 255, 3))
        if what < 0.35:  # a pen
            a = rng.uniform(0, math.pi)
            d = np.array([math.cos(a), math.sin(a)]) * rng.uniform(60, 75) * px_mm
            cv2.line(img, tuple(int(v) for v in c - d), tuple(int(v) for v in c + d), colour, max(2, int(9 * px_mm)),
                     cv2.LINE_AA)
        elif what < 0.55:  # a coin or a cup
            rad = int(rng.choice([11, 40]) * px_mm)
            cv2.circle(img, (int(c[0]), int(c[1])), rad, colour, -1, cv2.LINE_AA)
            cv2.circle(img, (int(c[0]), int(c[1])), int(rad * 0.8), tuple(v * 0.8 for v in colour), 2, cv2.LINE_AA)
        elif what < 0.75:  # a phone, face down or dark screen
            box = cv2.boxPoints(((float(c[0]), float(c[1])), (72 * px_mm, 150 * px_mm), float(rng.uniform(0, 180))))
            cv2.fillConvexPoly(img, box.astype(np.int32), (20.0, 20.0, 24.0), cv2.LINE_AA)
        elif what < 0.9:  # keys: a ring and a few bits
            for _k in range(3):
                p = c + rng.normal(0, 12, 2) * px_mm
                cv2.ellipse(img, (int(p[0]), int(p[1])), (int(25 * px_mm), int(8 * px_mm)), float(rng.uniform(0, 180)),
                            0, 360, (160.0, 160.0, 150.0), -1, cv2.LINE_AA)
        else:  # a sticky note
            box = cv2.boxPoints(((float(c[0]), float(c[1])), (76 * px_mm, 76 * px_mm), float(rng.uniform(0, 90))))
            cv2.fillConvexPoly(img, box.astype(np.int32), (250.0, 235.0, 120.0), cv2.LINE_AA)


def _shadow(img: np.ndarray, rng: np.random.Generator) -> None:
    """A cast shadow (a head, an arm, the camera arm) crossing part of the frame."""
    h, w = img.shape[:2]
    pts = (rng.uniform(-0.3, 1.3, (int(rng.integers(3, 6)), 2)) * (w, h)).astype(np.int32)
    mask = np.zeros((h, w), np.float32)
    cv2.fillPoly(mask, [cv2.convexHull(pts)], 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(8, 50))
    img *= (1 - rng.uniform(0.15, 0.45) * mask)[..., None]


def _finish(img: np.ndarray, rng: np.random.Generator, cam: _Camera) -> np.ndarray:
    h, w = img.shape[:2]
    mx, my = cam.distortion_maps()
    img = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    yy, xx = np.ogrid[0:h, 0:w]
    r2 = ((xx - w / 2) ** 2 + (yy - h / 2) ** 2) / (w * w / 4 + h * h / 4)
    img *= (1 - rng.uniform(0, 0.4) * r2)[..., None].astype(np.float32)
    temp = rng.uniform(-0.12, 0.12)
    img *= np.float32([1 + temp, 1.0, 1 - temp]) * rng.uniform(0.6, 1.15)
    if rng.random() < 0.4:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 2.0))
    elif rng.random() < 0.2:
        k = np.zeros((9, 9), np.float32)
        length = int(rng.integers(3, 9))
        cv2.line(k, (4 - length // 2, 4), (4 + length // 2, 4), 1.0, 1)
        rot = cv2.getRotationMatrix2D((4, 4), float(rng.uniform(0, 180)), 1.0)
        k = cv2.warpAffine(k, rot, (9, 9))
        img = cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))
    gain = rng.uniform(0.2, 0.8)
    img += rng.normal(0, 1, img.shape).astype(np.float32) * (np.sqrt(np.clip(img, 0, None)) * gain + rng.uniform(1, 4))
    if rng.random() < 0.5:  # a phone's sharpening
        img = cv2.addWeighted(img, 1.3, cv2.GaussianBlur(img, (0, 0), 1.5), -0.3, 0)
    bgr = np.clip(img[..., ::-1], 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 92))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _distractor(img: np.ndarray, rng: np.random.Generator) -> str:
    """Something a page-less frame shows: a tablet, a keyboard, a face, or nothing more."""
    h, w = img.shape[:2]
    what = rng.choice(["tablet", "keyboard", "face", "none"])
    c = (float(rng.uniform(0.35, 0.65) * w), float(rng.uniform(0.35, 0.65) * h))
    if what == "tablet":
        box = cv2.boxPoints((c, (float(rng.uniform(0.35, 0.55) * w), float(rng.uniform(0.4, 0.6) * h)), float(rng.uniform(-30, 30))))
        cv2.fillConvexPoly(img, box.astype(np.int32), (25.0, 25.0, 28.0), cv2.LINE_AA)
        cv2.fillConvexPoly(img, ((box - c) * 0.88 + c).astype(np.int32), (35.0, 45.0, 60.0), cv2.LINE_AA)
    elif what == "keyboard":
        box = cv2.boxPoints((c, (float(0.6 * w), float(0.25 * h)), float(rng.uniform(-15, 15))))
        cv2.fillConvexPoly(img, box.astype(np.int32), (40.0, 40.0, 42.0), cv2.LINE_AA)
        for _ in range(60):
            p = box[0] + rng.uniform(0, 1) * (box[1] - box[0]) + rng.uniform(0, 1) * (box[3] - box[0])
            cv2.circle(img, (int(p[0]), int(p[1])), 6, (70.0, 70.0, 72.0), -1)
    elif what == "face":
        cv2.ellipse(img, (int(c[0]), int(c[1])), (int(0.12 * w), int(0.3 * h)), 0, 0, 360, (215.0, 165.0, 135.0), -1, cv2.LINE_AA)
        cv2.ellipse(img, (int(c[0]), int(c[1] - 0.2 * h)), (int(0.13 * w), int(0.14 * h)), 0, 180, 360, (25.0, 20.0, 20.0), -1)
    return str(what)


def shot(seed: int, with_doc: bool = True, width: int = 1280, height: int = 720) -> Shot:
    """One held-out frame (see the module docstring)."""
    rng = np.random.default_rng([seed, 0x5EED])
    cam = _Camera(rng, width, height)
    desk_name = str(rng.choice(DESKS, p=_DESK_P / _DESK_P.sum()))
    tags: list[str] = [desk_name]
    img = desk(desk_name, height, width, rng)
    if not with_doc:
        _shadow(img, rng) if rng.random() < 0.4 else None
        _clutter(img, rng, int(rng.integers(0, 6)), 1.0)
        tags.append(_distractor(img, rng))
        if rng.random() < 0.4:
            _hand(img, rng, rng.uniform([0.3, 0.3], [0.7, 0.7]) * (width, height), rng.normal(0, 1, 2), 2.0, 4)
            tags.append("hand")
        return Shot(_finish(img, rng, cam), None, None, 0.0, tuple(tags))
    kind = str(rng.choice(KINDS, p=_KIND_P))
    wmm, hmm = SIZES_MM[kind]
    held = kind in CARDS and rng.random() < 0.3
    r, t, _ = _place(rng, cam, kind, held)
    lift, lift_tags = _lift(kind, rng, wmm, hmm)
    tags += [kind, *lift_tags] + (["held"] if held else [])
    ppm = 8.0 if kind in CARDS else 3.2
    canvas = document(kind, rng, ppm)
    layer, ideal = _render_doc(cam, canvas, ppm, r, t, lift, wmm, hmm)
    px_mm = float(np.linalg.norm(ideal[1] - ideal[0]) / wmm)
    if rng.random() < 0.5:
        _clutter(img, rng, int(rng.integers(1, 4)), px_mm, near=ideal.mean(axis=0))
        tags.append("clutter")
    alpha = layer[..., 3]
    off = rng.uniform(-1, 1, 2) * px_mm * (12 if held else 2)
    drop = cv2.GaussianBlur(np.roll(alpha, (int(off[1]), int(off[0])), axis=(0, 1)), (0, 0), 2 + px_mm * (4 if held else 1))
    img *= (1 - rng.uniform(0.1, 0.4) * drop * (1 - alpha))[..., None]
    img = img * (1 - alpha[..., None]) + layer[..., :3]
    if rng.random() < 0.25:  # a pen or keys lying over the document
        _clutter(img, rng, 1, px_mm, near=ideal.mean(axis=0))
        tags.append("over")
    if held or rng.random() < 0.25:
        i = int(rng.integers(0, 4))
        a, b = ideal[i], ideal[(i + 1) % 4]
        edge_pt = a + (b - a) * rng.uniform(0.05, 0.95 if not held else 0.5)
        inward = ideal.mean(axis=0) - edge_pt
        tip = edge_pt + inward / np.linalg.norm(inward) * rng.uniform(4, 14) * px_mm
        _hand(img, rng, tip, inward, px_mm, 1 if held else 2)
        tags.append("finger")
    if rng.random() < 0.3 and kind in CARDS:  # a glossy card catches the light
        c = ideal.mean(axis=0) + rng.uniform(-0.3, 0.3, 2) * (ideal.max(0) - ideal.min(0))
        spot = np.zeros((height, width), np.float32)
        cv2.ellipse(spot, (int(c[0]), int(c[1])), (int(rng.uniform(5, 20) * px_mm), int(rng.uniform(3, 8) * px_mm)),
                    float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        img += (cv2.GaussianBlur(spot, (0, 0), 3 * px_mm) * rng.uniform(80, 250) * alpha)[..., None]
        tags.append("glare")
    if rng.random() < 0.3:
        _shadow(img, rng)
        tags.append("shadow")
    truth = cam.distort(ideal).astype(np.float32)
    area = float(cv2.contourArea(truth)) / (width * height)
    if kind in CARDS:
        tags.append("card_small" if area < 0.15 else "card")
    return Shot(_finish(img, rng, cam), truth, kind, area, tuple(tags))
