"""A simulated document camera: plays synthetic scenarios or recorded frames through the real driver.

:class:`SimulatedCamera` is an :class:`~kiosk.devices.camera.source.OpenCvCamera` whose ``opener``
returns a :class:`SimulatedCapture` instead of a ``cv2.VideoCapture``, so frames, pacing, health and
reconnect-with-backoff run through the same code as with a real camera.

Scenarios (``SCENARIOS``): ``page`` (a page slides in, lies still, is taken away; a new page each round:
auto-capture fires once per page), ``no_page`` (an empty desk), ``moving`` (a page that never stops),
``blurred``, ``glare``, ``dark`` (a still page with that quality problem), ``lost`` (the ``page`` scenario,
but the camera disappears after ``lost_after`` frames and refuses ``lost_for`` reopen attempts before it
returns), and ``folder:PATH`` (the image files of a folder in name order, looped).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.base import Backoff
from kiosk.devices.camera import synth, synth_empty
from kiosk.devices.camera.source import IMAGE_SUFFIXES, OpenCvCamera

SCENARIOS = ("page", "no_page", "moving", "blurred", "glare", "dark", "lost")
EMPTY, SLIDE, STILL = 8, 6, 40  # frames of one round of the page scenario


def check_scenario(scenario: str) -> str:
    """The scenario name, or ValueError naming the choices (a folder must exist and hold images)."""
    if scenario in SCENARIOS:
        return scenario
    if scenario.startswith("folder:"):
        folder = Path(scenario[7:])
        if not folder.is_dir():
            raise ValueError(f"scenario folder '{folder}' does not exist; record frames into it first")
        if not any(p.suffix.lower() in IMAGE_SUFFIXES for p in folder.iterdir()):
            raise ValueError(f"scenario folder '{folder}' holds no image files (.png, .jpg, …)")
        return scenario
    raise ValueError(f"unknown camera scenario '{scenario}'; expected one of {', '.join(SCENARIOS)} "
                     "or folder:PATH")


class ScenarioPlayer:
    """Produces the frames of a scenario, one per ``next_frame()``; thread-safe. Keeps its place and
    its "camera lost" state across reopen attempts."""

    def __init__(self, scenario: str = "page", width: int = 1280, height: int = 720, seed: int = 0,
                 lost_after: int = 30, lost_for: int = 3):
        self.scenario = check_scenario(scenario)
        self.width, self.height, self.seed = width, height, seed
        self.lost_after, self.lost_for = lost_after, lost_for
        self.index = 0
        self.lost = False
        self.refusals = 0
        self._lock = threading.Lock()
        self._cache: dict[tuple, np.ndarray] = {}
        self._files: list[Path] = []
        if self.scenario.startswith("folder:"):
            folder = Path(self.scenario[7:])
            self._files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)

    # -- the camera's view of it ----------------------------------------------------------------------
    def open(self) -> SimulatedCapture:
        """A capture, or a closed one while the simulated camera is unplugged."""
        with self._lock:
            if self.lost:
                self.refusals += 1
                if self.refusals <= self.lost_for:
                    return SimulatedCapture(self, opened=False)
                self.lost, self.refusals = False, 0
            return SimulatedCapture(self, opened=True)

    def next_frame(self) -> np.ndarray | None:
        """The next frame, or None when the camera has just been lost."""
        with self._lock:
            i = self.index
            if self.scenario == "lost" and i > 0 and i % self.lost_after == 0 and not self.lost and \
                    self.refusals == 0:
                self.lost = True
                self.index += 1  # come back with the next frame, not the same trigger
                return None
            self.index += 1
        return self.frame(i)

    # -- frames ----------------------------------------------------------------------------------------
    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` of the scenario (deterministic for a seed)."""
        if self._files:
            image = cv2.imread(str(self._files[i % len(self._files)]), cv2.IMREAD_COLOR)
            if image is None:
                raise ValueError(f"cannot read recorded frame {self._files[i % len(self._files)]}")
            return image
        name = "page" if self.scenario == "lost" else self.scenario
        if name == "no_page":
            return self._cached(("desk", i % 2), lambda: synth_empty.no_page("desk", self.seed * 7 + i % 2,
                                                                          self.width, self.height))
        if name == "moving":
            scene = self._scene(0)
            t = i * 0.25  # a circle at ~2 % of the frame diagonal per frame: never still
            scene.center = (0.5 + 0.1 * np.cos(t), 0.5 + 0.08 * np.sin(t))
            return synth.render(replace(scene, noise=3.0))[0]
        if name in ("blurred", "glare", "dark"):
            return self._cached((name, i % 2), lambda: self._still(name, i % 2))
        # page: empty desk → slide in → still → slide out, a new page every round
        rnd, k = divmod(i, EMPTY + 2 * SLIDE + STILL)
        if k < EMPTY:
            return self._cached(("desk", k % 2), lambda: self._desk(k % 2))
        scene = self._scene(rnd)
        target = scene.center
        if k < EMPTY + SLIDE or k >= EMPTY + SLIDE + STILL:
            step = (EMPTY + SLIDE - k) if k < EMPTY + SLIDE else (k - EMPTY - SLIDE - STILL + 1)
            scene.center = (target[0] + 0.12 * step, target[1])
            return synth.render(replace(scene, seed=scene.seed))[0]
        return self._cached(("still", rnd, k % 2), lambda: synth.render(replace(scene, noise=2.0 + k % 2))[0])

    def _scene(self, rnd: int) -> synth.Scene:
        rng = np.random.default_rng(self.seed * 1000 + rnd)
        s = synth.Scene(width=self.width, height=self.height, kind="card" if rnd % 3 == 2 else "a4",
                        background=("dark", "wood", "grey_texture")[rnd % 3],
                        cover=0.26 if rnd % 3 != 2 else 0.26, angle=float(rng.uniform(-12, 12)),
                        tilt=0.03, noise=2.0, seed=self.seed * 1000 + rnd, page_tone=240)
        return s

    def _still(self, name: str, variant: int) -> np.ndarray:
        s = self._scene(0)
        s.noise = 2.0 + variant
        if name == "blurred":
            s.blur = 4.0
        elif name == "glare":
            s.glare = 0.12
        else:
            s.light = 0.28
        return synth.render(s)[0]

    def _desk(self, variant: int) -> np.ndarray:
        s = self._scene(0)
        s.cover, s.noise = 0.0, 2.0 + variant
        rng = np.random.default_rng(s.seed)
        img = synth.background(s.background, self.height, self.width, rng)
        img += rng.normal(0, s.noise, img.shape).astype(np.float32)
        return np.clip(img, 0, 255).astype(np.uint8)

    def _cached(self, key: tuple, make) -> np.ndarray:
        if key not in self._cache:
            if len(self._cache) > 16:
                self._cache.clear()
            self._cache[key] = make()
        return self._cache[key].copy()


class SimulatedCapture:
    """The ``cv2.VideoCapture`` look-alike handed to the driver."""

    def __init__(self, player: ScenarioPlayer, opened: bool):
        self._player, self._opened = player, opened

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return self._opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        if not self._opened:
            return False, None
        image = self._player.next_frame()
        if image is None:
            self._opened = False
            return False, None
        return True, image

    def set(self, prop: int, value: float) -> bool:
        return True

    def release(self) -> None:
        self._opened = False


class SimulatedCamera(OpenCvCamera):
    """The camera driver over a :class:`ScenarioPlayer` (config ``type = "simulator"``)."""

    def __init__(self, scenario: str = "page", width: int = 1280, height: int = 720, fps: float = 15.0,
                 seed: int = 0, lost_after: int = 30, lost_for: int = 3, backoff: Backoff | None = None):
        self.player = ScenarioPlayer(scenario, width, height, seed, lost_after, lost_for)
        super().__init__(f"simulator:{scenario}", width, height, mjpg=False, loop=False, fps=fps,
                         opener=self.player.open, backoff=backoff or Backoff(0.05, 0.5))
        self._is_file = False

    @classmethod
    def from_config(cls, section) -> SimulatedCamera:
        return cls(section.scenario, width=section.width, height=section.height)
