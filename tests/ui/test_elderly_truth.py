"""The second elderly review (zh elderly, zh standard, en elderly looked at as PNG): what the screens, the
voice and the paper promise must hold. Each test drives the real screens offscreen (or builds the real slip)
and fails on the wording or behaviour found."""

from __future__ import annotations

import pytest

from tests.ui.kit import wait

COMING = {"zh_CN": ("赶来", "马上过来", "马上就来"), "en": ("is coming", "are coming", "on the way")}


@pytest.fixture
def lang():
    from kiosk.i18n import set_language

    yield set_language
    set_language("zh_CN")


def slips_text(h) -> str:
    wait(h, lambda: h.devices.printed, what="a slip printed")
    return "".join(s.to_text() for s in h.devices.printed if s.title == "ticket").replace("\n", "")


@pytest.mark.parametrize("queue", [False, True], ids=["no-queue", "queue-offline"])
@pytest.mark.parametrize("language", ["zh_CN", "en"])  # the screen's; the paper is Chinese either way
def test_the_ticket_never_says_a_helper_is_coming_before_the_queue_took_the_call(shot_kiosks, lang, queue,
                                                                                 language):
    """The 小票 of a complete 帮办 is laid out the moment the visit calls the helper to lead the resident,
    before the help queue answered (and on a kiosk with no queue, when nobody will ever hear of it): it
    said 帮办员正在赶来 while the screen beside it said nobody could be told. The paper now says only that
    a helper was called, and where to go when nobody comes (or, with no queue, where to go at once)."""
    lang(language)
    h = shot_kiosks(queue=queue, elderly=True)
    h.to_result("assist", missing=False)
    text = slips_text(h)
    assert not any(w in text for w in COMING["zh_CN"]), text
    assert "一楼大厅3号帮办代办窗口" in text.replace(" ", "").replace("\u00a0", ""), text  # the desk, named


def run(name: str, elderly: bool = True):
    """A screenshot scenario's kiosk, left where the scenario ends (the caller closes it)."""
    from kiosk.screens.shots import _scenarios, scenario_harness

    _, options, steps = next(s for s in _scenarios() if s[0] == name)
    h = scenario_harness(options, elderly)
    steps(h)
    h.settle()
    return h


def shown_text(h) -> str:
    """Every text on the window now: screens, banner and the layers over them."""
    from kivy.core.window import Window

    return "\n".join(w.text for top in Window.children for w in top.walk()
                     if isinstance(getattr(w, "text", None), str) and w.opacity > 0 and w.text.strip())


def test_the_rating_question_does_not_say_the_matter_is_done(window, lang):
    """A helper resolving the request (answered a question, checked a paper) is not the matter done: the
    question said 帮办员已为您办好了 while the materials were still half answered (and 问题没有解决 is one
    of its own answers). It asks about the help now, on screen and in the voice (the English question,
    "has finished helping you", was true already)."""
    lang("zh_CN")
    h = run("61_rating_question")
    try:
        said = shown_text(h) + "\n" + "\n".join(text for text, _ in h.controller.voice.said)
        assert h.root.rating.prompt is not None
        assert not any(w in said for w in ("办好了", "办好", "is done", "has been done")), said
        assert "服务，\n您满意吗？" in said  # one phrase a line: never 您 / 满意吗 cut apart
    finally:
        h.close()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("slide", ["35_attract_free", "30_green_channel"])
def test_free_help_is_not_said_to_mean_no_fees_at_all(window, lang, language, slide):
    """The policy (二、无偿服务): the help is free, but fees the law sets for a matter (登记费, 税) are still
    due. The loop and the green channel said 不收任何费用 and to call 12345 when anyone asks for money: a
    resident told the 不动产 registration fee at the window would think it a wrong and complain."""
    lang(language)
    h = run(slide)
    try:
        said = shown_text(h)
        assert "不收任何费用" not in said and "Completely free of charge" not in said, said
        if slide == "35_attract_free":  # the slide about money says what is still paid
            assert ("法律法规规定的办事费用照常交" if language == "zh_CN" else "fees the law sets") in said, said
    finally:
        h.close()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_call_nobody_has_claimed_is_not_said_to_be_on_its_way_now(window, lang, language):
    """The queue took the call (waiting, about 2 minutes, nobody claimed it): the banner said 大约 2 分钟后到
    while the page under it said 帮办员马上过来 and the thank-you screen 帮办员正在赶来. Now the banner
    alone gives the time, and the page and the thank-you screen say what happens when the helper arrives."""
    from kiosk.i18n import tr

    lang(language)
    for name in ("15_result_assist_complete", "16_result_proxy_complete", "19_done"):
        h = run(name)
        try:
            assert h.controller.visit.help.phase == "waiting"
            page = shown_text(h).replace(h.root.header.help_text, "")
            assert not any(w in page for w in COMING[language] + ("马上",)), (name, page)
            assert tr("kiosk.help.coming_eta", minutes=2) == h.root.header.help_text  # the time, once
        finally:
            h.close()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_proxy_resident_is_not_sent_to_queue_at_the_window(window, lang, language):
    """代办: the agent runs the errand, so the result page's 窗口的排队号请到窗口另取 told the resident to queue
    for a window they need not go to. It says where the agent handles it, and takes no hall queue number."""
    from kiosk.i18n import tr

    lang(language)
    h = run("16_result_proxy_complete")
    try:
        page = h.screen("result").ids.next.text
        assert tr("where.queue_none") not in page and tr("where.queue_asking") not in page, page
        from kiosk.terminal.where import where_line

        assert tr("where.go_proxy", place=where_line(h.controller.visit)) in page, page
        assert h.controller.visit.result.queue_state == ""  # no number taken for the resident
    finally:
        h.close()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_elderly_materials_page_asks_its_question_in_large_words(window, lang, language):
    """Elderly mode left the materials page's instructions to the voice alone: a resident who does not
    hear well saw a matter's name and four buttons under a material and no question. The question is on
    the page, in the rows' size and dark."""
    from kiosk.i18n import tr
    from kiosk.screens import theme as T
    from kiosk.screens.theme import THEME, contrast
    from tests.ui.test_elderly_review import on_screen

    lang(language)
    h = run("10_materials")
    try:
        ask = h.screen("materials").ids.ask
        assert ask.text == tr("kiosk.materials.ask")
        assert on_screen(ask) == [] and ask.font_size >= THEME.font_body
        assert contrast(ask.color, T.BG) >= 7
    finally:
        h.close()


def test_a_kiosk_without_a_help_queue_does_not_blame_the_network(window):
    """With no help queue configured the page said 网络不通，没能通知到帮办员 under a banner saying the
    kiosk has no call system: the network was never the reason. It sends the resident to the desk."""
    h = run("15_result_assist_complete")
    try:
        h.controller._help_status(h.controller.visit.help_request_id, {}, False)  # what no queue reports
        h.settle()
        page = h.screen("result").ids.next.text
        assert "网络" not in page and "一楼大厅" in page, page
    finally:
        h.close()


def test_after_hours_a_proxy_resident_is_sent_back_to_the_help_desk_not_the_matter_window(shot_kiosks):
    """After hours a complete 代办 said 到时请到：二楼 人社综合窗口, the window the agent goes to on the
    errand; the resident comes back to hand the materials to the agent, at the 帮办代办 window."""
    from datetime import datetime

    from kiosk.i18n import tr

    h = shot_kiosks(access={"hours": {"workday": ["08:30-12:00", "14:30-17:30"]}}, queue=True,
                    now=datetime(2026, 6, 5, 18, 0), elderly=True)
    h.to_result("proxy", missing=False)
    h.controller.refresh_help()
    h.settle()
    page = h.screen("result").ids.next.text.replace("\u00a0", " ")
    assert tr("where.go_later", place="一楼大厅 3 号帮办代办窗口") in page, page
    assert "人社综合窗口" not in page, page


@pytest.mark.parametrize("scenario", ["44_after_hours_result_incomplete_queue", "44_after_hours_result_incomplete"])
def test_english_elderly_after_hours_one_missing_material_fits_one_page(window, lang, scenario):
    """English elderly after hours, one material missing: the next-step lines (closed, when back, come back,
    callback, 12345) took seven lines and pushed the one material over three pages (its name, then where to
    get it cut in two). Shorter words keep every fact and the material on the one page."""
    lang("en")
    h = run(scenario)
    try:
        s = h.screen("result")
        assert s.pages == 1, s.next_text
        said = shown_text(h).replace("\u00a0", " ")
        for fact in ("helpers are back tomorrow at 09:00", "Come back", "all your papers", "12345"):
            assert fact in said, said
        assert ('"Call a helper"' in said) == scenario.endswith("_queue")  # a callback only with a queue
        material = h.controller.visit.result.check.missing[0]
        assert material.name in said and material.source in said.replace("\n", "")
    finally:
        h.close()
