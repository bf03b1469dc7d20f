"""Which quad should win: every accepted quad of every cue, finished, and selection rules replayed offline.

    PYTHONPATH=$PWD nice -n 10 python3 bench/selection_sim.py dump train|heldout|dev [--real DIR] [--out DIR]
    PYTHONPATH=$PWD python3 bench/selection_sim.py rules train,heldout,dev [--out DIR]

``dump`` runs every cue of ``detect_page`` on each frame of a choosing set (``synth_train`` 300 pages + 200
page-less, ``bench/heldout`` 200 + 200, real ``dev``; never heldout2/heldout3/real test) without the early
stop, in the detector's order (edge support's images grow as the passes run), keeps each quad ``_search``
accepts, and finishes it (``finish.finish``: grow, full-frame refit, refusals) with the images the search
would hold had it stopped after that pass or a later one; it stores them with ``detect_page``'s own answer
(~0.2 s a frame). ``rules`` replays the detector's selection on them (checked: it must give the
detector's answer on every frame) and the rules tried in issue 11 (``docs/learned_detection.md``), with
hits, "not sure" and false pages per set. A rule only reorders or re-checks quads the cues produce, so a
replay takes seconds.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera import detect, finish, learned, synth, synth_train
from kiosk.devices.camera.levels import Level
from kiosk.devices.camera.lines import line_quads
from kiosk.devices.camera.quads import long_shape, order_corners, plausible
from kiosk.devices.camera.screens import is_paper
from kiosk.devices.camera.support import edge_support, printed

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_photos  # noqa: E402
from heldout import render as heldout  # noqa: E402

MIN_AREA, MIN_SCORE, GOOD = 0.05, 0.7, 0.85
SUPPORT_AFTER = {0: 1, 1: 1, 2: 1, 3: 2, 4: 4}  # work-level support images once pass g ran (canny … lines)


def _passes(small: np.ndarray, work: Level, low: Level, prob: np.ndarray):
    min_px = MIN_AREA * work.w * work.h

    def lines():
        if work.colour:
            work.borrow_colour(low)
        return (order_corners(q) for q in line_quads(work.gray, 0.2 * min(work.w, work.h), work.chroma(),
                                                      work.gradients()))
    yield [("canny", lambda: detect._contour_quads(work, lambda: work.canny(30, 90), min_px))], work
    yield detect._strategies(low, MIN_AREA), low
    yield [("learned", lambda: learned.mask_quads(prob, small, min_px))], work
    yield [("faint", lambda: detect._contour_quads(work, lambda: work.faint(*detect.FAINT), min_px))], work
    yield [("lines", lines)], work


def dump_frame(image: np.ndarray, truth: np.ndarray | None) -> dict:
    h, w = image.shape[:2]
    tol = 0.02 * math.hypot(w, h)
    k = max(1, int(h / 500 + 0.6))
    small = image if k == 1 else cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA)
    work = Level(small, 5, 9, 9)
    prob = learned.shared()(small)
    low = detect._low(small, work)
    cands, supports = [], {}
    for g, (strategies, level) in enumerate(_passes(small, work, low, prob)):
        scale = work.w / level.w
        for name, make in strategies:
            for quad in make():
                if not plausible(quad, MIN_AREA * level.w * level.h, level.w, level.h):
                    continue
                score, dark = edge_support(quad, tuple(level.support))
                if score < MIN_SCORE or not printed(work.raw, quad * scale, dark):
                    continue
                if long_shape(quad, level.w, level.h) and not is_paper(work.raw, quad * scale, level.small):
                    continue
                cands.append(dict(group=g, name=name, score=score, q=quad.copy(), level=level))
        supports[g] = list(work.support)
    for c in cands:
        level = c.pop("level")
        coarse = (c["score"], finish.to_frame(c["q"], level, w, h), c["name"], w / level.w)
        c["fin"] = {}
        for g in range(c["group"], 5):
            key = SUPPORT_AFTER[g]
            if key in c["fin"]:
                continue
            kept = work.support
            work.support = supports[{1: 0, 2: 3, 4: 4}[key]]
            done = finish.finish(image, coarse, work, MIN_AREA, MIN_SCORE)
            work.support = kept
            c["fin"][key] = None if done is None else dict(
                corners=done[0], final=done[1], hit=truth is not None and synth.corner_error(done[0], truth) <= tol)
    found = detect.detect_page(image)
    return dict(cands=cands, nothing=learned.nothing_there(prob), page=truth is not None,
                actual=None if found is None else (found.score, truth is not None and
                                                   synth.corner_error(found.corners, truth) <= tol))


def _frames(which: str, real: Path):
    if which == "train":
        for i in range(300):
            s = synth_train.shot(5_010_000 + i)
            yield s.image, s.corners
        for i in range(200):
            yield synth_train.shot(5_510_000 + i, with_doc=False).image, None
    elif which == "heldout":
        for i in range(200):
            s = heldout.shot(910_000 + i)
            yield s.image, s.corners
        for i in range(200):
            yield heldout.shot(960_000 + i, with_doc=False).image, None
    elif which == "dev":
        for _, frame, truth, _ in real_photos.photos(real, "dev"):
            yield frame, truth
    else:
        raise SystemExit(f"unknown set {which!r}: train, heldout or dev (the choosing sets)")


def _search(cands: list[dict], g: int) -> dict | None:
    """``detect._search``'s winner among pass ``g``'s accepted quads (its breaks and its holds rule)."""
    acc: list[dict] = []
    for name in dict.fromkeys(c["name"] for c in cands if c["group"] == g):
        for c in cands:
            if c["group"] == g and c["name"] == name:
                acc.append(c)
                if c["score"] >= 0.97:
                    break
        if acc and max(a["score"] for a in acc) >= GOOD:
            break
    if not acc:
        return None
    best = max(acc, key=lambda a: a["score"])
    outer = [a for a in acc if a["score"] >= 0.8 * best["score"] and finish.holds(a["q"], best["q"])]
    return max(outer, key=lambda a: cv2.contourArea(a["q"])) if outer else best


def main_rule(r: dict) -> tuple[dict | None, int]:
    """The search before issue 11's re-check: (finished answer or None, last pass run)."""
    best, last = _search(r["cands"], 0), 0
    if (best is None or best["score"] < GOOD) and r["nothing"]:
        return None, 0
    for g in (1, 2, 3, 4):
        if best is None or best["score"] < GOOD:
            last, found = g, _search(r["cands"], g)
            if found is not None and (best is None or found["score"] > best["score"]):
                best = found
    return (None if best is None else best["fin"][SUPPORT_AFTER[last]]), last


def recheck(r: dict, weak: float = finish.RECHECK, tol: float = 0.008 * math.hypot(1280, 720),
            share: float = 0.95, canny_too: bool = False, need_hold: bool = True) -> dict | None:
    """The rule built: a fallback cue's answer below ``weak`` when the lines did not run gives way to the
    lines' finished quad when it holds the answer and scores higher."""
    done, last = main_rule(r)
    if done is None or done["final"] >= weak or last == 4 or (last == 0 and not canny_too):
        return done
    other = _search(r["cands"], 4)
    again = None if other is None else other["fin"][4]
    if again is not None and again["final"] > done["final"] and (
            not need_hold or finish.holds(again["corners"], done["corners"], tol, share)):
        return again
    return done


RULES = {
    "main (detect_page before the re-check)": lambda r: main_rule(r)[0],
    "re-check < 0.9, holds, fallback answers (built)": recheck,
    "re-check < 0.9, holds, Canny answers too": lambda r: recheck(r, canny_too=True),
    "re-check < 0.9, without holds (curled tip lost)": lambda r: recheck(r, need_hold=False, canny_too=True),
    "re-check < 0.95, holds": lambda r: recheck(r, weak=0.95),
}


def _differs(f: dict | None, actual: tuple | None) -> bool:
    if f is None or actual is None:
        return (f is None) != (actual is None)
    return abs(f["final"] - actual[0]) > 0.002 or bool(f["hit"]) != bool(actual[1])


def rules(names: list[str], out: Path) -> None:
    data = {n: pickle.loads((out / f"selection_{n}.pkl").read_bytes()) for n in names}
    for n, recs in data.items():
        bad = sum(_differs(recheck(r), r["actual"]) for r in recs)
        print(f"{n}: {len(recs)} frames; the rule built, replayed, differs from detect_page's answer on {bad}")
    for label, rule in RULES.items():
        parts = []
        for n, recs in data.items():
            t = Counter()
            for r in recs:
                f = rule(r)
                t["pages" if r["page"] else "empties"] += 1
                t["hit"] += bool(r["page"] and f is not None and f["hit"])
                t["none"] += bool(r["page"] and f is None)
                t["false"] += bool(not r["page"] and f is not None)
            parts.append(f"{n} {t['hit']}/{t['pages']} (not sure {t['none']}, false {t['false']}/{t['empties']})")
        print(f"  {label:48s} " + "  ".join(parts))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("dump", "rules"))
    ap.add_argument("sets", help="train, heldout, dev (comma separated for rules)")
    ap.add_argument("--real", type=Path, default=real_photos.FOLDER, help="labelled real photos (dev part only)")
    ap.add_argument("--out", type=Path, default=Path("/tmp"), help="where the dumps go (default /tmp)")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    if args.what == "rules":
        rules(args.sets.split(","), args.out)
        return 0
    recs = [dump_frame(image, truth) for image, truth in _frames(args.sets, args.real)]
    (args.out / f"selection_{args.sets}.pkl").write_bytes(pickle.dumps(recs))
    print(f"{args.sets}: {len(recs)} frames → {args.out / f'selection_{args.sets}.pkl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
