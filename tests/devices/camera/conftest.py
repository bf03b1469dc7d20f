import cv2
import numpy as np
import pytest

from kiosk.devices.camera import synth


@pytest.fixture(scope="session")
def page_set():
    """A varied synthetic set: (frame, true corners, scene) for 100 scenes from a fixed seed."""
    rng = np.random.default_rng(20261128)
    out = []
    for _ in range(100):
        scene = synth.random_scene(rng)
        frame, corners = synth.render(scene)
        out.append((frame, corners, scene))
    return out


@pytest.fixture()
def write_png(tmp_path):
    def write(name: str, image: np.ndarray):
        path = tmp_path / name
        assert cv2.imwrite(str(path), image)
        return path
    return write
