"""Fetch the labelled real photos of ``bench/real/labels.json`` from their public sources.

    python3 bench/real/fetch.py [--base https://raw.githubusercontent.com] [--only dev|test]

Each entry names its repository, commit and path; the photo is downloaded from
``BASE/<repo>/<commit>/<path>`` into this folder under its label name (``.gitignore`` keeps it out of
commits). Photos already here are kept. Exit 1 when a photo could not be had or is not an image.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent


def fetch_one(base: str, label: dict, dest: Path) -> str:
    if dest.is_file():
        return "kept"
    url = f"{base.rstrip('/')}/{label['repo']}/{label['commit']}/{label['path']}"
    try:
        with urllib.request.urlopen(url, timeout=60) as reply:
            data = reply.read()
    except (urllib.error.URLError, OSError) as exc:
        return f"failed ({exc})"
    if cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is None:
        return "failed (not an image: a Git LFS pointer or an error page?)"
    dest.write_bytes(data)
    return "fetched"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="https://raw.githubusercontent.com")
    ap.add_argument("--only", choices=("dev", "test"), help="fetch one part only")
    ap.add_argument("--dir", type=Path, default=HERE, help="the folder holding labels.json (default: this one)")
    args = ap.parse_args()
    labels = json.loads((args.dir / "labels.json").read_text(encoding="utf-8"))
    bad = 0
    for name, label in labels.items():
        if args.only and label.get("split") != args.only:
            continue
        outcome = fetch_one(args.base, label, args.dir / name)
        bad += outcome.startswith("failed")
        print(f"{outcome:8.8s} {name}" + (f"  {outcome}" if outcome.startswith("failed") else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
