"""After hours (issue 12 item 12) with real touches: the start screen says when helpers are back, the
call button leads to the hours screen, a callback number is checked, shown masked, and recorded as an
``after_hours`` request (listed first by the queue); the 12345 hotline is shown. The wall clock is
injected: nothing depends on when the test runs."""

from datetime import datetime

import pytest

from tests.ui.kit import requests

FRIDAY_EVENING = datetime(2026, 6, 5, 18, 0)
FRIDAY_MORNING = datetime(2026, 6, 5, 9, 0)


@pytest.fixture
def make(shot_kiosks):
    hours = {"hours": {"workday": ["08:30-12:00", "14:30-17:30"], "note": "节假日急事请到一楼值班窗口"}}
    return lambda now=FRIDAY_EVENING, queue=True: shot_kiosks(access=hours, queue=queue, now=now)


def test_after_hours_the_start_screen_says_when_helpers_are_back_and_takes_a_callback(make):
    h = make()
    start = h.screen("start")
    assert "下班时间" in start.ids.subtitle.text and "6月8日（周一）08:30" in start.ids.subtitle.text
    h.tap(start.ids.green)  # the entry's place shows 留下电话 after hours
    assert h.current == "hours"
    s = h.screen("hours")
    assert "12345" in s.ids.hotline.text and "值班窗口" in s.ids.today.text
    h.keys(s.ids.keypad, "1381234567")  # one digit short
    h.tap(s.ids.keypad.enter)
    assert "11 位" in s.message and requests(h) == []
    h.keys(s.ids.keypad, "8")
    assert s.ids.typed.text == "138 1234 5678"
    h.tap(s.ids.keypad.enter)
    h.settle()
    assert "138****5678" in s.ids.left.text and "13812345678" not in s.ids.left.text
    reqs = requests(h)
    assert len(reqs) == 1 and reqs[0].body["priority"] == "after_hours"
    assert reqs[0].body["resident"]["phone"] == "13812345678" and "回电" in reqs[0].body["note"]
    h.tap(s.ids.nav.ids.nav_home)
    assert h.current == "start"
    h.settle()
    assert h.controller.hours.left == ""  # the visit's end wipes the (masked) number too


def test_after_hours_the_call_button_leads_to_the_hours_screen_not_to_a_promise(make):
    h = make()
    h.start("consult")
    h.press("呼叫")
    assert h.current == "hours" and h.controller.visit.help_request_id is None
    assert "6月8日（周一）08:30" in h.screen("hours").ids.title.text


def test_without_a_queue_the_kiosk_says_it_cannot_record_and_names_12345(make):
    h = make(queue=False)
    h.root.go("hours")
    s = h.screen("hours")  # no form to type a number nobody would get: the hours and the hotline
    assert s.ids.keypad.get_root_window() is None and "12345" in s.ids.hotline.text
    assert "12345" in h.controller.hours.leave_callback("13812345678") and not h.controller.hours.left


def test_during_service_hours_nothing_changes(make):
    h = make(now=FRIDAY_MORNING)
    start = h.screen("start")
    assert "下班" not in start.ids.subtitle.text and "绿色通道" in start.ids.green.text
    h.start("assist")
    h.press("呼叫")
    h.settle()
    assert h.current == "identify" and h.controller.visit.help_request_id is not None


def test_after_hours_a_call_the_visit_makes_never_says_a_helper_is_coming(make):
    from tests.ui.kit import wait

    h = make()
    h.to_result()  # 帮办 complete: the visit calls a helper to lead the resident
    h.controller.refresh_help()
    wait(h, lambda: "下班时间" in h.root.header.help_text, what="the after-hours banner")
    assert "赶来" not in h.root.header.help_text and "12345" in h.root.header.help_text


def test_after_hours_the_voice_of_a_call_says_it_is_recorded_not_that_one_comes(shot_kiosks):
    """The hardware call button (or a call the visit makes) in 长辈模式: the voice says what the banner says
    (recorded, back on Monday, 12345), never 已为您呼叫帮办员 (nobody is on duty to come)."""
    hours = {"hours": {"workday": ["08:30-12:00", "14:30-17:30"]}}
    h = shot_kiosks(access=hours, queue=True, now=FRIDAY_EVENING, elderly=True)
    h.start("assist")
    h.voice.said.clear()
    h.controller.call_helper()
    h.settle()
    said = " ".join(text for text, _key in h.voice.said)
    assert "下班时间" in said and "12345" in said, said
    assert "呼叫帮办员" not in said and "稍候" not in said, said


def test_during_service_hours_the_voice_of_a_call_says_it_is_calling(shot_kiosks):
    h = shot_kiosks(queue=True, now=FRIDAY_MORNING, elderly=True)
    h.start("assist")
    h.voice.said.clear()
    h.controller.call_helper()
    h.settle()
    assert ("正在为您呼叫帮办员，请稍候", "help") in h.voice.said


def test_a_second_press_with_the_queue_out_of_reach_is_voiced_as_the_banner_says(shot_kiosks):
    """Pressed again once the kiosk knows the call only went to the outbox: the voice says go to the desk,
    not 正在为您呼叫 again."""
    h = shot_kiosks(queue=False, now=FRIDAY_MORNING, elderly=True)
    h.start("assist")
    h.controller.call_helper()
    h.settle()
    assert h.controller.visit.help.phase == "offline"
    h.voice.said.clear()
    h.controller.call_helper()
    h.settle()
    said = " ".join(text for text, _key in h.voice.said)
    assert "帮办代办窗口" in said and "正在为您呼叫" not in said, said
