"""Trains the small document-mask network of :mod:`kiosk.devices.camera.learned` (a dev script, never run by CI).

    python3 -m venv --system-site-packages /tmp/learnvenv && /tmp/learnvenv/bin/pip install torch onnx
    PYTHONPATH=$PWD nice -n 10 /tmp/learnvenv/bin/python bench/train_doc_model.py render --frames 3000
    PYTHONPATH=$PWD nice -n 10 /tmp/learnvenv/bin/python bench/train_doc_model.py train --steps 1600 --batch 16
    PYTHONPATH=$PWD python3 bench/train_doc_model.py eval --frames 60   # cv2.dnn only, no torch

Data: ONLY our own renderers — :mod:`~kiosk.devices.camera.synth` (``random_scene``),
:mod:`~kiosk.devices.camera.synth_hall`, :mod:`~kiosk.devices.camera.synth_train` (documents) and
:mod:`~kiosk.devices.camera.synth_empty`, ``synth_hall.hall_no_page``, ``synth_train.shot(with_doc=False)``
(page-less frames), rendered at 320×180 with seeds from 40 000 000 on (no bench set uses them). Never the
held-out renderers in ``bench/heldout*``, never the real photos. Augmentation at train time: a random crop
of any aspect that keeps the document whole, a small extra perspective warp, quarter turns and mirrors,
colour jitter (gain per channel, gamma, contrast, grey), blur, noise, JPEG, occluders over an edge (a
thumb-coloured blob, a pen), curl (one side bowed). Target: the document's quad filled, 32×32.

One thread (``torch.set_num_threads(1)``), seeded: the same command gives the same model. The last
checkpoint is exported (no selection on any bench set) to ``kiosk/devices/camera/models/docmask.onnx``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera import synth, synth_empty, synth_hall, synth_train

DATA = Path("/tmp/learn/docmask_data.npz")
OUT = Path(__file__).resolve().parent.parent / "kiosk/devices/camera/models/docmask.onnx"
W, H = 320, 180  # rendered frame
SIDE, MASK = 128, 32  # network input and output


def _cached_canvases():
    """Drawing a page's text is most of a render: reuse 24 canvases per kind and size (toned on use)."""
    original, cache = synth.page_canvas, {}

    def page_canvas(kind, rng, tone=242, long_side=900):
        key = (kind, long_side, int(rng.integers(0, 24)))
        if key not in cache:
            cache[key] = original(kind, np.random.default_rng(key[2] + 77), 242, long_side)
        return cache[key] * np.float32(tone / 242.0)

    synth.page_canvas = page_canvas
    synth._page.cache_clear()


def render(frames: int, seed: int) -> None:
    _cached_canvases()
    rng = np.random.default_rng(seed)
    images, quads = [], []
    t0 = time.time()
    for i in range(frames):
        what = rng.random()
        s = 40_000_000 + seed * 100_000 + i
        quad = None
        if what < 0.22:
            img, quad = synth.render(synth.random_scene(rng, W, H))
        elif what < 0.47:
            img, quad = synth_hall.render_hall(synth_hall.hall_scene(rng, W, H))
        elif what < 0.80:
            shot = synth_train.shot(s, True, W, H)
            img, quad = shot.image, shot.corners
        elif what < 0.87:
            img = synth_empty.no_page(synth_empty.NO_PAGE_KINDS[i % len(synth_empty.NO_PAGE_KINDS)], s, W, H)
        elif what < 0.94:
            img = synth_hall.hall_no_page(synth_hall.HALL_NO_PAGE[i % len(synth_hall.HALL_NO_PAGE)], s, W, H)
        else:
            img = synth_train.shot(s, False, W, H).image
        images.append(img)
        quads.append(np.full((4, 2), np.nan, np.float32) if quad is None else np.float32(quad))
        if i % 200 == 199:
            print(f"{i + 1} frames, {time.time() - t0:.0f} s", flush=True)
    DATA.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(DATA, images=np.stack(images), quads=np.stack(quads))


def augment(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One training pair: the 128×128 BGR input and the 32×32 mask of the (moved) quad."""
    h, w = img.shape[:2]
    has = not np.isnan(quad).any()
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
    dst = np.float32([[0, 0], [SIDE, 0], [SIDE, SIDE], [0, SIDE]]) + rng.normal(0, 3, (4, 2)).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(img, m, (SIDE, SIDE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
    q = cv2.perspectiveTransform(quad.reshape(-1, 1, 2), m).reshape(4, 2) if has else None
    out = out.astype(np.float32)
    if has and rng.random() < 0.25:  # something over an edge: a thumb-like blob or a pen
        i = int(rng.integers(0, 4))
        at = q[i] + (q[(i + 1) % 4] - q[i]) * rng.uniform(0.1, 0.9)
        col = (rng.uniform(60, 150), rng.uniform(90, 180), rng.uniform(130, 230)) if rng.random() < 0.6 else \
            tuple(rng.uniform(0, 255, 3))
        if rng.random() < 0.6:
            axes = (int(rng.uniform(4, 12)), int(rng.uniform(8, 22)))
            cv2.ellipse(out, (int(at[0]), int(at[1])), axes, float(rng.uniform(0, 180)), 0, 360, col, -1)
        else:
            end = at + rng.normal(0, 30, 2)
            cv2.line(out, (int(at[0]), int(at[1])), (int(end[0]), int(end[1])), col, int(rng.integers(2, 5)))
    out *= np.float32(rng.uniform(0.85, 1.15, 3)) * np.float32(rng.uniform(0.6, 1.25))
    mean = out.mean()
    out = (out - mean) * np.float32(rng.uniform(0.7, 1.2)) + mean
    out = 255 * (np.clip(out, 0, 255) / 255) ** np.float32(rng.uniform(0.7, 1.4))
    if rng.random() < 0.1:
        out[:] = out.mean(axis=2, keepdims=True)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.3, 1.2)))
    out += rng.normal(0, rng.uniform(0, 6), out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.4:
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 90))])[1], 1)
    mask = np.zeros((MASK, MASK), np.float32)
    if has:
        cv2.fillConvexPoly(mask, np.int32(np.round(q * (MASK / SIDE) * 16)), 1.0, cv2.LINE_AA, 4)
    k = int(rng.integers(0, 4))
    out, mask = np.rot90(out, k), np.rot90(mask, k)
    if rng.random() < 0.5:
        out, mask = out[:, ::-1], mask[:, ::-1]
    return np.ascontiguousarray(out), np.ascontiguousarray(mask)


def build():
    import torch
    import torch.nn as nn

    def block(i, o, s=1, d=1):
        return nn.Sequential(nn.Conv2d(i, o, 3, s, d, dilation=d, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))

    class Net(nn.Module):
        """128×128 BGR → 32×32 mask logits; ~13 M multiply-adds (about a millisecond in cv2.dnn)."""

        def __init__(self):
            super().__init__()
            self.e1 = block(3, 8, 2)  # 64
            self.e2 = nn.Sequential(block(8, 16, 2), block(16, 16))  # 32
            self.e3 = nn.Sequential(block(16, 24, 2), block(24, 24))  # 16
            self.e4 = nn.Sequential(block(24, 32, 2), block(32, 32, d=2), block(32, 32, d=4))  # 8
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
            self.d3 = block(32 + 24, 16)
            self.d2 = block(16 + 16, 8)
            self.head = nn.Conv2d(8, 1, 1)

        def forward(self, x):
            b = self.e2(self.e1(x))
            c = self.e3(b)
            d = self.e4(c)
            c = self.d3(torch.cat([self.up(d), c], 1))
            return self.head(self.d2(torch.cat([self.up(c), b], 1)))

    return Net()


def train(steps: int, seed: int, batch: int) -> None:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    cv2.setNumThreads(1)
    rng = np.random.default_rng(seed)
    data = np.load(DATA)
    images, quads = data["images"], data["quads"]
    net = build()
    print(f"{len(images)} frames, {sum(p.numel() for p in net.parameters())} parameters", flush=True)
    opt = torch.optim.AdamW(net.parameters(), 3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps, pct_start=min(0.1, 10 / max(steps, 11)))
    t0, run = time.time(), 0.0
    for step in range(steps):
        pick = rng.integers(0, len(images), batch)
        pairs = [augment(images[j], quads[j], rng) for j in pick]
        x = torch.from_numpy(np.stack([p[0] for p in pairs])).permute(0, 3, 1, 2).float() / 255
        y = torch.from_numpy(np.stack([p[1] for p in pairs]))[:, None]
        logits = net(x)
        prob = torch.sigmoid(logits)
        inter = (prob * y).sum((1, 2, 3))
        dice = 1 - (2 * inter + 1) / (prob.sum((1, 2, 3)) + y.sum((1, 2, 3)) + 1)
        loss = F.binary_cross_entropy_with_logits(logits, y) + 0.5 * dice.mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        run = 0.98 * run + 0.02 * float(loss.detach())
        if step % 20 == 19:
            print(f"step {step + 1}: loss {run:.4f}, {time.time() - t0:.0f} s, cpu {time.process_time():.0f} s", flush=True)
            torch.save(net.state_dict(), "/tmp/learn/docmask.pt")
    torch.save(net.state_dict(), "/tmp/learn/docmask.pt")
    export(net)


def export(net=None) -> None:
    import torch

    if net is None:
        net = build()
        net.load_state_dict(torch.load("/tmp/learn/docmask.pt"))
    net.eval()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(net, torch.zeros(1, 3, SIDE, SIDE), str(OUT), input_names=["image"], output_names=["mask"],
                      opset_version=13, dynamo=False)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


def evaluate(frames: int, model: Path) -> None:
    """Our renderers only, fresh seeds (60 000 000 +): the mask's IoU with the truth on the output grid,
    and how often the largest blob's hull quad, snapped onto the 640×360 image's edges, lies within 2 % of
    the frame diagonal of the truth (what a candidate cue would have to give the acceptance machinery)."""
    from kiosk.devices.camera.quads import fit_sides, order_corners, quad_from_contour
    from kiosk.devices.camera.refine import refine_corners

    net = cv2.dnn.readNetFromONNX(str(model))
    rng = np.random.default_rng(6060)
    ious, near, ms = [], 0, []
    for i in range(frames):
        if i % 3 == 0:
            img, q = synth.render(synth.random_scene(rng))
        elif i % 3 == 1:
            img, q = synth_hall.render_hall(synth_hall.hall_scene(rng))
        else:
            shot = synth_train.shot(60_000_000 + i)
            img, q = shot.image, shot.corners
        small = cv2.resize(img, (640, 360), interpolation=cv2.INTER_AREA)
        t0 = time.thread_time()
        net.setInput(cv2.dnn.blobFromImage(cv2.resize(small, (SIDE, SIDE), interpolation=cv2.INTER_AREA), 1 / 255))
        logits = net.forward()[0, 0]
        ms.append((time.thread_time() - t0) * 1000)
        truth = np.zeros(logits.shape, np.uint8)
        cv2.fillConvexPoly(truth, np.int32(q * np.float32([MASK / 1280, MASK / 720])), 1)
        ious.append(((logits > 0) & (truth > 0)).sum() / max(1, ((logits > 0) | (truth > 0)).sum()))
        up = (cv2.resize(logits, (640, 360), interpolation=cv2.INTER_LINEAR) > 0).astype(np.uint8)
        contours, _ = cv2.findContours(up, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        quad = quad_from_contour(max(contours, key=cv2.contourArea)) if contours else None
        if quad is not None:
            quad = order_corners(fit_sides(max(contours, key=cv2.contourArea), quad))
            quad = refine_corners(small, quad, reach=0.7 * 640 / MASK)[0]
            quad = refine_corners(small, order_corners(quad), reach=3)[0]
            near += synth.corner_error((quad + 0.5) * 2 - 0.5, q) <= 0.02 * math.hypot(1280, 720)
    print(f"{frames} frames of our renderers: mask IoU {np.mean(ious):.3f}, snapped blob quad within 2 % "
          f"{near}/{frames}, network {np.median(ms):.2f} ms median (thread CPU)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("render", "train", "export", "eval"))
    ap.add_argument("--frames", type=int, default=3000)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    if args.what == "render":
        render(args.frames, args.seed)
    elif args.what == "train":
        train(args.steps, args.seed, args.batch)
    elif args.what == "export":
        export()
    else:
        evaluate(args.frames, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
