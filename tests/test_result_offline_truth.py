"""With the help queue out of reach (the call only recorded in the outbox, or no queue at all) nobody knows
the resident is there: over every kind, answers, print outcome and both languages, the result screen and its
voice never say a helper is coming or that the staff "have been told", and they name the 帮办代办 window
to go to instead; a material answered 不知道 is not said to have a helper asked to look."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.i18n import set_language, tr
from kiosk.terminal.result_view import result_view
from kiosk.terminal.views import material_items
from kiosk.visit import Visit
from tests.test_result_truth import CATALOG, MATTERS, SITE, Tickets, answered

PROMISES = {"zh_CN": ("马上过来", "马上就来", "赶来", "已收到通知", "会带纸质表格过来"),
            "en": ("is coming", "are coming", "on the way", "have been told", "brings a paper form")}
DESK = {"zh_CN": "一楼\u00a0帮办代办窗口", "en": "一楼\u00a0帮办代办窗口"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["assist", "proxy"]), matter=st.sampled_from(MATTERS),
       answers=st.lists(st.sampled_from(["paper", "missing", "unknown"]), min_size=12, max_size=12),
       outcomes=st.lists(st.sampled_from(["ok", "fail"]), min_size=2, max_size=2),
       language=st.sampled_from(["zh_CN", "en"]))
def test_offline_nobody_is_said_to_come_or_to_have_been_told(kind, matter, answers, outcomes, language):
    set_language(language)
    try:
        v = answered(Visit(CATALOG, SITE, tickets=Tickets()), kind, matter, answers)
        v.call_helper()
        v.helper_update(None, online=False)
        assert v.help.phase == "offline" and not v.helper_coming
        for item in material_items(v):
            assert item.note != tr("kiosk.materials.unknown_note")
        v.finish_materials()
        v.helper_update(None, online=False)  # finishing may ask for a helper again: still unreachable
        for slip, outcome in zip(v.result.slips, outcomes, strict=False):
            v.print_done(slip) if outcome == "ok" else v.print_failed(slip)
        view = result_view(v)
        said = [view.print_text, view.next_text, view.speech]
        assert not any(w in text for text in said for w in PROMISES[language]), said
        if v.result.complete or view.print_tone == "error":
            assert any(DESK[language] in text for text in said), said
    finally:
        set_language("zh_CN")


def test_online_the_helper_still_comes():
    """The same visit with the queue answering keeps the promise (the offline words are not everywhere)."""
    v = answered(Visit(CATALOG, SITE, tickets=Tickets()), "assist", MATTERS[0], ["paper"])
    v.call_helper()
    v.helper_update(120, state="waiting")
    v.finish_materials()
    for slip in v.result.slips:
        v.print_done(slip)
    view = result_view(v)
    assert v.result.complete and view.next_text.startswith(tr("kiosk.result.next_assist"))


def test_the_ticket_printed_offline_sends_the_resident_to_the_desk():
    """The 小票 is paper: printed while the call only sits in the outbox, it must not say 正在赶来."""
    from kiosk.terminal import slips

    for language in ("zh_CN", "en"):
        v = answered(Visit(CATALOG, SITE, tickets=Tickets()), "assist", MATTERS[0], ["paper"])
        v.call_helper()
        v.helper_update(None, online=False)
        v.finish_materials()
        text = slips.build("ticket", v, language=language).to_text()
        assert not any(w in text for w in PROMISES[language]), text
        assert "帮办代办窗口" in text.replace("\n", ""), text  # (the paper wraps anywhere)
