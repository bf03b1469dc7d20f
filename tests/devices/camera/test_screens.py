"""A lit screen in its bezel is not a document; the training renderer draws what it says."""

import math

import cv2
import numpy as np

from kiosk.devices.camera import synth, synth_train
from kiosk.devices.camera.detect import detect_page
from kiosk.devices.camera.screens import is_screen


def _page_on(background: str, bezel: bool, seed: int):
    scene = synth.Scene(kind="a4", background=background, cover=0.22, angle=3 * seed, seed=seed)
    frame, truth = synth.render(scene)
    if bezel:  # the same page shown on a tablet: a black band around it, ended by the device's edge
        c = truth.mean(axis=0)
        out = frame.copy()
        cv2.fillConvexPoly(out, np.rint(c + (truth - c) * 1.12).astype(np.int32), (22, 22, 24), cv2.LINE_AA)
        mask = np.zeros(frame.shape[:2], np.uint8)
        cv2.fillConvexPoly(mask, np.rint(truth).astype(np.int32), 1)
        out[mask > 0] = frame[mask > 0]
        frame = out
    return frame, truth


def test_a_page_on_a_tablet_screen_is_not_a_page_but_the_same_page_on_the_desk_is():
    # (a black bezel on a black desk shows no band: there the screen still passes as a page)
    for background, seed in (("light", 1), ("wood", 2), ("grey_texture", 3), ("green_mat", 4)):
        frame, truth = _page_on(background, False, seed)
        found = detect_page(frame)
        assert found is not None and synth.corner_error(found.corners, truth) < 0.02 * math.hypot(*frame.shape[:2])
        assert not is_screen(frame, truth)
        shown, _ = _page_on(background, True, seed)
        assert is_screen(shown, truth), background
        assert detect_page(shown) is None, background


def test_the_training_renderer_repeats_itself_and_keeps_the_document_inside_the_frame():
    a, b = synth_train.shot(42), synth_train.shot(42)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.corners, b.corners)
    for seed in range(12):
        s = synth_train.shot(seed)
        assert s.image.shape == (720, 1280, 3) and s.kind in synth_train.KINDS
        assert s.corners[:, 0].min() > 0 and s.corners[:, 0].max() < 1279
        assert s.corners[:, 1].min() > 0 and s.corners[:, 1].max() < 719
        assert abs(s.area - cv2.contourArea(s.corners) / (1280 * 720)) < 1e-6
    empty = synth_train.shot(7, with_doc=False)
    assert empty.corners is None and empty.kind is None


def test_a_black_bezel_on_a_dark_desk_marks_a_screen_but_a_pages_soft_shadow_does_not():
    # the bezel is only ~20 grey levels darker than the desk, but even across its width (a shadow ramps)
    rng = np.random.default_rng(3)
    screen = cv2.boxPoints(((640.0, 360.0), (520.0, 340.0), 12.0)).astype(np.float32)
    c = screen.mean(axis=0)

    def desk() -> np.ndarray:
        return np.full((720, 1280, 3), (38, 44, 52), np.float32) + rng.normal(0, 2, (720, 1280, 3)).astype(np.float32)

    tablet = desk()
    cv2.fillConvexPoly(tablet, np.rint(c + (screen - c) * 1.1).astype(np.int32), (20, 20, 22), cv2.LINE_AA)
    cv2.fillConvexPoly(tablet, np.rint(screen).astype(np.int32), (225, 228, 230), cv2.LINE_AA)
    assert is_screen(np.clip(tablet, 0, 255).astype(np.uint8), screen)
    page = desk()
    shadow = np.zeros((720, 1280), np.float32)
    cv2.fillConvexPoly(shadow, np.rint(screen + 6).astype(np.int32), 1.0)
    page *= (1 - 0.5 * cv2.GaussianBlur(shadow, (0, 0), 8))[..., None]
    cv2.fillConvexPoly(page, np.rint(screen).astype(np.int32), (225, 228, 230), cv2.LINE_AA)
    assert not is_screen(np.clip(page, 0, 255).astype(np.uint8), screen)
