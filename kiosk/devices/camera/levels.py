"""One resolution of a camera frame and the images the detector's passes read from it.

A :class:`Level` holds the frame downscaled, its grey and its "whiteness" (the darkest colour channel,
high only where all channels are high, as on paper), each blurred then closed (text erased, the page
edge kept), and builds the masks each pass turns into outlines: Canny edges, Otsu on whiteness or
grey, and Otsu on the colour distance from the desk.
"""

from __future__ import annotations

import cv2
import numpy as np

_DILATE = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
_ROW3 = np.ones((1, 3), np.uint8)
LIMIT = 5


def darkest_channel(bgr: np.ndarray) -> np.ndarray:
    """min(B, G, R) per pixel: a 1×3 erosion across each row's interleaved channels, read at the green
    samples (whose window is exactly that pixel's B, G, R); ~6× faster than two ``cv2.min`` on views."""
    h, w = bgr.shape[:2]
    rows = cv2.erode(np.ascontiguousarray(bgr).reshape(h, w * 3), _ROW3)
    return np.ascontiguousarray(rows[:, 1::3])


def sobel(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 3×3 Sobel x and y derivatives (16-bit) of a grey image, the border replicated: what
    :func:`cv2.Canny` computes first."""
    return (cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE),
            cv2.Sobel(img, cv2.CV_16S, 0, 1, ksize=3, borderType=cv2.BORDER_REPLICATE))


def canny(img: np.ndarray, low: float, high: float,
          gradients: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """``cv2.Canny(img, low, high)``; from the image's :func:`sobel` derivatives when they are given
    (the same edges, and faster: the grey, which Canny runs on twice, has them computed once)."""
    return cv2.Canny(img, low, high) if gradients is None else cv2.Canny(*gradients, low, high)


def contour_candidates(mask: np.ndarray, mode: int, min_px: float, limit: int = LIMIT) -> list[np.ndarray]:
    """The ``limit`` outlines of ``mask`` with the largest convex hulls of at least ``min_px``."""
    contours, _ = cv2.findContours(mask, mode, cv2.CHAIN_APPROX_SIMPLE)
    big = []
    for c in contours:
        if len(c) < 4:
            continue
        _, _, bw, bh = cv2.boundingRect(c)  # cheap test first
        if bw * bh >= min_px:
            area = cv2.contourArea(cv2.convexHull(c))
            if area >= min_px:
                big.append((area, c))
    big.sort(key=lambda ac: ac[0], reverse=True)
    return [c for _, c in big[:limit]]


class Level:
    """One resolution of the frame with what the passes share (computed once)."""

    def __init__(self, small: np.ndarray, blur: int, close: int, opening: int):
        self.small = small
        self.close = cv2.getStructuringElement(cv2.MORPH_RECT, (close, close))
        self.opening = cv2.getStructuringElement(cv2.MORPH_RECT, (opening, opening))
        self.blur = blur
        self.colour = small.ndim == 3
        self.raw = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if self.colour else small
        self.blurred = cv2.GaussianBlur(self.raw, (blur, blur), 0)  # grey blurred, not closed (faint edges)
        self.gray = cv2.morphologyEx(self.blurred, cv2.MORPH_CLOSE, self.close)  # prepare(raw), blurring once
        self.support: list[np.ndarray] = [self.gray]
        self.h, self.w = small.shape[:2]
        self._white: np.ndarray | None = None if self.colour else self.gray
        self._distance: np.ndarray | None = None
        self._gradients: tuple[np.ndarray, np.ndarray] | None = None

    def gradients(self) -> tuple[np.ndarray, np.ndarray]:
        """The :func:`sobel` derivatives of the blurred, closed grey (every Canny of it starts from
        them), computed when first asked for."""
        if self._gradients is None:
            self._gradients = sobel(self.gray)
        return self._gradients

    @property
    def white(self) -> np.ndarray:
        """Whiteness, blurred and closed; computed when first asked for, then read by edge support too."""
        if self._white is None:
            self._white = self.prepare(darkest_channel(self.small))
            self.support.append(self._white)
        return self._white

    def prepare(self, channel: np.ndarray) -> np.ndarray:
        """Blur then close: noise and text gone, the page edge kept."""
        return cv2.morphologyEx(cv2.GaussianBlur(channel, (self.blur, self.blur), 0), cv2.MORPH_CLOSE,
                                self.close)

    def otsu(self, img: np.ndarray) -> tuple[np.ndarray, int]:
        _, binary = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        return cv2.morphologyEx(binary, cv2.MORPH_OPEN, self.opening), cv2.RETR_EXTERNAL

    def canny(self, low: int, high: int) -> tuple[np.ndarray, int]:
        return cv2.dilate(canny(self.gray, low, high, self.gradients()), _DILATE), cv2.RETR_LIST

    def faint(self, low: int, high: int) -> tuple[np.ndarray, int]:
        """Canny on grey blurred but not closed: closing erases the thin dark halo a page's shadow casts
        along its edge, which on a white desk is most of what shows of a white page. The thresholds rise
        with the frame's texture (the high one to 3 × the median-to-upper-quartile gradient, the 75th
        percentile, which a page's text hardly moves; the low one a third of it), so a textured desk does
        not flood the pass with edges. The blurred grey joins
        the images edge support reads."""
        blurred = self.blurred
        sample = np.ascontiguousarray(blurred[::2, ::2])
        grad = cv2.add(cv2.convertScaleAbs(cv2.Sobel(sample, cv2.CV_16S, 1, 0)),
                       cv2.convertScaleAbs(cv2.Sobel(sample, cv2.CV_16S, 0, 1)))
        counts = cv2.calcHist([grad], [0], None, [256], [0, 256]).ravel().cumsum()
        top = max(high, int(3 * np.searchsorted(counts, 0.75 * counts[-1])))
        self.support.append(blurred)
        edges = canny(blurred, max(low, top // 3), top)
        return cv2.dilate(edges, _DILATE), cv2.RETR_LIST

    def distance(self) -> np.ndarray:
        """How far each pixel's colour is from the desk's (YCrCb, L1, chroma weighted triple), the desk's
        colour being the median of a ring along the border; opened (not closed like grey: text is far
        from the desk's colour too, and closing would join it into blocks). Separates a tinted card from
        a grey desk of the same brightness. Computed once; joins the images edge support reads."""
        if self._distance is None:
            ycc = cv2.cvtColor(cv2.GaussianBlur(self.small, (self.blur, self.blur), 0), cv2.COLOR_BGR2YCrCb)
            r = max(2, min(self.h, self.w) // 60)
            ring = np.concatenate([ycc[:r].reshape(-1, 3), ycc[-r:].reshape(-1, 3),
                                   ycc[:, :r].reshape(-1, 3), ycc[:, -r:].reshape(-1, 3)])
            desk = np.median(ring, axis=0)
            diff = cv2.absdiff(ycc, tuple(float(v) for v in np.rint(desk)) + (0.0,))
            dist = cv2.transform(diff, np.float32([[1, 3, 3]]))  # saturates at 255; YCrCb chroma is compressed
            self._distance = cv2.morphologyEx(dist, cv2.MORPH_OPEN, self.close)
            self.support.append(self._distance)
        return self._distance

    def chroma(self) -> tuple[np.ndarray, ...]:
        """Lab's a (green–red) and b (blue–yellow) channels, blurred and closed like grey: the edges of a
        card as bright as its desk but of another hue, which grey does not show. Empty for grey frames."""
        if not self.colour:
            return ()
        _, a, b = cv2.split(cv2.cvtColor(self.small, cv2.COLOR_BGR2LAB))
        return self.prepare(a), self.prepare(b)

    def borrow_colour(self, other: Level) -> None:
        """Whiteness and colour distance join this level's edge support, taken from ``other`` (a smaller
        level that has them already) and scaled up: about a tenth of the cost of computing them here."""
        if other is self:
            self.white, self.distance()
            return
        for img in (other.white, other.distance()):
            self.support.append(cv2.resize(img, (self.w, self.h), interpolation=cv2.INTER_LINEAR))

    def colour_distance(self) -> tuple[np.ndarray, int]:
        return self.otsu(self.distance())
