"""Compares two ``kiosk screenshots`` folders pixel by pixel: a speed change to the screens must not change
what a resident sees. Prints each screenshot that differs (how many pixels, where) and a total.

Run: ``python3 bench/shots_diff.py BEFORE_DIR AFTER_DIR`` (each with ``normal/`` and ``elderly/`` inside,
as ``kiosk screenshots --out DIR`` writes them from the two revisions); exit status 1 when any differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image, ImageChops


def differing(before: Path, after: Path) -> tuple[int, tuple[int, int, int, int] | None]:
    """How many pixels differ between the two images, and the box holding them (None: identical)."""
    a, b = Image.open(before).convert("RGBA"), Image.open(after).convert("RGBA")
    if a.size != b.size:
        return a.size[0] * a.size[1], (0, 0, *a.size)
    diff = ImageChops.difference(a, b)
    box = diff.getbbox()
    if box is None:
        return 0, None
    mask = diff.convert("L").point(lambda v: 255 if v else 0)
    return mask.histogram()[255], box


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    args = ap.parse_args()
    names = sorted(p.relative_to(args.before) for p in args.before.rglob("*.png"))
    missing = [n for n in names if not (args.after / n).exists()]
    changed = 0
    for name in names:
        if name in missing:
            continue
        count, box = differing(args.before / name, args.after / name)
        if count:
            changed += 1
            print(f"{name}: {count} pixels differ in {box}")
    for name in missing:
        print(f"{name}: missing in {args.after}")
    print(f"{len(names)} screenshots compared: {changed} differ, {len(missing)} missing")
    return 1 if changed or missing or not names else 0


if __name__ == "__main__":
    sys.exit(main())
