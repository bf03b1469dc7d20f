"""Image quality of a page: sharpness, brightness, glare and flatness, with problems a resident can fix.

Measures are taken inside the page (its quad shrunk by 15 % towards the centre, away from the page
edge and the desk), or on the whole frame when no page was found:

- ``brightness``: mean grey level 0–255. Exposure is judged first: blur cannot be judged in the dark.
- ``glare``: share of the page's pixels at or above ``glare_level`` (blur checks do not see glare).
- ``sharpness``: the steepest edges (99th percentile of the grey gradient after a 3×3 Gaussian) as a
  percentage of the page's contrast (1st–99th percentile of grey) per pixel. It is independent of
  exposure and contrast and hardly moved by sensor noise: ≥ 30 sharp, ~20 at a 2-pixel blur. A page
  with too little contrast to judge (blank paper) is never called blurry. Regions larger than 1000 px
  are reduced by an integer factor first, so a 12-megapixel still is judged like a preview frame.
- ``skew``: the largest deviation of a page corner from 90° (a tilted or curled page).

Problem codes, in the order a resident should fix them: ``no_page``, ``too_dark``, ``too_bright``,
``glare``, ``not_flat``, ``blurry``. :func:`message` gives each one's plain-language text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk.devices.base import Reason

PROBLEMS = ("no_page", "too_dark", "too_bright", "glare", "not_flat", "blurry", "moving")


@dataclass(frozen=True)
class QualitySettings:
    """Thresholds; calibrate ``min_sharpness`` per camera model (the camera config carries them)."""

    min_sharpness: float = 20.0
    min_contrast: float = 40.0  # below this the page is too plain to judge blur
    min_brightness: float = 80.0
    max_brightness: float = 240.0
    glare_level: int = 250
    max_glare: float = 0.01  # share of page pixels
    max_skew_deg: float = 15.0

    @classmethod
    def from_config(cls, section: object) -> QualitySettings:
        """Takes the fields of this class that a config section (``CameraConfig``) defines."""
        names = cls.__dataclass_fields__
        return cls(**{n: getattr(section, n) for n in names if hasattr(section, n)})


@dataclass(frozen=True)
class Quality:
    """What was measured and what is wrong (``problems``, codes of :data:`PROBLEMS`)."""

    sharpness: float
    brightness: float
    glare: float
    contrast: float
    skew: float
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems

    def reasons(self) -> list[Reason]:
        """What to tell the resident for each problem (:func:`kiosk.i18n.say` words them)."""
        return [problem_reason(p) for p in self.problems]

    def as_dict(self) -> dict:
        return {"sharpness": round(self.sharpness, 1), "brightness": round(self.brightness, 1),
                "glare": round(self.glare, 4), "contrast": round(self.contrast, 1),
                "skew": round(self.skew, 1), "ok": self.ok, "problems": list(self.problems)}


def problem_reason(code: str) -> Reason:
    """What to tell the resident for a problem code, e.g. ``too_dark`` (worded: 太暗了，请到亮一点的地方)."""
    return Reason(f"camera.problems.{code}")


def skew_degrees(corners: np.ndarray) -> float:
    """The largest deviation of a quad's corner angles from 90 degrees."""
    q = np.asarray(corners, np.float64).reshape(4, 2)
    worst = 0.0
    for i in range(4):
        v1, v2 = q[i - 1] - q[i], q[(i + 1) % 4] - q[i]
        cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        worst = max(worst, abs(math.degrees(math.acos(max(-1.0, min(1.0, cos)))) - 90))
    return worst


def _quantile(counts: np.ndarray, q: float) -> float:
    """The ``q`` quantile (bin index) of a histogram; a sort-free percentile for large pixel sets."""
    cumulative = np.cumsum(counts)
    return float(np.searchsorted(cumulative, q * cumulative[-1]))


def _region(gray: np.ndarray, corners: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The grey crop to measure and its boolean mask (the shrunk page, or the whole frame)."""
    if corners is None:
        return gray, np.ones(gray.shape, bool)
    q = np.asarray(corners, np.float32).reshape(4, 2)
    c = q.mean(axis=0)
    inner = np.rint(c + (q - c) * 0.85).astype(np.int32)
    h, w = gray.shape
    inner[:, 0] = np.clip(inner[:, 0], 0, w - 1)
    inner[:, 1] = np.clip(inner[:, 1], 0, h - 1)
    x, y, bw, bh = cv2.boundingRect(inner)
    mask = np.zeros((bh, bw), np.uint8)
    cv2.fillConvexPoly(mask, inner - np.array([x, y], np.int32), 1)
    return gray[y:y + bh, x:x + bw], mask.astype(bool)


def assess(image: np.ndarray, corners: np.ndarray | None = None,
           settings: QualitySettings | None = None) -> Quality:
    """Measures ``image`` (BGR or grey) inside the page ``corners`` (tl, tr, br, bl; None = no page
    found, which is itself the problem ``no_page``) and lists the problems against ``settings``."""
    st = settings or QualitySettings()
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    region, mask = _region(gray, corners)
    if not mask.any():
        region, mask = gray, np.ones(gray.shape, bool)
    k = max(1, math.ceil(max(region.shape) / 1000))
    if k > 1:
        region = cv2.resize(region, (region.shape[1] // k, region.shape[0] // k), interpolation=cv2.INTER_AREA)
        mask = cv2.resize(mask.astype(np.uint8), (region.shape[1], region.shape[0]),
                          interpolation=cv2.INTER_NEAREST).astype(bool)
    values = region[mask]
    brightness = float(values.mean())
    glare = float(np.count_nonzero(values >= st.glare_level)) / max(values.size, 1)
    counts = np.bincount(values, minlength=256)
    contrast = float(_quantile(counts, 0.99) - _quantile(counts, 0.01))
    smooth = cv2.GaussianBlur(region, (3, 3), 0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    steps = np.minimum(cv2.magnitude(gx, gy)[mask] * (4 / 8.0), 4095).astype(np.int32)  # ¼ grey-level bins
    sharpness = _quantile(np.bincount(steps, minlength=4096), 0.99) / 4 / max(contrast, 1.0) * 100
    skew = skew_degrees(corners) if corners is not None else 0.0

    problems: list[str] = []
    if corners is None:
        problems.append("no_page")
    if brightness < st.min_brightness:
        problems.append("too_dark")
    elif brightness > st.max_brightness or glare >= 0.4:
        problems.append("too_bright")
    elif glare > st.max_glare:
        problems.append("glare")
    if corners is not None:
        if skew > st.max_skew_deg:
            problems.append("not_flat")
        exposed = "too_dark" not in problems and "too_bright" not in problems
        if exposed and contrast >= st.min_contrast and sharpness < st.min_sharpness:
            problems.append("blurry")
    return Quality(sharpness, brightness, glare, contrast, skew, tuple(problems))
