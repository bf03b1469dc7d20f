"""The second held-out renderer: ``shot(seed)`` → one 1280×720 frame (BGR uint8) with a document and its
true corners, ``shot(seed, with_doc=False)`` → a frame with no document.

A document lies on a desk as a plane in 3D (tilted up to 55°), maybe curled at an edge or a corner,
bowed, or folded; it is projected by a pinhole camera onto an ideal canvas (drop shadow, props under and
over it, fingers over an edge, light, glare) which :class:`optics.Lens` distorts into the frame.
Cards cover 15–35 % of the frame. The true corners are the document's physical corners (for a card with
rounded corners, where its straight sides meet), after the lens, in frame pixels.

Deterministic: everything comes from ``numpy.random.default_rng(seed)``. Written without looking at
the detector or at the other renderers' code; never used to tune the detector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .optics import Lens, finish, glare, illuminate
from .papers import CARD_KINDS, LIGHT_KINDS, SIZES_MM, document
from .props import PROPS, finger, prop
from .surfaces import LIGHT, SURFACES, surface

KINDS = ("id_card", "bank_card", "ss_card", "hukou", "a4", "a5")
_KIND_P = np.array([0.26, 0.14, 0.14, 0.14, 0.22, 0.10])
_AREA = {"hukou": (0.2, 0.45), "a4": (0.25, 0.62), "a5": (0.2, 0.5)}
_GRID = 17


@dataclass
class Shot:
    image: np.ndarray  # BGR uint8
    corners: np.ndarray | None  # 4×2 float32 frame pixels (top-left, top-right, bottom-right, bottom-left of the document)
    kind: str | None
    area: float  # share of the frame inside the true corners
    tags: tuple[str, ...]


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cz, sz, cx, sx, cy, sy = (math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch), math.cos(roll),
                              math.sin(roll))
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    return ry @ rx @ rz


def _lift_fn(rng: np.random.Generator, kind: str, wmm: float, hmm: float):
    """Height above the desk (mm) of the document's point (u, v) in mm from its top-left, and a tag."""
    if kind in CARD_KINDS or rng.random() < 0.5:
        bow = rng.uniform(0, 1.5) if kind in CARD_KINDS else 0.0
        return (lambda u, v: bow * np.sin(np.pi * u / wmm)), None
    style = rng.choice(["edge", "corner", "bow", "fold"])
    if style == "edge":
        side = int(rng.integers(4))
        depth = rng.uniform(0.1, 0.3)
        height = rng.uniform(8, 30)
        def f(u, v):
            s = [v / hmm, 1 - u / wmm, 1 - v / hmm, u / wmm][side]
            t = np.clip((depth - s) / depth, 0, None)
            return height * t ** 2
    elif style == "corner":
        cu, cv = rng.integers(2), rng.integers(2)
        depth = rng.uniform(0.25, 0.5)
        height = rng.uniform(10, 35)
        def f(u, v):
            s = (np.abs(u / wmm - cu) + np.abs(v / hmm - cv)) / 2
            return height * np.clip((depth - s) / depth, 0, None) ** 2
    elif style == "bow":
        height = rng.uniform(5, 18)
        def f(u, v):
            return height * np.sin(np.pi * u / wmm)
    else:  # folded once across the middle and opened again: a low tent
        height = rng.uniform(4, 14)
        def f(u, v):
            return height * (1 - np.abs(2 * v / hmm - 1))
    return f, str(style)


def _project(f: float, c: np.ndarray, r: np.ndarray, t: np.ndarray, pts3: np.ndarray) -> np.ndarray:
    p = pts3 @ r.T + t
    return f * p[..., :2] / p[..., 2:3] + c


def _place(rng, kind, cw, ch, lens: Lens, tilt_strong: bool):
    wmm, hmm = SIZES_MM[kind]
    if kind in ("a4", "a5") and rng.random() < 0.3:
        wmm, hmm = hmm, wmm
    f = rng.uniform(0.8, 1.3) * lens.w
    c = np.array([cw / 2, ch / 2])
    yaw = rng.uniform(-np.pi, np.pi) if rng.random() < 0.4 else rng.normal(0, 0.15) + rng.integers(4) * np.pi / 2
    if tilt_strong:
        pitch, roll = rng.uniform(0.5, 0.95) * rng.choice([-1, 1]), rng.normal(0, 0.15)
    else:
        pitch, roll = rng.normal(0, 0.15), rng.normal(0, 0.15)
    r = _rotation(yaw, pitch, roll)
    lo, hi = (0.15, 0.35) if kind in CARD_KINDS else _AREA[kind]
    target = rng.uniform(lo, hi) * lens.w * lens.h
    flat = np.array([[0, 0, 0], [wmm, 0, 0], [wmm, hmm, 0], [0, hmm, 0]], float) - (wmm / 2, hmm / 2, 0)
    z = 1000.0
    for _ in range(3):
        q = _project(f, c, r, np.array([0, 0, z]), flat)
        z *= math.sqrt(cv2.contourArea(q.astype(np.float32)) / target)
    lo_xy = np.array([lens.mx, lens.my]) + 0.03 * lens.w
    hi_xy = np.array([lens.mx + lens.w, lens.my + lens.h]) - 0.03 * lens.w
    for _ in range(4):  # too big for the frame (a portrait A4 cannot cover 60 %): step back
        q = _project(f, c, r, np.array([0, 0, z]), flat)
        span = q.max(0) - q.min(0)
        over = float(np.max(span / (hi_xy - lo_xy)))
        if over <= 1:
            break
        z *= over * 1.03
    room = np.maximum(hi_xy - lo_xy - span, 0)
    shift = lo_xy + rng.uniform(0, 1, 2) * room - q.min(0)
    t = np.array([shift[0] * z / f, shift[1] * z / f, z])
    return f, c, r, t, wmm, hmm


def _render_doc(rng, canvas, kind, f, c, r, t, wmm, hmm, lift):
    """Draws the document; returns its true corners (canvas px) and its coverage mask."""
    ch, cw = canvas.shape[:2]
    gu, gv = np.meshgrid(np.linspace(0, wmm, _GRID), np.linspace(0, hmm, _GRID))
    z = lift(gu, gv) * np.ones_like(gu)
    off = np.array([wmm / 2, hmm / 2, 0])
    lifted = _project(f, c, r, t, np.stack([gu, gv, -z], -1) - off)
    flat = _project(f, c, r, t, np.stack([gu, gv, np.zeros_like(gu)], -1) - off)
    corners = lifted[[0, 0, -1, -1], [0, -1, -1, 0]]
    ppm = min(9.0, max(2.5, 1.4 * math.sqrt(cv2.contourArea(corners.astype(np.float32)) / (wmm * hmm))))
    tex, alpha = document(kind, rng, ppm)
    th, tw = alpha.shape
    h_tex = cv2.getPerspectiveTransform(np.float32([[0, 0], [tw, 0], [tw, th], [0, th]]),
                                        flat[[0, 0, -1, -1], [0, -1, -1, 0]].astype(np.float32))
    hinv = np.linalg.inv(h_tex).astype(np.float32)
    disp = (lifted - flat).astype(np.float32)  # image-space displacement on the texture grid
    slope = np.hypot(*np.gradient(z, wmm / (_GRID - 1), hmm / (_GRID - 1)))
    x0, y0 = np.maximum(np.floor(lifted.reshape(-1, 2).min(0)) - 3, 0).astype(int)
    x1, y1 = np.minimum(np.ceil(lifted.reshape(-1, 2).max(0)) + 4, (cw, ch)).astype(int)
    py, px = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d = np.zeros(px.shape + (2,), np.float32)
    for _ in range(4):  # fixed point: p = H(u) + disp(u)
        qx, qy = px - d[..., 0], py - d[..., 1]
        w_ = hinv[2, 0] * qx + hinv[2, 1] * qy + hinv[2, 2]
        ux = (hinv[0, 0] * qx + hinv[0, 1] * qy + hinv[0, 2]) / w_
        uy = (hinv[1, 0] * qx + hinv[1, 1] * qy + hinv[1, 2]) / w_
        ux, uy = ux.astype(np.float32), uy.astype(np.float32)
        gx, gy = ux * np.float32((_GRID - 1) / tw), uy * np.float32((_GRID - 1) / th)
        d = cv2.remap(disp, gx, gy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    a = cv2.remap(alpha, ux, uy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    img = cv2.remap(tex, ux, uy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    shade = 1 - 0.35 * np.clip(cv2.remap(slope.astype(np.float32), gx, gy, cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REPLICATE), 0, 1.2) * rng.uniform(0.3, 1)
    region = canvas[y0:y1, x0:x1]
    # the document's own shadow on the desk, stronger under a lifted part
    sh = cv2.GaussianBlur(a, (0, 0), rng.uniform(1.5, 5))
    sh = np.roll(sh, (int(rng.integers(-4, 5)), int(rng.integers(-4, 5))), (0, 1))
    region *= (1 - rng.uniform(0.04, 0.3) * sh)[..., None]
    region[:] = region * (1 - a[..., None]) + img * shade[..., None] * a[..., None]
    mask = np.zeros((ch, cw), np.float32)
    mask[y0:y1, x0:x1] = a
    return corners.astype(np.float64), mask


def _fingers(rng, canvas, corners, px_mm):
    """One to three fingers over one side of the document, pointing inwards."""
    i = int(rng.integers(4))
    a, b = corners[i], corners[(i + 1) % 4]
    centre = corners.mean(0)
    edge = b - a
    normal = np.array([-edge[1], edge[0]]) / (np.linalg.norm(edge) + 1e-9)
    if np.dot(centre - a, normal) < 0:
        normal = -normal
    s0 = rng.uniform(0.2, 0.75) if rng.random() < 0.85 else rng.uniform(0.08, 0.2)
    skin = np.float32([rng.uniform(110, 170), rng.uniform(140, 190), rng.uniform(185, 240)])
    for k in range(int(rng.integers(1, 4))):
        s = min(0.92, s0 + k * 0.05)
        tip = a + edge * s + normal * rng.uniform(6, 22) * px_mm
        direction = normal + rng.normal(0, 0.25, 2)
        finger(canvas, rng, tip, direction / np.linalg.norm(direction), px_mm, skin)


def shot(seed: int, with_doc: bool = True, width: int = 1280, height: int = 720) -> Shot:
    rng = np.random.default_rng(seed)
    margin = (int(0.14 * width), int(0.14 * height))
    cw, ch = width + 2 * margin[0], height + 2 * margin[1]
    lens = Lens(rng, width, height, margin)
    tags: list[str] = []
    low = with_doc and rng.random() < 0.25
    kind = str(rng.choice(KINDS, p=_KIND_P / _KIND_P.sum())) if with_doc else None
    if low:
        desk_name = str(rng.choice(LIGHT))
        if kind not in LIGHT_KINDS:
            kind = str(rng.choice(["id_card", "ss_card", "a4"]))
        tags.append("lowcontrast")
    else:
        desk_name = str(rng.choice(SURFACES))
    tags.insert(0, desk_name)
    canvas = surface(desk_name, ch, cw, rng)
    px_mm = rng.uniform(2.0, 4.0)  # the desk's scale for props (when there is no document to measure)
    n_props = int(rng.integers(0, 4)) if with_doc else int(rng.integers(1, 5))
    for _ in range(n_props):
        prop(canvas, rng, str(rng.choice(PROPS)), (rng.uniform(0, cw), rng.uniform(0, ch)), px_mm)
    if n_props:
        tags.append("clutter")
    corners = None
    mask = None
    if with_doc:
        assert kind is not None
        tags.insert(0, kind)
        strong = rng.random() < 0.25
        f, c, r, t, wmm, hmm = _place(rng, kind, cw, ch, lens, strong)
        lift, style = _lift_fn(rng, kind, wmm, hmm)
        corners, mask = _render_doc(rng, canvas, kind, f, c, r, t, wmm, hmm, lift)
        px_mm = math.sqrt(cv2.contourArea(corners.astype(np.float32)) / (wmm * hmm))
        if strong:
            tags.append("tilt")
        if style:
            tags.append("curl:" + style)
        if rng.random() < 0.35:
            _fingers(rng, canvas, corners, px_mm)
            tags.append("fingers")
        if rng.random() < 0.15:  # a pen lying across the document
            prop(canvas, rng, "pen", corners.mean(0) + rng.normal(0, 30, 2), px_mm)
            tags.append("pen_over")
    else:
        for _ in range(int(rng.integers(0, 3))):
            tip = np.array([rng.uniform(0.2, 0.8) * cw, rng.uniform(0.2, 0.8) * ch])
            direction = tip - (cw / 2, ch / 2) + rng.normal(0, 40, 2)
            finger(canvas, rng, tip, -direction / (np.linalg.norm(direction) + 1e-9), px_mm)
    body = rng.random() < 0.3
    illuminate(canvas, rng, body)
    if body:
        tags.append("shadow")
    if rng.random() < 0.3:
        where = corners.mean(0) + rng.normal(0, 60, 2) if corners is not None else (rng.uniform(0, cw),
                                                                                    rng.uniform(0, ch))
        glare(canvas, rng, where, rng.uniform(20, 90), mask if mask is not None and rng.random() < 0.7 else None)
        tags.append("glare")
    frame, more = finish(lens.apply(canvas), rng)
    tags.extend(more)
    truth, area = None, 0.0
    if corners is not None:
        truth = lens.to_frame(corners).astype(np.float32)
        area = float(cv2.contourArea(truth)) / (width * height)
    return Shot(frame, truth, kind, area, tuple(tags))
