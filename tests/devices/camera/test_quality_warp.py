import numpy as np
import pytest

from kiosk.devices.camera import synth, synth_empty
from kiosk.devices.camera.quality import QualitySettings, assess, problem_reason
from kiosk.devices.camera.warp import guess_kind, warp_page
from kiosk.i18n import say

BASE = {"background": "dark", "cover": 0.3, "angle": 6, "noise": 3.0, "seed": 11}


def _frame(**changes):
    return synth.render(synth.Scene(**{**BASE, **changes}))


def test_a_good_page_has_no_problems():
    frame, corners = _frame()
    q = assess(frame, corners)
    assert q.ok and q.problems == () and q.sharpness > 30 and 150 < q.brightness < 240


@pytest.mark.parametrize(("changes", "code", "text"), [
    ({"light": 0.3}, "too_dark", "太暗了，请到亮一点的地方"),
    ({"glare": 0.1}, "glare", "有反光，请调整角度"),
    ({"blur": 3.5}, "blurry", "照片模糊，请拿稳"),
    ({"light": 1.4}, "too_bright", "太亮了，请避开强光"),
    ({"tilt": 0.3, "seed": 10}, "not_flat", "请把材料放平"),
])
def test_each_problem_is_named_with_a_message_a_resident_can_act_on(changes, code, text):
    frame, corners = _frame(**changes)
    q = assess(frame, corners)
    assert q.problems[0] == code, q
    assert say(q.reasons()[0], "zh_CN") == text and say(problem_reason(code), "en") != text


def test_blur_is_not_judged_in_the_dark_nor_on_a_blank_page():
    frame, corners = _frame(light=0.3, blur=3.5)
    assert assess(frame, corners).problems == ("too_dark",)
    blank = np.full((400, 600, 3), 230, np.uint8)
    quad = np.array([[50, 50], [550, 50], [550, 350], [50, 350]], np.float32)
    assert "blurry" not in assess(blank, quad).problems


def test_thresholds_are_settings():
    frame, corners = _frame(blur=1.6)
    assert assess(frame, corners, QualitySettings(min_sharpness=60)).problems == ("blurry",)
    assert assess(frame, corners, QualitySettings(min_sharpness=5)).ok


def test_no_page_is_a_problem_measured_on_the_whole_frame():
    q = assess(synth_empty.no_page("desk", 3), None)
    assert q.problems[0] == "no_page" and q.as_dict()["ok"] is False


def test_warp_flattens_the_page_onto_a4_and_card_canvases():
    for kind, size in (("a4", (1754, 1240)), ("card", (638, 1011))):
        frame, corners = _frame(kind=kind, angle=20, tilt=0.08, background="wood")
        ordered = corners if kind == "a4" else np.roll(corners, 0, axis=0)
        page, got = warp_page(frame, ordered)
        assert got == kind and guess_kind(ordered) == kind and page.shape[:2] == size
        # the flattened page looks like the page that was drawn: compare with the drawn canvas
        import cv2

        drawn = synth._page(kind, BASE["seed"], 242).astype(np.uint8)
        drawn = cv2.resize(drawn, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_AREA)
        diff = np.abs(cv2.GaussianBlur(page, (9, 9), 0).astype(int) - cv2.GaussianBlur(drawn, (9, 9), 0))
        assert np.median(diff) < 25


def test_warp_orientation_follows_the_page_and_bad_input_is_refused():
    wide = np.array([[0, 0], [700, 0], [700, 495], [0, 495]], np.float32)
    image = np.zeros((500, 800, 3), np.uint8)
    assert warp_page(image, wide, "a4")[0].shape[:2] == (1240, 1754)
    assert warp_page(image, wide, "card")[0].shape[:2] == (638, 1011)
    with pytest.raises(ValueError, match="no area"):
        warp_page(image, np.zeros((4, 2), np.float32))
    with pytest.raises(ValueError, match="unknown page kind"):
        warp_page(image, wide, "letter")
