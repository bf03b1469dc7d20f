"""bench/real: the committed labels are complete and sane, groups follow the rules, fetch.py fetches and refuses."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


real_photos = _load("real_photos", BENCH / "real_photos.py")
fetch = _load("real_fetch", BENCH / "real" / "fetch.py")
LABELS = json.loads((BENCH / "real" / "labels.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(LABELS))
def test_every_label_names_its_source_licence_and_part(name):
    label = LABELS[name]
    corners = np.float32(label["corners"])
    assert corners.shape == (4, 2)
    assert cv2.isContourConvex(corners.reshape(-1, 1, 2)), "the four corners must make a convex quad"
    assert label["split"] in ("dev", "test")
    assert re.fullmatch(r"[0-9a-f]{40}", label["commit"]), "a full commit, so the photo can be fetched as labelled"
    assert label["repo"].count("/") == 1 and label["path"] and label["licence"]
    assert real_photos.group(label) in real_photos.GROUPS


def test_dev_is_about_a_third_and_test_is_the_rest():
    dev = sum(label["split"] == "dev" for label in LABELS.values())
    assert 0.25 <= dev / len(LABELS) <= 0.4


def test_groups_follow_kind_and_aspect():
    assert real_photos.group({"kind": "id_card", "aspect": 1.58}) == "card"
    assert real_photos.group({"kind": "card", "aspect": 2.2}) == "card"  # perspective can stretch a card
    assert real_photos.group({"kind": "a4", "aspect": 1.41}) == "page"
    assert real_photos.group({"kind": "hukou", "aspect": 1.4}) == "booklet"
    assert real_photos.group({"kind": "receipt", "aspect": 1.9}) == "receipt"
    assert real_photos.group({"kind": "receipt", "aspect": 2.6}) == "long>2:1"
    assert real_photos.group({"kind": "banknote", "aspect": 2.35}) == "long>2:1"


def _source_tree(tmp_path: Path, label: dict, data: bytes) -> str:
    target = tmp_path / "src" / label["repo"] / label["commit"] / label["path"]
    target.parent.mkdir(parents=True)
    target.write_bytes(data)
    return (tmp_path / "src").as_uri()


def test_fetch_brings_a_photo_then_keeps_it(tmp_path):
    label = {"repo": "o/r", "commit": "0" * 40, "path": "a/b.png"}
    ok, png = cv2.imencode(".png", np.full((8, 8, 3), 200, np.uint8))
    base = _source_tree(tmp_path, label, png.tobytes())
    dest = tmp_path / "b.png"
    assert fetch.fetch_one(base, label, dest) == "fetched"
    assert cv2.imread(str(dest)) is not None
    assert fetch.fetch_one(base, label, dest) == "kept"


def test_fetch_refuses_what_is_not_an_image_and_writes_nothing(tmp_path):
    label = {"repo": "o/r", "commit": "1" * 40, "path": "p.jpg"}
    base = _source_tree(tmp_path, label, b"version https://git-lfs.github.com/spec/v1\noid sha256:00\n")
    dest = tmp_path / "p.jpg"
    assert fetch.fetch_one(base, label, dest).startswith("failed (not an image")
    assert not dest.exists()
    assert fetch.fetch_one(base, {**label, "path": "missing.jpg"}, tmp_path / "m.jpg").startswith("failed")
