"""A small learned document mask: one more cue for :func:`~kiosk.devices.camera.detect.detect_page`.

A fully convolutional network (``models/docmask.onnx``, ~64 k weights, trained by
``bench/train_doc_model.py`` on frames of our own renderers only) reads the work image shrunk to 128×128
and gives, on a 64×64 grid, the probability that each cell lies on a document and (a second channel) that
a document's corner lies in it. Run by ``cv2.dnn`` (no other runtime dependency), about two milliseconds
on one core. An older one-channel model (mask only) is read too.

The mask only proposes: its largest blobs become quads (hull → four sides); each corner moves to the
corner heatmap's peak near it (sub-cell: the weighted centre of the peak's 3×3 cells) when there is one;
both are snapped onto the work image's edges (:func:`~kiosk.devices.camera.refine.refine_corners`), and
each is then
judged by the same machinery as every other cue (plausible, edge support, printed, full-resolution
refinement): a wrong mask still ends as "not sure", never as a page. A missing or unreadable model file
leaves the classic cues alone (one log line).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera.quads import fit_sides, order_corners, quad_from_contour
from kiosk.devices.camera.refine import refine_corners

log = logging.getLogger(__name__)

MODEL = Path(__file__).resolve().parent / "models" / "docmask.onnx"
SIDE = 128  # the network's input, square: any frame is squeezed to it (it was trained so)
THRESHOLD = 0.5
PEAK = 0.3  # a corner heatmap cell this likely holds a corner
GATE: float | None = 0.5  # no cell this likely and no Canny quad → no page, fallbacks skipped (None: off)
# ... unless a corner heatmap cell is this likely: on small hand-held cards the mask can be confidently
# empty (max ~0.00) while the corner channel still sees corners (0.19–0.6) that the fallbacks then find
GATE_CORNER = 0.18
# ... and it also refuses a weak Canny quad (scoring < 0.85, so the network ran): where the network sees
# nothing at all, the weak quads on the choosing sets were lit tablets (bench/heldout's page-less frames)
# far more often than pages; set False to judge them as before
VETO_WEAK = True


class DocMask:
    """The network, loaded on first use; ``available`` is False (and stays so) when it cannot be."""

    def __init__(self, path: Path = MODEL):
        self.path = Path(path)
        self._net = None
        self._failed = False
        self._lock = threading.Lock()  # one cv2.dnn net: setInput + forward from two threads mixes them up

    @property
    def available(self) -> bool:
        return self._load() is not None

    def _load(self):
        with self._lock:
            return self._load_locked()

    def _load_locked(self):
        if self._net is None and not self._failed:
            try:
                self._net = cv2.dnn.readNetFromONNX(str(self.path))
                self._net.setInput(np.zeros((1, 3, SIDE, SIDE), np.float32))
                out = self._net.forward()
                if out.ndim != 4 or out.shape[0] != 1 or out.shape[1] not in (1, 2):
                    raise ValueError(f"unexpected output shape {out.shape}")
            except (cv2.error, OSError, ValueError) as e:
                self._failed, self._net = True, None
                log.warning(
                    "document mask model %s not usable (%s): classic cues only",
                    self.path.name,
                    type(e).__name__,
                )
        return self._net

    def __call__(self, image: np.ndarray) -> np.ndarray | None:
        """Probabilities (float32, channels × the output grid) that each cell of ``image`` (BGR or grey)
        is a document (channel 0) and holds a document's corner (channel 1, newer models), or None
        without a model."""
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        x = cv2.resize(image, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
        blob = cv2.dnn.blobFromImage(x, 1 / 255.0)
        with self._lock:
            net = self._load_locked()
            if net is None:
                return None
            net.setInput(blob)
            logits = net.forward()[0]
        return (1 / (1 + np.exp(-logits))).astype(np.float32)


def nothing_there(prob: np.ndarray) -> bool:
    """True when ``prob`` (:class:`DocMask`'s output) sees no document: no mask cell reaches :data:`GATE`
    and no corner heatmap cell :data:`GATE_CORNER`; always False with the gate off (``GATE`` None)."""
    if GATE is None or float(prob[0].max()) >= GATE:
        return False
    return len(prob) < 2 or float(prob[1].max()) < GATE_CORNER


_shared: DocMask | None = None


def shared() -> DocMask:
    """The process-wide model (loaded once)."""
    global _shared
    if _shared is None:
        _shared = DocMask()
    return _shared


def mask_quads(prob: np.ndarray, image: np.ndarray, min_px: float, blobs: int = 2) -> Iterator[np.ndarray]:
    """Quads (tl, tr, br, bl in ``image`` pixels) from the ``blobs`` largest blobs of ``prob[0]``, each
    with its corners moved to ``prob[1]``'s peaks (when it has a corner channel) and snapped onto
    ``image``'s edges; lazily, largest first."""
    h, w = image.shape[:2]
    up = cv2.resize(prob[0], (w, h), interpolation=cv2.INTER_LINEAR)
    binary = (up >= THRESHOLD).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    contours = sorted(
        (c for c in contours if cv2.contourArea(c) >= 0.6 * min_px), key=cv2.contourArea, reverse=True
    )
    cell = max(w, h) / prob.shape[-1]
    for contour in contours[:blobs]:
        quad = quad_from_contour(contour)
        if quad is None:
            continue
        quad = order_corners(fit_sides(contour, quad))
        tried = []
        if len(prob) > 1:
            peaks = corner_peaks(prob[1], quad, w, h)
            if peaks is not None:
                snapped = order_corners(refine_corners(image, order_corners(peaks), reach=3)[0])
                tried.append(snapped)
                yield snapped
        wide = refine_corners(image, quad, reach=0.7 * cell)[0]
        snapped = order_corners(refine_corners(image, order_corners(wide), reach=3)[0])
        if all(np.abs(snapped - t).max() > 2 for t in tried):
            tried.append(snapped)
            yield snapped
        if all(np.abs(quad - t).max() > 2 for t in tried):
            yield quad


def corner_peaks(
    heat: np.ndarray, quad: np.ndarray, w: int, h: int, reach: int = 3, least: float = PEAK
) -> np.ndarray | None:
    """``quad`` (``w``×``h`` pixels) with each corner moved to the weighted centre of the 3×3 cells
    around the corner heatmap's highest cell within ``reach`` cells of it; None when a corner has no
    cell of at least ``least`` there."""
    gh, gw = heat.shape
    sx, sy = gw / w, gh / h
    out = np.empty_like(quad)
    for i, (x, y) in enumerate(quad):
        cx, cy = int(round((x + 0.5) * sx - 0.5)), int(round((y + 0.5) * sy - 0.5))
        x0, y0 = max(0, cx - reach), max(0, cy - reach)
        win = heat[y0 : cy + reach + 1, x0 : cx + reach + 1]
        if win.size == 0 or float(win.max()) < least:
            return None
        py, px = np.unravel_index(int(win.argmax()), win.shape)
        py, px = py + y0, px + x0
        ys, xs = slice(max(0, py - 1), min(gh, py + 2)), slice(max(0, px - 1), min(gw, px + 2))
        wgt = heat[ys, xs]
        gy, gx = np.mgrid[ys, xs]
        mx, my = float((wgt * gx).sum() / wgt.sum()), float((wgt * gy).sum() / wgt.sum())
        out[i] = ((mx + 0.5) / sx - 0.5, (my + 0.5) / sy - 0.5)
    return out
