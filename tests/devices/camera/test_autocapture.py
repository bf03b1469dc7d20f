import numpy as np
import pytest

from kiosk.devices.camera.autocapture import AutoCapture, CapturedDocument
from kiosk.devices.camera.quality import Quality
from kiosk.devices.camera.simulator import EMPTY, SLIDE, STILL, ScenarioPlayer
from kiosk.i18n import say

ROUND = EMPTY + 2 * SLIDE + STILL


def _play(scenario: str, frames: int, still: int = 6):
    player = ScenarioPlayer(scenario, 640, 360, seed=1)
    tracker = AutoCapture(still_frames=still)
    return [tracker.update(player.frame(i)) for i in range(frames)]


def test_captures_once_per_page_after_it_lies_still_and_rearms_after_it_leaves():
    statuses = _play("page", 2 * ROUND + EMPTY)
    captured = [i for i, s in enumerate(statuses) if s.document is not None]
    assert len(captured) == 2, [s.state for s in statuses]
    for i, at in enumerate(captured):
        still_from = i * ROUND + EMPTY + SLIDE
        assert still_from + 6 - 1 <= at < still_from + STILL  # not before 6 still frames
        states = [s.state for s in statuses[at + 1: (i + 1) * ROUND]]
        assert "remove" in states and "captured" not in states  # the same page is not taken twice
    between = [s.state for s in statuses[captured[0]:captured[1]]]
    assert "looking" in between  # re-armed only once the page had gone
    doc = statuses[captured[0]].document
    assert doc.kind == "a4" and doc.image.shape[:2] == (1754, 1240) and doc.quality.ok
    assert say(statuses[captured[0]].prompt(), "zh_CN") == "拍好了，请取走材料"


def test_a_page_that_keeps_moving_is_never_captured_and_is_told_to_hold_still():
    statuses = _play("moving", 50)
    assert all(s.document is None for s in statuses)
    assert sum("moving" in s.problems for s in statuses) > 30
    assert any(say(s.prompt(), "zh_CN") == "请保持不动" for s in statuses)


@pytest.mark.parametrize(("scenario", "code"), [("blurred", "blurry"), ("glare", "glare"), ("dark", "too_dark")])
def test_a_still_page_with_a_quality_problem_is_not_captured(scenario, code):
    statuses = _play(scenario, 25)
    assert all(s.document is None for s in statuses)
    assert all(s.state == "steadying" and code in s.problems for s in statuses[1:])


def test_no_page_keeps_looking_and_reset_forgets_progress():
    statuses = _play("no_page", 10)
    assert {s.state for s in statuses} == {"looking"}
    assert say(statuses[0].prompt(), "zh_CN") == "没有找到材料，请把材料放在框内"
    player, tracker = ScenarioPlayer("page", 640, 360, seed=1), AutoCapture(still_frames=6)
    for i in range(EMPTY + SLIDE, EMPTY + SLIDE + 4):
        tracker.update(player.frame(i))
    tracker.reset()
    assert tracker.state == "looking"
    assert tracker.update(player.frame(EMPTY + SLIDE + 4)).progress < 0.5


def test_wipe_zeroes_the_pixels_everywhere_they_are_shared():
    image = np.full((20, 30, 3), 200, np.uint8)
    view = image[5:10]
    doc = CapturedDocument(image, np.ones((4, 2), np.float32), Quality(30, 200, 0, 150, 0), "a4", 1.0, (30, 20))
    assert len(doc.jpeg()) > 100 and "200" not in repr(doc)
    doc.wipe()
    assert doc.wiped and not image.any() and not view.any() and not doc.corners.any()
    with pytest.raises(ValueError, match="wiped"):
        doc.jpeg()


def test_settings_come_from_the_camera_config():
    from kiosk.config.devices import CameraConfig

    tracker = AutoCapture.from_config(CameraConfig(still_frames=5, min_sharpness=33.0), kind="card")
    assert tracker.still_frames == 5 and tracker.settings.min_sharpness == 33.0 and tracker.kind == "card"
    with pytest.raises(ValueError):
        AutoCapture(still_frames=0)


def test_the_full_search_runs_every_few_frames_while_looking_and_when_a_followed_page_is_lost():
    from kiosk.devices.camera.detect import detect_page

    calls = []

    def spy(frame, **kw):
        calls.append(kw.get("fallbacks", True))
        return detect_page(frame, **kw)

    player = ScenarioPlayer("page", 640, 360, seed=1)
    tracker = AutoCapture(still_frames=6, detector=spy, scan_every=3)
    for i in range(EMPTY):  # no page: the cheap pass, and the full search on every third frame
        calls.clear()
        tracker.update(player.frame(i))
        assert calls == ([False] if (i + 1) % 3 else [True])
    for i in range(EMPTY + SLIDE, EMPTY + SLIDE + 4):  # a page followed: the cheap pass finds it
        tracker.update(player.frame(i))
    assert tracker.state == "steadying"
    calls.clear()
    tracker.update(ScenarioPlayer("no_page", 640, 360, seed=1).frame(0))  # lost: the full search looks again
    assert calls == [False, True] and tracker.state == "looking"
