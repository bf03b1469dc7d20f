"""A small learned document mask: one more cue for :func:`~kiosk.devices.camera.detect.detect_page`.

A fully convolutional network (``models/docmask.onnx``, ~50 k weights, trained by
``bench/train_doc_model.py`` on frames of our own renderers only) reads the work image shrunk to 128×128
and gives, on a 32×32 grid, the probability that each cell lies on a document. Run by ``cv2.dnn`` (no
other runtime dependency), about a millisecond on one core.

The mask only proposes: its largest blobs become quads (hull → four sides), snapped onto the work image's
edges (:func:`~kiosk.devices.camera.refine.refine_corners`, a wide reach then a narrow one), and each is then
judged by the same machinery as every other cue (plausible, edge support, printed, full-resolution
refinement): a wrong mask still ends as "not sure", never as a page. A missing or unreadable model file
leaves the classic cues alone (one log line).
"""

from __future__ import annotations

import logging
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
GATE: float | None = 0.5  # no cell this likely and no Canny quad → no page, fallbacks skipped (None: off)


class DocMask:
    """The network, loaded on first use; ``available`` is False (and stays so) when it cannot be."""

    def __init__(self, path: Path = MODEL):
        self.path = Path(path)
        self._net = None
        self._failed = False

    @property
    def available(self) -> bool:
        return self._load() is not None

    def _load(self):
        if self._net is None and not self._failed:
            try:
                self._net = cv2.dnn.readNetFromONNX(str(self.path))
                self._net.setInput(np.zeros((1, 3, SIDE, SIDE), np.float32))
                out = self._net.forward()
                if out.ndim != 4 or out.shape[:2] != (1, 1):
                    raise ValueError(f"unexpected output shape {out.shape}")
            except (cv2.error, OSError, ValueError) as e:
                self._failed, self._net = True, None
                log.warning("document mask model %s not usable (%s): classic cues only", self.path.name,
                            type(e).__name__)
        return self._net

    def __call__(self, image: np.ndarray) -> np.ndarray | None:
        """Probabilities (float32, the output grid) that each cell of ``image`` (BGR or grey) is a
        document, or None without a model."""
        net = self._load()
        if net is None:
            return None
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        x = cv2.resize(image, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
        net.setInput(cv2.dnn.blobFromImage(x, 1 / 255.0))
        logits = net.forward()[0, 0]
        return (1 / (1 + np.exp(-logits))).astype(np.float32)


_shared: DocMask | None = None


def shared() -> DocMask:
    """The process-wide model (loaded once)."""
    global _shared
    if _shared is None:
        _shared = DocMask()
    return _shared


def mask_quads(prob: np.ndarray, image: np.ndarray, min_px: float, blobs: int = 2) -> Iterator[np.ndarray]:
    """Quads (tl, tr, br, bl in ``image`` pixels) from the ``blobs`` largest blobs of ``prob``, each
    snapped onto ``image``'s edges; lazily, largest first."""
    h, w = image.shape[:2]
    up = cv2.resize(prob, (w, h), interpolation=cv2.INTER_LINEAR)
    binary = (up >= THRESHOLD).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    contours = sorted((c for c in contours if cv2.contourArea(c) >= 0.6 * min_px), key=cv2.contourArea,
                      reverse=True)
    cell = max(w, h) / prob.shape[0]
    for contour in contours[:blobs]:
        quad = quad_from_contour(contour)
        if quad is None:
            continue
        quad = order_corners(fit_sides(contour, quad))
        wide = refine_corners(image, quad, reach=0.7 * cell)[0]
        snapped = refine_corners(image, order_corners(wide), reach=3)[0]
        yield order_corners(snapped)
        if np.abs(snapped - quad).max() > 2:
            yield quad
