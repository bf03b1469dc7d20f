"""After hours, the rest of the visit (issue 12 item 12), with real touches in both modes and languages:
once a visit's call is recorded while the helpers are away, the result and thank-you screens say when they
are back, that the call is recorded and the 12345 hotline, never that a helper is coming or 请在此稍候; the
thank-you screen returns by itself; a callback left from the result screen is named on the thank-you
screen (masked). The wall clock is injected: nothing depends on when the test runs."""

from datetime import datetime

import pytest

from tests.ui.kit import requests, wait

FRIDAY_EVENING = datetime(2026, 6, 5, 18, 0)
FRIDAY_MORNING = datetime(2026, 6, 5, 9, 0)
COMING = ("赶来", "马上过来", "稍候", "on the way", "is coming", "wait here")
WORDS = {"zh_CN": {"closed": "下班时间", "back": "6月8日", "recorded": "已记下"},
         "en": {"closed": "closed", "back": "8", "recorded": "recorded"}}


@pytest.fixture
def make(shot_kiosks):
    from kiosk.i18n import set_language

    def build(now=FRIDAY_EVENING, language="zh_CN", elderly=False):
        set_language(language)
        h = shot_kiosks(access={"hours": {"workday": ["08:30-12:00", "14:30-17:30"]}}, queue=True, now=now)
        if elderly:
            h.tap(h.screen("start").ids.elderly)
        return h

    yield build
    set_language("zh_CN")


def to_result(h, kind: str = "assist", missing: bool = False) -> None:
    """The screenshot scenarios' visit to its result, then the queue's answer taken in."""
    h.to_result(kind, missing=missing)
    h.controller.refresh_help()
    h.settle()
    assert h.current == "result"


def said(h) -> str:
    """Everything the result screen, the banner and the voice said."""
    texts = [w.text for w in h.find(lambda w: hasattr(w, "text") and isinstance(w.text, str),
                                    h.screen("result"))]
    return " ".join(texts + [h.root.header.help_text])


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("elderly", [False, True], ids=["standard", "elderly"])
def test_after_hours_result_and_thank_you_say_the_call_is_recorded_not_that_anyone_comes(make, language,
                                                                                        elderly):
    words = WORDS[language]
    h = make(language=language, elderly=elderly)
    to_result(h)  # 帮办 complete: the visit calls a helper to lead the resident, after hours
    assert h.controller.visit.help_request_id is not None and len(requests(h)) == 1
    wait(h, lambda: words["closed"] in h.root.header.help_text, what="the after-hours banner")
    result = h.screen("result")
    shown = h.root.header.help_text + "\n" + result.ids.next.text  # each fact once, the banner's not repeated
    assert all(shown.count(w) == 1 for w in (words["closed"], words["recorded"], "12345")), shown
    assert words["back"] in shown
    assert not any(w in said(h) for w in COMING), said(h)
    assert not h.controller.visit.helper_coming
    h.tap(result.ids.done)
    h.pump(4)
    assert h.current == "done"
    done = h.screen("done")
    assert words["recorded"] in done.ids.body.text and "12345" in done.ids.body.text
    assert not done.waiting and not any(w in done.ids.when.text for w in COMING)
    left = h.controller.done_seconds()  # returns by itself: nobody is coming to wait for
    assert left is not None and left <= h.controller.config.ui.done_return_s * (2 if elderly else 1) + 1


def test_after_hours_incomplete_with_no_call_says_come_back_in_service_hours(make):
    h = make()
    to_result(h, missing=True)
    nxt = h.screen("result").ids.next.text
    assert "服务时间" in nxt and "6月8日" in nxt and "12345" in nxt
    assert not any(w in said(h) for w in COMING), said(h)


def test_a_callback_left_from_the_result_screen_goes_back_there_and_shows_on_the_thank_you_screen(make):
    h = make()
    to_result(h)
    h.tap(h.root.header.ids.call_helper)  # after hours the call button leads to the hours screen
    assert h.current == "hours"
    s = h.screen("hours")
    h.keys(s.ids.keypad, "13812345678")
    h.tap(s.ids.keypad.enter)
    h.settle()
    assert "138****5678" in s.ids.left.text
    h.tap(s.ids.nav.ids.nav_back)  # 上一步: back to the visit, not a wipe
    assert h.current == "result" and h.controller.visit.identity is not None
    h.tap(h.screen("result").ids.done)
    h.pump(4)
    body = h.screen("done").ids.body.text
    assert "已登记回电：138****5678" in body and "12345" in body and "13812345678" not in body and "6月8日" in body
    callbacks = [r for r in requests(h) if r.body["priority"] == "after_hours"]
    assert len(callbacks) == 1


def test_during_service_hours_the_helper_is_still_said_to_come(make):
    from kiosk.i18n import tr

    h = make(now=FRIDAY_MORNING)
    to_result(h)
    nxt = h.screen("result").ids.next.text
    assert "下班" not in nxt
    # the queue here is out of reach: once the kiosk knows, it sends the resident to the desk, no promise
    offline = h.controller.visit.help.phase == "offline"
    promised = tr("kiosk.result.next_assist")
    assert ("没能通知到帮办员" in nxt and promised not in nxt) if offline else promised in nxt, nxt
    assert h.screen("hours").came_from == ""


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_after_hours_without_a_help_queue_never_says_the_call_is_recorded(shot_kiosks, language):
    """A kiosk with no help-queue client keeps a call nowhere: after hours the banner, the result and the
    thank-you screen say when the staff are back and the hotline, never 已记下 / "recorded"."""
    from kiosk.i18n import set_language

    words = WORDS[language]
    set_language(language)
    try:
        h = shot_kiosks(access={"hours": {"workday": ["08:30-12:00", "14:30-17:30"]}}, queue=False,
                        now=FRIDAY_EVENING)
        to_result(h, missing=True)
        h.controller.call_helper()
        h.settle()
        assert h.controller.visit.help_request_id is not None
        wait(h, lambda: words["closed"] in h.root.header.help_text, what="the after-hours banner")
        banner = h.root.header.help_text
        assert words["back"] in banner and "12345" in banner and words["recorded"] not in banner, banner
        nxt = h.screen("result").ids.next.text  # the banner says when they are back and the hotline: once
        assert words["back"] not in nxt and "12345" not in nxt and words["recorded"] not in nxt, nxt
        assert not any(w in said(h) for w in COMING), said(h)
        h.tap(h.screen("result").ids.done)
        h.pump(4)
        assert h.current == "done" and words["recorded"] not in h.screen("done").ids.body.text
    finally:
        set_language("zh_CN")
