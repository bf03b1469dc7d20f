"""Auto-capture: take the page when it has lain still and looks good, then wait for it to be taken away.

Feed every camera frame to :meth:`AutoCapture.update` (on the camera's thread); each call returns a
:class:`CaptureStatus` for the screen (the outline to draw, the prompt, the progress) and, once, the
:class:`CapturedDocument`. States: ``looking`` (no page) → ``steadying`` (a page, counting still frames
while quality passes) → ``captured`` (this frame's result holds the document) → ``remove`` (waiting
until no page has been seen for ``leave_frames`` frames) → ``looking`` again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk.devices.base import Reason
from kiosk.devices.camera.detect import Detection, detect_page
from kiosk.devices.camera.quality import Quality, QualitySettings, assess, problem_reason
from kiosk.devices.camera.warp import Kind, warp_page


@dataclass(eq=False)
class CapturedDocument:
    """A captured, flattened page. Personal data: keep it in memory, ``wipe()`` it when the visit ends.

    ``image`` is the page on its canvas (BGR uint8); ``corners`` are where it lay in the camera frame
    (tl, tr, br, bl); ``kind`` is ``a4`` or ``card``; ``timestamp`` is the capture time (epoch seconds).
    """

    image: np.ndarray
    corners: np.ndarray
    quality: Quality
    kind: Kind
    timestamp: float
    frame_size: tuple[int, int]
    wiped: bool = field(default=False)

    def jpeg(self, quality: int = 90) -> bytes:
        """The page as JPEG bytes (for upload or the printer preview). Raises ValueError once wiped."""
        if self.wiped:
            raise ValueError("this document was wiped; capture it again")
        ok, buf = cv2.imencode(".jpg", self.image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if not ok:
            raise ValueError("JPEG encoding failed")
        return buf.tobytes()

    def wipe(self) -> None:
        """Overwrites the pixels and the corners with zeros in place (other views of the buffer see it)."""
        self.image.fill(0)
        self.corners.fill(0)
        self.wiped = True

    def __repr__(self) -> str:  # never print pixels
        return (f"CapturedDocument(kind={self.kind!r}, size={self.image.shape[1]}x{self.image.shape[0]}, "
                f"ok={self.quality.ok}, wiped={self.wiped})")


@dataclass(frozen=True)
class CaptureStatus:
    """One frame's verdict for the screen."""

    state: str  # looking | steadying | captured | remove
    corners: np.ndarray | None  # the page outline in frame pixels, or None
    problems: tuple[str, ...] = ()
    progress: float = 0.0  # share of the still frames reached, 0..1
    document: CapturedDocument | None = None

    def prompt(self) -> Reason:
        """What to tell the resident now: the first problem, else the state's prompt (the screen words it
        with :func:`kiosk.i18n.say`)."""
        if self.problems:
            return problem_reason(self.problems[0])
        key = {"looking": "looking", "steadying": "hold_still", "captured": "captured", "remove": "take_away"}
        return Reason(f"camera.{key[self.state]}")


class AutoCapture:
    """The stability tracker. Not thread-safe: call it from one thread (the camera's).

    ``still_frames``: consecutive frames whose corners moved less than ``tolerance`` × the frame diagonal
    (and whose quality passed) before capturing. ``leave_frames``: page-less frames that re-arm it.
    ``kind``: force ``a4`` or ``card``; None picks by aspect ratio.

    CPU: the detector's full search (every fallback pass, ~13 ms a 720p frame with no page) runs only when
    it can matter. While a page is being followed, the cheap first pass runs first and the full search
    only when it finds nothing; while looking, the full search runs on every ``scan_every``-th frame and
    the cheap pass on the others (an easy page is still seen at once, a hard one a frame or two later).
    A ``detector`` given here must take ``fallbacks=`` like :func:`detect_page`.
    """

    def __init__(self, still_frames: int = 12, tolerance: float = 0.01, leave_frames: int = 5,
                 kind: Kind | None = None, settings: QualitySettings | None = None,
                 detector: Callable[..., Detection | None] = detect_page, clock: Callable[[], float] = time.time,
                 scan_every: int = 3):
        if still_frames < 1 or leave_frames < 1 or scan_every < 1:
            raise ValueError("still_frames, leave_frames and scan_every must be at least 1")
        self.scan_every, self._frames = scan_every, 0
        self.still_frames, self.tolerance, self.leave_frames = still_frames, tolerance, leave_frames
        self.kind, self.settings = kind, settings or QualitySettings()
        self._detect, self._clock = detector, clock
        self.reset()

    @classmethod
    def from_config(cls, section: object, kind: Kind | None = None) -> AutoCapture:
        """A tracker with the camera config's ``still_frames`` and quality thresholds."""
        return cls(still_frames=getattr(section, "still_frames", 12), kind=kind,
                   settings=QualitySettings.from_config(section))

    def reset(self) -> None:
        """Back to ``looking``, forgetting any page in progress."""
        self._state = "looking"
        self._previous: np.ndarray | None = None
        self._still = 0
        self._gone = 0

    @property
    def state(self) -> str:
        return self._state

    def update(self, frame: np.ndarray) -> CaptureStatus:
        """Processes one BGR frame and returns what the screen should show."""
        found = self._find(frame)
        if self._state == "remove":
            self._gone = 0 if found is not None else self._gone + 1
            if self._gone >= self.leave_frames:
                self.reset()
                return CaptureStatus("looking", None, self._frame_problems(frame))
            return CaptureStatus("remove", None if found is None else found.corners)
        if found is None:
            self._previous, self._still = None, 0
            self._state = "looking"
            return CaptureStatus("looking", None, self._frame_problems(frame))
        corners = found.corners
        diagonal = math.hypot(frame.shape[0], frame.shape[1])
        moved = (self._previous is None or
                 float(np.linalg.norm(corners - self._previous, axis=1).max()) >= self.tolerance * diagonal)
        self._previous = corners
        quality = assess(frame, corners, self.settings)
        problems = quality.problems
        if moved:
            self._still = 1
            problems = ("moving", *problems) if self._state == "steadying" else problems
        elif quality.ok:
            self._still += 1
        else:
            self._still = 1
        self._state = "steadying"
        if self._still >= self.still_frames and quality.ok:
            return self._capture(frame, corners)
        return CaptureStatus("steadying", corners, problems, min(1.0, self._still / self.still_frames))

    def _find(self, frame: np.ndarray) -> Detection | None:
        """The page in this frame: the cheap pass first when it may do (a page followed, or not this
        frame's turn for the full search), the full search when it found nothing and it is its turn."""
        self._frames += 1
        following = self._previous is not None or self._state == "remove"
        if following or self._frames % self.scan_every:
            found = self._detect(frame, fallbacks=False)
            if found is not None or not following:
                return found
        return self._detect(frame)

    def _capture(self, frame: np.ndarray, corners: np.ndarray) -> CaptureStatus:
        sharp = self._detect(frame, work_height=frame.shape[0])  # full resolution for exact corners
        if sharp is not None and float(np.linalg.norm(sharp.corners - corners, axis=1).max()) < \
                0.02 * math.hypot(frame.shape[0], frame.shape[1]):
            corners = sharp.corners
        image, kind = warp_page(frame, corners, self.kind)
        doc = CapturedDocument(image, corners.copy(), assess(frame, corners, self.settings), kind,
                               self._clock(), (frame.shape[1], frame.shape[0]))
        self._state, self._gone, self._still = "remove", 0, 0
        return CaptureStatus("captured", corners, (), 1.0, doc)

    def _frame_problems(self, frame: np.ndarray) -> tuple[str, ...]:
        small = frame[::8, ::8]
        gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        dark = float(gray.mean()) < self.settings.min_brightness / 3  # a dark desk is fine; a dark room not
        return ("too_dark", "no_page") if dark else ("no_page",)
