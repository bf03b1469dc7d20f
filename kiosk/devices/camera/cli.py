"""`kiosk devices detect-document` and `kiosk simulate camera`.

Building the parser imports nothing heavy; OpenCV and numpy are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

MAX_MEGAPIXELS = 50.0  # decoded as BGR that is 150 MB; a 20000×20000 image would be 1.2 GB
MAX_SIDE = 30000  # OpenCV's own limits are 2^20 a side and 2^30 pixels: far beyond a kiosk's memory


def add_commands(devices: argparse._SubParsersAction, simulate: argparse._SubParsersAction) -> None:
    """Registers this device's diagnostics under `devices` and its simulator under `simulate`."""
    p = devices.add_parser(
        "detect-document", help="检测材料照片 (find the page, judge blur/light/glare, flatten it)",
        description="For each image: is there a page (corners tl, tr, br, bl in the image's pixels), its "
                    "sharpness, brightness and glare, and the problems a resident would be told. Exit 0 "
                    "when every file was read (found or not), 2 when any file could not be read.")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="photos (PNG, JPEG, …)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--out", metavar="DIR", help="write each corrected page to DIR/<name>.page.png")
    p.add_argument("--kind", choices=("a4", "card"), help="canvas for --out (default: by aspect ratio)")
    p.add_argument("--max-megapixels", type=float, default=MAX_MEGAPIXELS, metavar="N",
                   help=f"refuse images larger than this, read from the file's header before decoding "
                        f"(default {MAX_MEGAPIXELS:g}: a 48-megapixel phone photo passes)")
    p.set_defaults(func=_detect_document)

    s = simulate.add_parser(
        "camera", help="高拍仪模拟器 (scenario frames to PNG files, or an MJPEG stream)",
        description="Plays a scenario of the simulated document camera and writes its frames as PNG files "
                    "(and what auto-capture made of each to DIR/frames.jsonl, captured pages as "
                    "captured_NNNN.png), or with --serve streams them as an MJPEG network camera.")
    s.add_argument("--scenario", default="page",
                   help="page, no_page, moving, blurred, glare, dark, lost, or folder:PATH (default: page)")
    s.add_argument("--out", metavar="DIR", help="folder for the frames (created)")
    s.add_argument("--frames", type=int, help="how many frames (default 60; with --serve: per client, "
                                              "default endless)")
    s.add_argument("--serve", action="store_true",
                   help="instead of files, stream MJPEG over HTTP for `type = \"opencv\"` to read")
    s.add_argument("--host", default="127.0.0.1", help="--serve: address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8554, help="--serve: port (default 8554; 0 = any free)")
    s.add_argument("--fps", type=float, default=10.0, help="--serve: frames per second (default 10)")
    s.add_argument("--width", type=int, default=1280)
    s.add_argument("--height", type=int, default=720)
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(func=_simulate_camera)


def _detect_document(args: argparse.Namespace) -> int:
    if not 0 < args.max_megapixels <= MAX_SIDE * MAX_SIDE / 1e6:
        print(f"detect-document: --max-megapixels must be above 0 and at most {MAX_SIDE * MAX_SIDE / 1e6:g}",
              file=sys.stderr)
        return 2
    # OpenCV reads its own decoder limit once, when it loads; with it set to ours, a file Pillow cannot
    # size (a format it does not know) fails with a cv2.error, caught per file, instead of eating memory
    os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(int(args.max_megapixels * 1e6)))
    import cv2

    from kiosk.devices.camera.detect import detect_page
    from kiosk.devices.camera.quality import assess, problem_reason
    from kiosk.devices.camera.warp import warp_page
    from kiosk.i18n import say

    out_dir = Path(args.out) if args.out else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    status = 0
    used: set[str] = set()  # page file names written in this run: page.png and page.jpg must not collide
    for name in args.images:
        why = _unreadable(name, args.max_megapixels)
        image = None
        if why is None:
            try:
                image = cv2.imread(name, cv2.IMREAD_COLOR)
            except (cv2.error, MemoryError) as err:  # a header OpenCV refuses, or memory the machine lacks
                why = (f"its header claims more than {args.max_megapixels:g} megapixels, more than this command "
                       "decodes; scale it down (or raise --max-megapixels)") if "MAX_IMAGE" in str(err) else (
                       f"OpenCV could not decode it ({_first_line(err)}); give a photo file")
            else:
                why = None if image is not None else "not an image OpenCV can read (PNG, JPEG, …); give a photo file"
        if why is not None:
            _emit(args, {"file": name, "error": why}, f"{name}: error: {why}")
            status = 2
            continue
        t0 = time.perf_counter()
        try:
            # a thumbnail smaller than 16×16 cannot show a page: measured and reported, not a crash
            found = detect_page(image) if min(image.shape[:2]) >= 16 else None
            quality = assess(image, None if found is None else found.corners)
        except (cv2.error, MemoryError, ValueError) as err:  # one odd image must not end the batch
            why = f"detection failed on this image ({_first_line(err)})"
            _emit(args, {"file": name, "error": why}, f"{name}: error: {why}")
            status = 2
            continue
        ms = (time.perf_counter() - t0) * 1000
        record = {"file": name, "found": found is not None,
                  "corners": found.as_list() if found is not None else None,
                  "sharpness": round(quality.sharpness, 1), "brightness": round(quality.brightness, 1),
                  "glare": round(quality.glare, 4), "ok": quality.ok, "problems": list(quality.problems),
                  "ms": round(ms, 2)}
        if found is not None and out_dir is not None:
            page, kind = warp_page(image, found.corners, args.kind)
            target = _unused(out_dir, Path(name).stem, used)
            cv2.imwrite(str(target), page)
            record.update(kind=kind, out=str(target))
        if found is None:
            text = f"{name}: no page ({say(problem_reason('no_page'))})"
        else:
            corners = " ".join(f"({x:.0f},{y:.0f})" for x, y in found.corners)
            verdict = "ok" if quality.ok else "; ".join(say(r) for r in quality.reasons())
            text = (f"{name}: page {corners} sharpness {quality.sharpness:.1f} brightness "
                    f"{quality.brightness:.0f} glare {quality.glare:.1%}: {verdict} [{ms:.1f} ms]")
        _emit(args, record, text)
    return status


def _unreadable(name: str, max_megapixels: float) -> str | None:
    """Why ``name`` will not be decoded, from its header alone (Pillow reads the size without decoding
    the pixels), or None. A file Pillow does not know is left to OpenCV and its own limit."""
    path = Path(name)
    if not path.is_file():
        return "no such file; give a photo file" if not path.exists() else "not a file; give a photo file"
    from PIL import Image, UnidentifiedImageError

    bomb_limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # we check the size ourselves
    try:
        with Image.open(path) as im:
            width, height = im.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = bomb_limit
    if width * height > max_megapixels * 1e6 or max(width, height) > MAX_SIDE:
        return (f"the image is {width}×{height} ({width * height / 1e6:.0f} megapixels), larger than the "
                f"{max_megapixels:g} megapixels this command decodes; scale it down (or raise --max-megapixels)")
    return None


def _first_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text[:160] or type(err).__name__


def _unused(out_dir: Path, stem: str, used: set[str]) -> Path:
    """``DIR/<stem>.page.png``, or ``<stem>-2.page.png``… when an earlier image of this run took it."""
    candidate, n = f"{stem}.page.png", 1
    while candidate in used:
        n += 1
        candidate = f"{stem}-{n}.page.png"
    used.add(candidate)
    return out_dir / candidate


def _emit(args: argparse.Namespace, record: dict, text: str) -> None:
    if args.json:
        print(json.dumps(record, ensure_ascii=False), flush=True)
    elif "error" in record:
        print(text, file=sys.stderr, flush=True)
    else:
        print(text, flush=True)


def _simulate_camera(args: argparse.Namespace) -> int:
    import cv2

    from kiosk.devices.camera.autocapture import AutoCapture
    from kiosk.devices.camera.simulator import ScenarioPlayer, check_scenario
    from kiosk.i18n import say

    try:
        check_scenario(args.scenario)
    except ValueError as exc:
        print(f"kiosk simulate camera: {exc}", file=sys.stderr)
        return 2
    if (args.frames is not None and args.frames < 1) or args.width < 160 or args.height < 120:
        print("kiosk simulate camera: --frames must be ≥ 1 and the size at least 160×120", file=sys.stderr)
        return 2
    if bool(args.out) == bool(args.serve):
        print("kiosk simulate camera: give either --out DIR (write frames) or --serve (stream them)",
              file=sys.stderr)
        return 2
    player = ScenarioPlayer(args.scenario, args.width, args.height, args.seed)
    if args.serve:
        return _serve(args, player)
    args.frames = args.frames or 60
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tracker = AutoCapture(still_frames=12)
    captured = 0
    with (out / "frames.jsonl").open("w", encoding="utf-8") as log:
        for i in range(args.frames):
            image = player.next_frame()
            if image is None:  # the `lost` scenario: the camera is unplugged for a moment
                log.write(json.dumps({"frame": i, "camera": "lost"}) + "\n")
                player.open()
                continue
            cv2.imwrite(str(out / f"frame_{i:04d}.png"), image)
            status = tracker.update(image)
            entry = {"frame": i, "state": status.state, "problems": list(status.problems),
                     "prompt": say(status.prompt()),
                     "corners": None if status.corners is None else
                     [[round(float(x), 1), round(float(y), 1)] for x, y in status.corners]}
            if status.document is not None:
                captured += 1
                cv2.imwrite(str(out / f"captured_{i:04d}.png"), status.document.image)
                status.document.wipe()
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"{args.frames} frames of scenario '{args.scenario}' in {out} "
          f"(frames.jsonl says what auto-capture saw; {captured} page(s) captured)")
    return 0


def _serve(args: argparse.Namespace, player) -> int:
    from kiosk.devices.camera.mjpeg import MjpegServer

    try:
        server = MjpegServer(player, args.host, args.port, args.fps, args.frames)
    except OSError as exc:
        print(f"kiosk simulate camera: cannot listen on {args.host}:{args.port}: {exc.strerror}; "
              "pick another --port (0 = any free one)", file=sys.stderr)
        return 2
    print(f"simulated camera '{args.scenario}' streaming at {server.url}\n"
          f'use it with [devices.camera] type = "opencv", source = "{server.url}"; Ctrl-C stops', flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
