"""Documents longer than a page (till receipts up to 1:4) are found; long things that are not paper with
print on it (a coloured, dotted or plain body: a keyboard, a pencil case, a lit screen) are not."""

import math

import cv2
import numpy as np
import pytest

from kiosk.devices.camera import synth
from kiosk.devices.camera.detect import detect_page
from kiosk.devices.camera.screens import is_paper


def _desk(seed: int, tone=(60, 90, 130)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.empty((720, 1280, 3), np.float32)
    img[:] = tone
    img += cv2.GaussianBlur(rng.normal(0, 12, (720, 1280, 1)).astype(np.float32), (0, 0), 3)[..., None]
    return img


def _strip(img: np.ndarray, size: tuple[float, float], angle: float, seed: int, body=(235, 238, 240),
           lines: bool | None = True) -> np.ndarray:
    """A strip (``size`` = width, length) at the frame's centre, with lines of print across it, dots
    (``lines=False``) or nothing (``None``: a lit screen, a plain body)."""
    rng = np.random.default_rng(seed)
    box = cv2.boxPoints(((640.0, 360.0), size, angle)).astype(np.float32)
    cv2.fillConvexPoly(img, np.rint(box).astype(np.int32), body, cv2.LINE_AA)
    a = math.radians(angle)
    u, v = np.float32([math.cos(a), math.sin(a)]), np.float32([-math.sin(a), math.cos(a)])
    c = np.float32([640, 360])
    if lines:
        for k in range(int(size[1] / 14) - 2):
            y, x0 = -size[1] / 2 + 14 * (k + 1.5), -0.4 * size[0]
            x1 = x0 + rng.uniform(0.3, 0.8) * size[0]
            p0, p1 = (tuple(int(t) for t in np.rint(c + u * x + v * y)) for x in (x0, x1))
            cv2.line(img, p0, p1, (40, 40, 40), 2, cv2.LINE_AA)
    elif lines is None:  # plain, with one dark line along it (a bezel's inner edge, a pen)
        p0, p1 = (tuple(int(t) for t in np.rint(c + u * 0.3 * size[0] + v * y)) for y in (-0.4 * size[1], 0.4 * size[1]))
        cv2.line(img, p0, p1, (30, 30, 30), 6, cv2.LINE_AA)
    else:
        for _ in range(80):
            p = c + u * rng.uniform(-0.45, 0.45) * size[0] + v * rng.uniform(-0.45, 0.45) * size[1]
            cv2.circle(img, tuple(int(t) for t in np.rint(p)), 7, (90, 90, 90), -1)
    return box


@pytest.mark.parametrize("length", [340.0, 520.0, 660.0])  # 2:1, 3:1, 3.9:1
def test_a_till_receipt_longer_than_a_page_is_found(length):
    for seed, angle in enumerate((10.0, 25.0, 35.0)):
        img = _desk(seed)
        box = _strip(img, (length / {340.0: 2.0, 520.0: 3.0, 660.0: 3.9}[length], length), angle, seed)
        frame = np.clip(img, 0, 255).astype(np.uint8)
        found = detect_page(frame)
        assert found is not None, (length, angle)
        assert synth.corner_error(found.corners, box) <= 0.01 * math.hypot(720, 1280), (length, angle)


def test_a_long_coloured_or_dotted_body_is_not_paper():
    gray_of = lambda img: cv2.cvtColor(np.clip(img, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY)  # noqa: E731
    receipt = _desk(1)
    box = _strip(receipt, (170.0, 520.0), 20.0, 1)
    frame = np.clip(receipt, 0, 255).astype(np.uint8)
    assert is_paper(gray_of(receipt), box, frame)
    for body, lines in (((60, 200, 220), True), ((150, 150, 150), False), ((220, 220, 225), False),
                        ((215, 180, 200), None)):
        img = _desk(2)
        box = _strip(img, (170.0, 520.0), 20.0, 2, body=body, lines=lines)
        assert not is_paper(gray_of(img), box, np.clip(img, 0, 255).astype(np.uint8)), (body, lines)
