"""The labelled real photos (``bench/real/labels.json``) for ``bench_document.py``: groups, parts, a miss sheet.

Each label has a ``split``: ``dev`` (about a third; the detector team may look at these and tune on them)
or ``test`` (reported, never tuned on, its misses never printed). Groups: ``card`` (ID, bank, social
security, index cards), ``page`` (A4/letter sheets, notepads), ``booklet`` (户口簿 pages, passports),
``receipt`` (till receipts up to 2:1) and ``long>2:1`` (receipts and banknotes longer than 2:1: the
detector takes documents up to about 1:4 that are paper with print on it; a lit phone is refused by its bezel).

    python3 bench/real_photos.py --sheet OUT_DIR     # dev part: labelled (green) vs detected (red) quads
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import cv2
import numpy as np

FOLDER = Path(__file__).resolve().parent / "real"
CARDS = ("card", "id_card", "bank_card", "ss_card")
BOOKLETS = ("booklet", "hukou", "passport")
GROUPS = ("card", "page", "booklet", "receipt", "long>2:1")


def group(label: dict) -> str:
    kind = label.get("kind")
    if label.get("aspect", 0) > 2.0 and kind not in CARDS:
        return "long>2:1"
    if kind in CARDS:
        return "card"
    if kind in BOOKLETS:
        return "booklet"
    return "receipt" if kind == "receipt" else "page"


def labels(folder: Path = FOLDER) -> dict[str, dict]:
    path = folder / "labels.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def fetched(folder: Path = FOLDER) -> bool:
    return any((folder / name).is_file() for name in labels(folder))


def photos(folder: Path, split: str):
    """(name, frame, corners, group) of each readable photo of one part; unreadable ones are named on stderr."""
    for name, label in labels(folder).items():
        if label.get("split", "test") != split:
            continue
        frame = cv2.imread(str(folder / name), cv2.IMREAD_COLOR)
        if frame is None:
            print(f"    skipped {name}: not fetched (python3 bench/real/fetch.py)", file=sys.stderr)
            continue
        yield name, frame, np.float32(label["corners"]), group(label)


def sheet(folder: Path, out: Path) -> None:
    """Draw the labelled (green) and detected (red) quads of every dev photo; write one PNG each."""
    from kiosk.devices.camera.detect import detect_page
    from kiosk.devices.camera.synth import corner_error

    out.mkdir(parents=True, exist_ok=True)
    for name, frame, truth, grp in photos(folder, "dev"):
        found = detect_page(frame)
        tol = 0.02 * math.hypot(*frame.shape[:2])
        view = frame.copy()
        width = max(2, int(tol / 10))
        cv2.polylines(view, [np.int32(truth)], True, (0, 200, 0), width)
        for x, y in truth:
            cv2.circle(view, (int(x), int(y)), int(tol), (0, 200, 0), max(1, width // 2))
        if found is None:
            verdict = "not sure"
        else:
            cv2.polylines(view, [np.int32(found.corners)], True, (0, 0, 255), width)
            err = corner_error(found.corners, truth)
            verdict = f"worst corner {err / tol * 2:.1f} % of the diagonal"
        scale = 900 / max(view.shape[:2])
        view = cv2.resize(view, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        cv2.putText(view, f"{name} [{grp}] {verdict}", (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 0, 255), 2)
        cv2.imwrite(str(out / (Path(name).stem + ".png")), view)
        print(f"{name:32s} {grp:9s} {verdict}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sheet", type=Path, required=True, help="folder for the dev part's drawings")
    ap.add_argument("--dir", type=Path, default=FOLDER)
    args = ap.parse_args()
    sheet(args.dir, args.sheet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
