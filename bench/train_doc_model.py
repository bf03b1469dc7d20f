"""Trains the small document network of :mod:`kiosk.devices.camera.learned` (a dev script, never run by CI).

    python3 -m venv --system-site-packages /tmp/learnvenv && /tmp/learnvenv/bin/pip install torch==2.13.0 onnx
    PYTHONPATH=$PWD nice -n 10 python3 bench/train_doc_model.py render --frames 8000   # /tmp/learn/frames.<seed>-<n>.npz
    PYTHONPATH=$PWD nice -n 10 /tmp/learnvenv/bin/python bench/train_doc_model.py train --until 18:33
    # or continue from the committed model (its BatchNorms are folded: --init unfolds them), e.g. the third round:
    #   cp kiosk/devices/camera/models/docmask.onnx /tmp/learn/old.onnx
    #   ... train --until 21:35 --init /tmp/learn/old.onnx --peak 1e-3 --model /tmp/learn/new.onnx
    PYTHONPATH=$PWD python3 bench/train_doc_model.py eval --frames 60   # cv2.dnn only, no torch

Data and augmentation: ``bench/doc_model_data.py`` (our own renderers only; never ``bench/heldout*``, never
the real photos). Training may start while the renderer still writes its parts (they are re-read every
500 steps). Targets on a 64×64 grid: the document's quad filled (BCE + ½ Dice) and its four corners as
Gaussians of one cell (BCE weighted 1 + 30·target).

One thread (``torch.set_num_threads(1)``), seeded. ``--steps N`` gives a cosine schedule over N steps (the
same command, the same model); ``--until HH:MM`` (UTC) over the wall time left instead (how many steps that
is depends on the machine's load; the log says). The last checkpoint is exported (no selection on any
bench set) to ``kiosk/devices/camera/models/docmask.onnx``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera import synth, synth_hall, synth_train

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_model_data import SIDE, augment, render  # noqa: E402

DATA = Path("/tmp/learn/frames.npz")  # saved as frames.<n>.npz
CKPT = Path("/tmp/learn/docmask.pt")
OUT = Path(__file__).resolve().parent.parent / "kiosk/devices/camera/models/docmask.onnx"


def build():
    import torch
    import torch.nn as nn

    def block(i, o, s=1, d=1):
        return nn.Sequential(
            nn.Conv2d(i, o, 3, s, d, dilation=d, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)
        )

    class Net(nn.Module):
        """128×128 BGR → 2×64×64 logits (document mask, corner heatmap); ~20 M multiply-adds."""

        def __init__(self):
            super().__init__()
            self.e1 = block(3, 8, 2)  # 64
            self.e2 = nn.Sequential(block(8, 16, 2), block(16, 16))  # 32
            self.e3 = nn.Sequential(block(16, 24, 2), block(24, 24))  # 16
            self.e4 = nn.Sequential(block(24, 40, 2), block(40, 40, d=2), block(40, 40, d=4))  # 8
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
            self.d3 = block(40 + 24, 16)
            self.d2 = block(16 + 16, 12)
            self.d1 = block(12 + 8, 8)
            self.head = nn.Conv2d(8, 2, 1)

        def forward(self, x):
            a = self.e1(x)
            b = self.e2(a)
            c = self.e3(b)
            d = self.e4(c)
            c = self.d3(torch.cat([self.up(d), c], 1))
            b = self.d2(torch.cat([self.up(c), b], 1))
            return self.head(self.d1(torch.cat([self.up(b), a], 1)))

    return Net()


def warm_start(net, path: Path, calib) -> None:
    """Loads an exported model's weights into ``net``. The export folds each BatchNorm into its
    convolution (weights scaled, a bias added), so each BatchNorm is set to give back exactly the folded
    bias: its statistics are those of the convolution's output on ``calib`` (a batch of inputs) and its
    scale undoes them, the same function in eval mode and close to it in train mode (batch statistics)."""
    import onnx
    import torch
    import torch.nn as nn
    from onnx import numpy_helper

    model = onnx.load(str(path))
    weights = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    nodes = [n for n in model.graph.node if n.op_type == "Conv"]
    mods = list(net.modules())
    convs = [m for m in mods if isinstance(m, nn.Conv2d)]
    if len(nodes) != len(convs):
        raise ValueError(f"{path}: {len(nodes)} convolutions, the network has {len(convs)}")
    mods.append(None)
    after = {id(c): mods[mods.index(c) + 1] for c in convs}  # block(): Conv2d, BatchNorm2d, ReLU
    folded, stats = {}, {}
    with torch.no_grad():
        for node, conv in zip(nodes, convs, strict=True):
            w = torch.from_numpy(weights[node.input[1]].copy())
            b = torch.from_numpy(weights[node.input[2]].copy()) if len(node.input) > 2 else None
            conv.weight.copy_(w)
            bn = after[id(conv)]
            if conv.bias is not None:
                conv.bias.copy_(b)
            elif isinstance(bn, nn.BatchNorm2d):
                folded[id(conv)] = b
                (
                    bn.weight.fill_(1),
                    bn.running_mean.zero_(),
                    bn.running_var.fill_(1 - bn.eps),
                    bn.bias.copy_(b),
                )
        hooks = [
            c.register_forward_hook(
                lambda m, i, o: stats.__setitem__(id(m), (o.mean((0, 2, 3)), o.var((0, 2, 3))))
            )
            for c in convs
            if id(c) in folded
        ]
        net.eval()
        net(calib)
        for h in hooks:
            h.remove()
        for c in convs:
            if id(c) in folded:
                bn, (mu, var) = after[id(c)], stats[id(c)]
                bn.running_mean.copy_(mu), bn.running_var.copy_(var)
                bn.weight.copy_(torch.sqrt(var + bn.eps)), bn.bias.copy_(mu + folded[id(c)])
    net.train()
    print(f"warm start from {path}", flush=True)


def train(
    steps: int,
    seed: int,
    batch: int,
    until: float | None,
    data: list[Path],
    init: Path | None,
    peak: float,
    out: Path = OUT,
) -> None:
    """AdamW, cosine learning rate over ``steps`` or, with ``until`` (a Unix time), over the wall time left;
    from an exported model's weights with ``init``."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    cv2.setNumThreads(1)
    rng = np.random.default_rng(seed)

    def load(seen=()):
        found = {q for p in data for q in p.parent.glob(p.name) if not q.name.endswith(".tmp.npz")}
        parts = sorted(found - set(seen))  # not the renderer's part being written
        if parts:
            loaded = [np.load(q) for q in parts]
            frames.extend(d["images"] for d in loaded)
            boxes.extend(d["quads"] for d in loaded)
            print(f"loaded {len(parts)} parts", flush=True)
        return list(seen) + parts

    frames, boxes = [], []
    seen = load()
    images, quads = np.concatenate(frames), np.concatenate(boxes)
    net = build()
    if init is not None:
        pick = rng.integers(0, len(images), 256)
        calib = np.stack([augment(images[j], quads[j], rng)[0] for j in pick])
        warm_start(net, init, torch.from_numpy(calib).permute(0, 3, 1, 2).float() / 255)
    print(f"{len(images)} frames, {sum(p.numel() for p in net.parameters())} parameters", flush=True)
    warm = 300
    opt = torch.optim.AdamW(net.parameters(), peak, weight_decay=1e-4)
    t0, run, step = time.time(), np.zeros(2), 0
    while True:
        done = (time.time() - t0) / (until - t0) if until else step / steps
        if done >= 1:
            break
        for g in opt.param_groups:
            g["lr"] = (
                peak * min(1.0, (step + 1) / warm) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * done)))
            )
        pick = rng.integers(0, len(images), batch)
        pairs = [augment(images[j], quads[j], rng) for j in pick]
        x = torch.from_numpy(np.stack([p[0] for p in pairs])).permute(0, 3, 1, 2).float() / 255
        y = torch.from_numpy(np.stack([p[1] for p in pairs]))
        logits = net(x)
        mask, my = logits[:, :1], y[:, :1]
        prob = torch.sigmoid(mask)
        inter = (prob * my).sum((1, 2, 3))
        dice = 1 - (2 * inter + 1) / (prob.sum((1, 2, 3)) + my.sum((1, 2, 3)) + 1)
        mask_loss = F.binary_cross_entropy_with_logits(mask, my) + 0.5 * dice.mean()
        cy = y[:, 1:]
        corner_loss = (
            F.binary_cross_entropy_with_logits(logits[:, 1:], cy, reduction="none") * (1 + 30 * cy)
        ).mean()
        loss = mask_loss + corner_loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        run = 0.98 * run + 0.02 * np.array([float(mask_loss), float(corner_loss)])
        step += 1
        if step % 50 == 0:
            print(
                f"step {step}: mask {run[0]:.4f} corners {run[1]:.4f}, {time.time() - t0:.0f} s, "
                f"cpu {time.process_time():.0f} s, lr {opt.param_groups[0]['lr']:.5f}",
                flush=True,
            )
        if step % 500 == 0:
            torch.save(net.state_dict(), CKPT)
            more = load(seen)
            if len(more) > len(seen):  # the renderer has saved more frames meanwhile
                seen, images, quads = more, np.concatenate(frames), np.concatenate(boxes)
    torch.save(net.state_dict(), CKPT)
    print(f"{step} steps of {batch}", flush=True)
    export(net, out)


def export(net=None, out: Path = OUT) -> None:
    import torch

    if net is None:
        net = build()
        net.load_state_dict(torch.load(CKPT))
    net.eval()
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        net,
        torch.zeros(1, 3, SIDE, SIDE),
        str(out),
        input_names=["image"],
        output_names=["mask"],
        opset_version=13,
        dynamo=False,
    )
    print(f"wrote {out} ({out.stat().st_size} bytes)")


def evaluate(frames: int, model: Path) -> None:
    """Our renderers only, fresh seeds (60 000 000 +): the mask's IoU with the truth on the output grid,
    and how often :func:`~kiosk.devices.camera.learned.mask_quads`' first quad (on the 640×360 work image)
    lies within 2 % of the frame diagonal of the truth (what a candidate cue would have to give the
    acceptance machinery), with the network's time."""
    from kiosk.devices.camera import learned

    net = learned.DocMask(model)
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
        prob = net(small)
        ms.append((time.thread_time() - t0) * 1000)
        grid = prob.shape[-1]
        truth = np.zeros((grid, grid), np.uint8)
        cv2.fillConvexPoly(
            truth,
            np.int32(np.round((q + 0.5) * np.float32([grid / 1280, grid / 720]) * 16 - 8)),
            1,
            cv2.LINE_8,
            4,
        )
        ious.append(((prob[0] > 0.5) & (truth > 0)).sum() / max(1, ((prob[0] > 0.5) | (truth > 0)).sum()))
        first = next(learned.mask_quads(prob, small, 0.03 * 640 * 360), None)
        if first is not None:
            near += synth.corner_error((first + 0.5) * 2 - 0.5, q) <= 0.02 * math.hypot(1280, 720)
    print(
        f"{frames} frames of our renderers: mask IoU {np.mean(ious):.3f}, first quad within 2 % "
        f"{near}/{frames}, network {np.median(ms):.2f} ms median (thread CPU)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("render", "train", "export", "eval"))
    ap.add_argument("--frames", type=int, default=8000)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument(
        "--until", help="train until this UTC time (HH:MM today), cosine schedule over the time left"
    )
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument(
        "--data",
        type=Path,
        nargs="*",
        default=[DATA.with_name("frames.*.npz")],
        help="training: files (glob patterns) of rendered frames, re-read every 500 steps",
    )
    ap.add_argument("--model", type=Path, default=OUT, help="eval: the model read; train, export: written")
    ap.add_argument("--init", type=Path, help="training: start from this exported model (.onnx)")
    ap.add_argument("--peak", type=float, default=3e-3, help="training: the peak learning rate")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    if args.what == "render":
        render(args.frames, args.seed, DATA, chunk=500)
    elif args.what == "train":
        until = None
        if args.until:
            hh, mm = (int(v) for v in args.until.split(":"))
            now = time.gmtime()
            until = time.time() + ((hh - now.tm_hour) * 60 + mm - now.tm_min) * 60 - now.tm_sec
        train(args.steps, args.seed, args.batch, until, args.data, args.init, args.peak, args.model)
    elif args.what == "export":  # the last checkpoint
        export(out=args.model)
    else:
        evaluate(args.frames, args.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
