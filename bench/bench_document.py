"""Document detection benchmark: accuracy on tuning and held-out sets, false pages, speed on one core.

    python3 bench/bench_document.py [--pages 300] [--heldout 200] [--heldout2 200] [--empty 200] [--real DIR]
                                    [--seed 1] [--sets classic,hall,heldout,heldout2,empty,hall_empty]

Sets, each reported on its own (1280×720 frames, ``cv2.setNumThreads(1)``):

- ``tuning/classic``: :func:`kiosk.devices.camera.synth.random_scene` (the generator the tests use).
- ``tuning/hall``: :func:`kiosk.devices.camera.synth_hall.hall_scene` (small cards, light desks, dark
  cards, tilt, fingers, clutter, shadows, curled edges). The detector was tuned on these two.
- ``heldout``: ``bench/heldout`` — an independent renderer (pinhole camera with lens distortion, cards
  with printed content, 户口簿 pages, A4 forms, curl and folds, hands, clutter, cast shadows, glare,
  JPEG), with page-less frames of its own. It was held out once (63 % when first measured); its misses
  have since been studied and the detector changed for them, so it now counts as a *tuning* set.
- ``heldout3``: ``bench/heldout3`` — a third renderer, written (without looking at the detector or the other
  renderers) before its first run and never tuned on: the desk in perspective with the document (checked
  cloth, newspaper, laminate, granite, felt, bamboo, carpet, glass, light melamine and beige counters),
  documents as strip meshes (flat, curled or folded, each strip shaded by its normal), a Brown–Conrady lens,
  a demosaiced Bayer sensor with defocus or shake, shot noise, sharpening, JPEG 40–91; seeds 8 000 000 +.
  Misses are not printed. Page-less frames of its own.
- ``heldout2``: ``bench/heldout2`` — a second renderer, written without looking at the detector: other
  desks (birch, tiles with grout, a cutting mat's grid, a leather pad's edge, a white desk, glass),
  a division-model lens (barrel), chromatic aberration, vignetting, motion blur, phone sharpening,
  JPEG 35–92; cards 15–35 % of the frame, light cards on light desks, tilt up to 55°, curled, bowed and
  folded sheets, fingers and a pen over an edge. Never tuned on: only its figures are looked at, never
  its frames, and its seeds (7 000 000 +) are used nowhere else. Page-less frames of its own.
- ``train`` (only with ``--sets train`` or ``--sets all``): :mod:`kiosk.devices.camera.synth_train`, a
  training renderer of its own (3-D pose, rounded cards, small cards held with a thumb over an edge, glare
  across the edge, light cards on light desks, colour-only edges, phones and tablets with lit screens as
  page-less frames); seeds 5 000 000 +. Tune on it freely; its misses are listed with ``-v``.
- ``page-less/synth``: :data:`kiosk.devices.camera.synth_empty.NO_PAGE_KINDS`; ``page-less/hall``:
  :func:`kiosk.devices.camera.synth_hall.hall_no_page` (hands, phones, dim tablets, keyboards, wallets,
  desk things). Both tuning sets too.
- ``real``: labelled photos of documents from permissively licensed public repositories
  (``bench/real/labels.json``: corners, source repository, commit, path and licence of each; the photos are
  fetched by ``bench/real/fetch.py``, never committed). Two parts, each reported on its own: ``dev`` (about
  a third, that the detector may be tuned on; its misses are printed) and ``test`` (reported, never tuned
  on, misses not printed). Groups: card, page, booklet, receipt, and ``long>2:1`` (receipts and a banknote
  longer than 2:1, up to about 1:4, which the detector takes when they are paper with lines of print; it
  once rejected them all, a phone being ~2.1:1). See ``bench/real_photos.py``.

A page counts as found when all four corners lie within 2 % of the frame diagonal of the truth.
A page frame can also end as *not sure* (no page returned) or *wrong* (a quad more than 2 % off):
the detector should say "not sure" rather than be wrong. Timing is the thread CPU time of
``detect_page``, median and p95 (with ``--repeat N`` the fastest of N runs of each frame). Bars (printed with their figures; exit 1 when one is missed):
≥ 98 % on each synthetic set not tuned on (``heldout2``, ``heldout3``), ≥ 95 % on the real ``test`` part
(when fetched),
≤ 1 false page in 100 page-less frames of every set, median ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera import synth, synth_empty, synth_train
from kiosk.devices.camera.detect import detect_page
from kiosk.devices.camera.synth_hall import HALL_NO_PAGE, hall_no_page, hall_scene, render_hall

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_photos  # noqa: E402
from heldout import render as heldout  # noqa: E402
from heldout2 import scene as heldout2  # noqa: E402
from heldout3 import shot as heldout3  # noqa: E402

NO_REAL = ("real photos: not fetched. bench/real/labels.json labels photos of pages, cards and receipts from "
           "permissively licensed repositories (sources and licences in bench/real/README.md); run "
           "python3 bench/real/fetch.py (it needs GitHub), then this bench again (or --real DIR).")


class Tally:
    def __init__(self, name: str, blind: bool = False):
        self.name, self.ms, self.results, self.blind = name, [], Counter(), blind
        self.misses: Counter = Counter()

    def page(self, frame: np.ndarray, truth: np.ndarray, group: str, tags: tuple[str, ...] = ()) -> None:
        found, ms = _timed(frame)
        self.ms.append(ms)
        if found is None:
            outcome = "not_sure"
        elif synth.corner_error(found.corners, truth) <= 0.02 * math.hypot(*frame.shape[:2]):
            outcome = "hit"
        else:
            outcome = "wrong"
        self.results[(group, outcome)] += 1
        if outcome != "hit":
            self.misses[f"{outcome}:{'/'.join(tags)}"] += 1

    def empty(self, frame: np.ndarray, tag: str) -> None:
        found, ms = _timed(frame)
        self.ms.append(ms)
        self.results[("empty", "false_page" if found is not None else "none")] += 1
        if found is not None:
            self.misses[f"false:{tag}"] += 1

    def share(self, groups: tuple[str, ...] | None = None) -> tuple[int, int]:
        pick = [(g, o, n) for (g, o), n in self.results.items() if g != "empty" and (groups is None or g in groups)]
        return sum(n for _, o, n in pick if o == "hit"), sum(n for _, _, n in pick)

    def report(self, verbose: bool) -> None:
        print(f"  {self.name}")
        hits, total = self.share()
        if total:
            groups = sorted({g for g, _ in self.results if g != "empty"})
            parts = []
            for g in groups:
                h, t = self.share((g,))
                parts.append(f"{g} {h}/{t}")
            wrong = sum(n for (g, o), n in self.results.items() if o == "wrong")
            unsure = sum(n for (g, o), n in self.results.items() if o == "not_sure")
            print(f"    within 2 %: {hits}/{total} = {hits / total:.1%}  ({', '.join(parts)});  "
                  f"not sure {unsure}, wrong quad {wrong}")
        empties = self.results[("empty", "false_page")] + self.results[("empty", "none")]
        if empties:
            print(f"    false pages: {self.results[('empty', 'false_page')]} in {empties} page-less frames")
        print(f"    cpu per frame: median {np.median(self.ms):.2f} ms, p95 {np.percentile(self.ms, 95):.2f} ms")
        if verbose and self.misses and not self.blind:  # a set not tuned on shows no misses
            for what, n in self.misses.most_common(12):
                print(f"      {n:3d} {what}")


REPEAT = 1  # --repeat: runs of detect_page a frame, the fastest timed (a shared machine's noise only adds)


def _timed(frame: np.ndarray):
    best = math.inf
    for _ in range(REPEAT):
        c0 = time.thread_time()
        found = detect_page(frame)
        best = min(best, (time.thread_time() - c0) * 1000)
    return found, best


def _group(kind: str | None, area: float) -> str:
    if kind in ("card", "id_card", "bank_card", "ss_card"):
        return "card<15%" if area < 0.15 else "card"
    return "a4" if kind == "a4" else "page"


def run_real(folder: Path) -> dict[str, Tally]:
    tallies = {}
    for split, title, blind in (("dev", "real/dev: may be tuned on", False),
                                ("test", "NOT TUNED ON/real/test", True)):
        tally = Tally(f"{title} ({folder}; photos at their own size, not in the median)", blind=blind)
        for name, frame, truth, group in real_photos.photos(folder, split):
            tally.page(frame, truth, group, (name,))
        if tally.ms:
            tallies[split] = tally
    return tallies


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=300, help="frames in each tuning set (default 300)")
    ap.add_argument("--heldout", type=int, default=200, help="held-out frames with a document (default 200)")
    ap.add_argument("--heldout2", type=int, default=200, help="second held-out renderer's frames (default 200)")
    ap.add_argument("--heldout3", type=int, default=200, help="third held-out renderer's frames (default 200)")
    ap.add_argument("--train", type=int, default=300, help="training renderer's frames with a document (default 300)")
    ap.add_argument("--empty", type=int, default=200, help="page-less frames in each page-less set (default 200)")
    ap.add_argument("--sets", default="classic,hall,heldout,heldout2,heldout3,empty,hall_empty",
                    help="which sets to run (comma separated)")
    ap.add_argument("--real", type=Path, help="a folder with labels.json and its photos (default bench/real "
                                               "when its photos have been fetched)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="time each frame this many times, keep the fastest "
                                                           "(on a loaded machine; detection is deterministic)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = ap.parse_args()
    global REPEAT
    REPEAT = max(1, args.repeat)
    cv2.setNumThreads(1)
    sets = set(args.sets.split(","))
    if "all" in sets:
        sets |= {"classic", "hall", "heldout", "heldout2", "heldout3", "empty", "hall_empty", "train"}
    detect_page(synth.render(synth.Scene(cover=0.3))[0])  # warm-up (first-call allocations)
    detect_page(synth_empty.no_page(synth_empty.NO_PAGE_KINDS[0], 0))  # every pass (Lab's tables: 65 ms once)
    tallies: dict[str, Tally] = {}
    if "classic" in sets:
        t = tallies["classic"] = Tally("tuning/classic: synth.random_scene")
        rng = np.random.default_rng(args.seed)
        for _ in range(args.pages):
            scene = synth.random_scene(rng)
            frame, truth = synth.render(scene)
            t.page(frame, truth, _group(scene.kind, scene.cover), (scene.background, scene.kind))
    if "hall" in sets:
        t = tallies["hall"] = Tally("tuning/hall: synth_hall.hall_scene")
        rng = np.random.default_rng(args.seed + 1000)
        for _ in range(args.pages):
            hs = hall_scene(rng)
            frame, truth = render_hall(hs)
            t.page(frame, truth, _group(hs.scene.kind, hs.scene.cover), hs.tags)
    renderers = (("heldout", "tuning/heldout: bench/heldout renderer (held out once, tuned on since)", heldout,
                  900_000, 950_000, args.heldout, False),
                 ("heldout2", "NOT TUNED ON/heldout2: bench/heldout2 renderer", heldout2, 7_000_000, 7_500_000,
                  args.heldout2, True),
                 ("heldout3", "NOT TUNED ON/heldout3: bench/heldout3 renderer", heldout3, 8_000_000, 8_500_000,
                  args.heldout3, True),
                 ("train", "tuning/train: synth_train (the training renderer)", synth_train, 5_000_000, 5_500_000,
                  args.train, False))
    for key, title, renderer, page_seeds, empty_seeds, pages, blind in renderers:
        if key not in sets:
            continue
        t = tallies[key] = Tally(title, blind=blind)
        for i in range(pages):
            shot = renderer.shot(page_seeds + args.seed * 10_000 + i)
            t.page(shot.image, shot.corners, _group(shot.kind, shot.area), shot.tags)
        for i in range(args.empty):
            shot = renderer.shot(empty_seeds + args.seed * 10_000 + i, with_doc=False)
            t.empty(shot.image, "/".join(shot.tags))
    if "empty" in sets:
        t = tallies["empty"] = Tally("page-less/synth: synth.no_page")
        for i in range(args.empty):
            kind = synth_empty.NO_PAGE_KINDS[i % len(synth_empty.NO_PAGE_KINDS)]
            t.empty(synth_empty.no_page(kind, args.seed * 100000 + i), kind)
    if "hall_empty" in sets:
        t = tallies["hall_empty"] = Tally("page-less/hall: synth_hall.hall_no_page")
        for i in range(args.empty):
            kind = HALL_NO_PAGE[i % len(HALL_NO_PAGE)]
            t.empty(hall_no_page(kind, args.seed * 100000 + i), kind)
    real_dir = args.real or (real_photos.FOLDER if real_photos.fetched() else None)
    real = run_real(real_dir) if real_dir else {}

    print(f"document detection, 1280×720 frames, cv2.setNumThreads(1), OpenCV {cv2.__version__}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for t in tallies.values():
        t.report(args.verbose)
    for t in real.values():
        t.report(True)
    if not real:
        print(f"  {NO_REAL}")
    all_ms = [ms for t in tallies.values() for ms in t.ms]
    bars = []
    for key in ("heldout2", "heldout3"):
        if key in tallies:
            h, n = tallies[key].share()
            bars.append((f"not-tuned-on synthetic ({key}) within 2 % ≥ 98 %: {h / max(n, 1):.1%}", h >= 0.98 * n))
    for key in ("heldout", "heldout2", "heldout3", "train", "empty", "hall_empty"):
        if key in tallies:
            r = tallies[key].results
            total = r[("empty", "false_page")] + r[("empty", "none")]
            bars.append((f"{key} false pages ≤ 1 in 100: {r[('empty', 'false_page')]} in {total}",
                         r[("empty", "false_page")] <= total / 100))
    if "test" in real:
        h, n = real["test"].share()
        short = tuple(g for g in real_photos.GROUPS if g != "long>2:1")
        hs, ns = real["test"].share(short)
        bars.append((f"real (test part, not tuned on) within 2 % ≥ 95 %: {h}/{n} = {h / max(n, 1):.1%} "
                     f"({hs}/{ns} = {hs / max(ns, 1):.1%} without long>2:1)", h >= 0.95 * n))
    else:
        bars.append(("real within 2 % ≥ 95 %: not measured (photos not fetched, see above)", False))
    if all_ms:
        bars.append((f"median ≤ 5 ms over every frame: {np.median(all_ms):.2f} ms", np.median(all_ms) <= 5))
    print("  bars:")
    for text, ok in bars:
        print(f"    {'met    ' if ok else 'NOT met'}  {text}")
    met = all(ok for _, ok in bars)
    print("  all bars met" if met else "  bars NOT all met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
