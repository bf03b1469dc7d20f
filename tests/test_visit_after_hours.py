"""After hours nobody is said to be on the way (issue 12, item 12): over every kind, answers, print
outcome and both languages, with the helpers away, the result screen, its voice, the thank-you screen and
the ticket never say a helper is coming or 请在此稍候; a request the visit made is said to be recorded, with
when the helpers are back and the 12345 hotline; the idle wipe and the thank-you screen do not wait for a
helper. Someone on duty who claims the request is still said to come."""

from dataclasses import replace
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.i18n import set_language, tr
from kiosk.terminal import slips
from kiosk.terminal.result_view import banner_says_closed, done_text, result_view
from kiosk.visit import Visit
from kiosk.visit.hours import Away
from tests.test_result_truth import CATALOG, MATTERS, SITE, Tickets, answered

AWAY = Away(back_at=datetime(2026, 6, 8, 8, 30), now=datetime(2026, 6, 5, 18, 0))  # Friday evening
BACK = {"zh_CN": "6月8日（周一）08:30", "en": "on\u00a0Monday 8\u00a0June\u00a0at\u00a008:30"}  # in the screen's words
COMING = {"zh_CN": ("赶来", "马上过来", "马上就来", "稍候"), "en": ("is coming", "are coming", "on the way", "wait here")}


def visit(kind: str, matter: str, answers: list[str], away: bool = True) -> Visit:
    # a kiosk with a help-queue client (a call it makes is kept); without one, tests/ui/test_after_hours_visit.py
    v = Visit(CATALOG, replace(SITE, queue=True), tickets=Tickets(), help_wait_s=1200, done_s=10)
    v.helpers_away = (lambda: AWAY) if away else (lambda: None)
    return answered(v, kind, matter, answers)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["consult", "assist", "proxy"]), matter=st.sampled_from(MATTERS),
       answers=st.lists(st.sampled_from(["paper", "missing", "unknown"]), min_size=12, max_size=12),
       outcomes=st.lists(st.sampled_from(["ok", "fail"]), min_size=2, max_size=2),
       call=st.booleans(), online=st.booleans(), language=st.sampled_from(["zh_CN", "en"]))
def test_after_hours_nobody_is_said_to_come(kind, matter, answers, outcomes, call, online, language):
    set_language(language)
    try:
        v = visit(kind, matter, answers)
        if call:
            v.call_helper()
        v.finish_materials()
        for slip, outcome in zip(v.result.slips, outcomes, strict=False):
            v.print_done(slip) if outcome == "ok" else v.print_failed(slip)
        v.helper_update(120, state="waiting", online=online)
        view = result_view(v)
        said = [view.next_text, view.print_text, view.speech]
        if v.result.complete and v.result.ticket:
            said.append(slips.build("ticket", v, language=language).to_text())
        assert not any(w in text for text in said for w in COMING[language]), said
        if banner_says_closed(v):  # the help banner says closed, when back and the hotline: not said twice
            assert "12345" not in view.next_text and BACK[language] not in view.next_text + view.print_text
        else:
            assert "12345" in view.next_text and BACK[language] in view.next_text
        go_now = tr("where.go", place="")  # the windows are closed: where is for later
        assert not any(line.startswith(go_now) for line in view.next_text.splitlines()), view.next_text
        assert not v.helper_coming
        assert v.timeouts[0] == v.idle_timeout_s  # the wipe does not wait for a helper nobody sends
        v.done()
        assert v.timeouts[0] == v.done_s
        thanks = done_text(v)
        assert not any(w in thanks for w in COMING[language])
        if v.help_request_id:
            assert "12345" in thanks
    finally:
        set_language("zh_CN")


def test_someone_on_duty_who_claims_the_request_is_said_to_come():
    v = visit("assist", "pension-enrol", ["paper"])
    v.finish_materials()
    v.helper_update(60, state="claimed", helper="李*", online=True)
    assert v.helper_coming and "下班" not in result_view(v).next_text


def test_during_service_hours_a_waiting_request_keeps_the_resident_waiting():
    v = visit("assist", "pension-enrol", ["paper"], away=False)
    v.finish_materials()
    v.helper_update(60, state="waiting", online=True)
    assert v.helper_coming and "下班" not in result_view(v).next_text
