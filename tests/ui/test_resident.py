"""The visit right for the people it serves, with real touches on the real screens (issue 12, items 1–9,
18, 19): the voice says true things and can repeat them, the screen shows every missing material when
the notice did not print, every material needs an answer, back and home everywhere (home asks first),
the idle reset waits for a coming helper, and the manager's PIN pad never keeps a resident's data."""

import pytest

from tests.ui.kit import ID_NUMBER, FakeClock


@pytest.fixture
def make(shot_kiosks):
    return shot_kiosks  # make(elderly=…, clock=…, paper_out=…)


def to_materials(h, matter="pension-enrol", kind="assist"):
    h.start(kind)
    h.type_id(ID_NUMBER)
    h.choose_matter(matter)


def test_voice_says_the_number_and_the_truth_and_repeats_at_a_touch(make):
    h = make(elderly=True)
    assert h.root.header.voice_on and h.root.header.ids.voice_bar.parent is not None
    h.to_result()
    number = h.screen("result").ticket_no
    spoken = [text for text, _key in h.voice.said]
    assert any(" ".join(number) in text and "已打印" in text for text in spoken)  # A 0 0 1, read out
    repeats = h.voice.repeats
    h.tap(h.root.header.ids.repeat)  # 再听一遍
    assert h.voice.repeats == repeats + 1
    volume = h.voice.volume
    h.tap(h.root.header.ids.volume)
    assert h.voice.volume != volume and "音量" in h.root.header.ids.volume.text


def test_voice_never_says_taken_when_the_printer_is_out(make):
    h = make(elderly=True, paper_out=True)
    h.to_result(matter="property-transfer", status="missing")
    spoken = " ".join(text for text, _key in h.voice.said)
    assert "没能打印" in spoken and "取走" not in spoken and "已打印" not in spoken
    assert "第1项" in spoken and "第3项" in spoken  # each missing material read out


def test_no_voice_bar_in_normal_mode(make):
    h = make()
    assert not h.root.header.voice_on and h.root.header.ids.voice_bar.parent is None


@pytest.mark.parametrize("elderly", [False, True])
def test_notice_not_printed_shows_every_missing_item_on_screen_and_tells_the_helper(make, elderly):
    h = make(elderly=elderly, paper_out=True)
    h.to_result(matter="property-transfer", status="missing")
    s = h.screen("result")
    assert "没能打印" in s.print_text and "已打印" not in s.print_text + s.next_text
    missing = h.controller.visit.result.check.missing
    h.pump(6)
    seen: set[str] = set()
    for _ in range(s.pages):
        seen |= {w.text for w in s.ids.missing.children}
        if s.page < s.pages - 1:
            page = s.page
            h.tap(s.ids.pager.children[0])  # 下一页
            assert s.page == page + 1
    for m in missing:
        assert sum(m.name in t and m.source[:10] in t for t in seen) == 1  # every one, with where to get it
    assert h.controller.visit.help_request_id is not None  # the helper is told
    assert "详见告知单" not in " ".join(seen)


def test_check_waits_for_every_answer_across_pages_and_dont_know_calls_a_helper(make):
    h = make(elderly=True)
    to_materials(h, "property-transfer")
    s = h.screen("materials")
    assert s.pages > 1 and s.ids.check.disabled
    h.tap(h.material_rows()[0].ids.b3)
    assert s.ids.check.disabled and "第 2 页" in s.summary
    h.tap(s.ids.pager.children[0])  # 下一页
    unsure = h.material_rows()[0].material_id
    h.tap(h.material_rows()[0].ids.b4)  # 不知道
    assert h.controller.visit.help_request_id is not None and h.root.header.help_text
    h.tap(s.ids.pager.children[-1])  # 上一页
    s.page = 0
    s.render()
    h.mark_all("missing", {unsure: "unknown"})
    assert not s.ids.check.disabled
    h.tap(s.ids.check)
    assert h.current == "result"


def test_the_card_read_answers_the_id_card_and_no_paper_copy_is_offered_for_it(make):
    h = make()
    h.start("assist")
    card = type("Card", (), {"name": "张三", "id_number": ID_NUMBER, "card_type": "resident"})()
    h.controller.card_read(card)
    h.pump(4)
    h.root.go("matter")
    h.choose_matter("pension-enrol")
    rows = {r.material_id: r for r in h.material_rows()}
    assert rows["idcard"].status == "paper" and "刷过身份证" in rows["idcard"].note
    assert rows["idcard"].ids.b2.text == "带了原件" and "纸质件" not in rows["hukou"].ids.b2.text


@pytest.mark.parametrize("screen", ["identify", "matter", "materials", "result"])
def test_back_and_home_on_every_resident_screen_home_asks_then_wipes(make, screen):
    h = make()
    h.start("assist")
    if screen != "identify":
        h.type_id(ID_NUMBER)
    if screen in ("materials", "result"):
        h.choose_matter("pension-enrol")
    if screen == "result":
        h.mark_all("paper")
        h.press("检查材料")
        h.settle()
    if screen == "identify":
        h.type_id("4201", enter=False)  # typed, not confirmed: still data to lose
    s = h.screen()
    assert h.current == screen and s.ids.nav.ids.nav_back.text and s.ids.nav.ids.nav_home.text
    h.tap(s.ids.nav.ids.nav_home)
    assert h.root.confirm is not None and h.current == screen  # asked first
    h.tap(h.root.confirm.ids.no)
    assert h.root.confirm is None and h.current == screen
    h.tap(s.ids.nav.ids.nav_home)
    h.tap(h.root.confirm.ids.yes)
    assert h.current == "start" and h.controller.visit.identity is None and h.controller.visit.matter is None
    assert h.screen("identify").typed == ""


def test_home_without_data_goes_at_once_and_back_from_identify_returns_to_start(make):
    h = make()
    h.start("consult")
    h.tap(h.screen().ids.nav.ids.nav_back)
    assert h.current == "start" and h.root.confirm is None


def queue_says_waiting(h):
    """The help queue's answer (this kiosk has no queue server): the request is waiting for a helper."""
    h.controller._help_status(h.controller.visit.help_request_id, {"state": "waiting", "expected_wait_s": 120},
                              True)
    h.pump(2)


def test_idle_reset_waits_while_a_helper_is_coming_and_done_screen_honours_elderly_time(make):
    clock = FakeClock()
    h = make(elderly=True, clock=clock)
    to_materials(h)
    h.tap(h.root.header.ids.call_helper)
    h.settle()
    queue_says_waiting(h)
    quiet, countdown = h.controller.visit.timeouts
    clock.t += 90 * 2 + 15 * 2 + 5  # far past the elderly idle time
    h.root.tick()
    assert h.current == "materials" and h.root.overlay is None  # the helper is coming: no countdown
    clock.t += h.config.ui.help_wait_max_s * 2  # the upper bound (× elderly factor)
    h.root.tick()
    h.pump(3)
    assert h.current == "start" and h.controller.visit.identity is None
    # the thank-you screen: 10 s × 2 in elderly mode
    h.to_result()
    h.controller.visit.help_request_id = None  # (no helper coming this time)
    h.controller.visit.help.phase = "none"
    h.press("完成")
    d = h.screen("done")
    d._tick(0)
    assert d.seconds == 20 and not d.waiting
    clock.t += 19
    h.root.tick()
    assert h.current == "done"
    clock.t += 2
    h.root.tick()
    h.pump(3)
    assert h.current == "start"


def test_done_screen_waits_for_a_coming_helper_without_a_countdown(make):
    clock = FakeClock()
    h = make(clock=clock)
    h.to_result()  # 帮办 complete: a helper is called to lead the resident
    queue_says_waiting(h)
    h.press("完成")
    d = h.screen("done")
    d._tick(0)
    assert d.waiting and "稍候" in d.ids.when.text
    clock.t += 60
    h.root.tick()
    assert h.current == "done"


def test_the_manager_pin_pad_keeps_the_visits_wipe(make):
    clock = FakeClock()
    h = make(clock=clock)
    h.start("assist")
    h.type_id(ID_NUMBER)
    identity = h.controller.visit.identity
    for _ in range(5):
        h.tap(h.root.header.ids.title)
    assert h.current == "manager"
    m = h.screen("manager")
    h.keys(m.ids.pinpad, "12")  # a touch on the pad does not keep the resident's data alive
    quiet, countdown = h.controller.visit.timeouts
    clock.t += quiet + countdown + 1
    h.root.tick()
    h.pump(3)
    assert h.controller.visit.identity is None and identity.id_number == ""


def test_offline_the_resident_is_sent_to_the_window_and_nothing_waits_for_a_helper(make):
    clock = FakeClock()
    h = make(clock=clock)
    to_materials(h)
    h.tap(h.root.header.ids.call_helper)
    h.settle()  # no queue server: the call is recorded, the resident is told where the window is
    assert "一楼大厅\u00a03\u00a0号帮办代办窗口" in h.root.header.help_text  # (no-break spaces)
    assert h.controller.visit.help.directions == "printed" and "已打印" in h.root.header.help_text
    quiet, countdown = h.controller.visit.timeouts
    clock.t += quiet + countdown + 1
    h.root.tick()
    h.pump(3)
    assert h.current == "start"  # nobody is coming: the wipe does not wait


@pytest.fixture
def lang():
    from kiosk.i18n import set_language

    yield set_language
    set_language("zh_CN")


@pytest.mark.parametrize("elderly, language", [(False, "zh_CN"), (True, "zh_CN"), (True, "en")])
def test_notice_not_printed_also_shows_the_materials_needed_in_some_cases(make, lang, elderly, language):
    """一次性告知: the notice names the optional materials the resident did not say they have (when each
    applies, where to get it); when it did not print the screen shows them too, after the missing ones."""
    lang(language)
    h = make(elderly=elderly, paper_out=True)
    h.to_result(matter="pension-claim", status="missing")
    s = h.screen("result")
    proof = next(m for m in h.controller.visit.matter.materials if m.optional)
    assert proof not in h.controller.visit.result.check.missing
    h.pump(6)
    seen: list[str] = []
    for _ in range(s.pages):
        seen += [w.text for w in reversed(s.ids.missing.children)]
        if s.page < s.pages - 1:
            h.tap(s.ids.pager.children[0])  # 下一页
    text = "\n".join(seen)
    from kiosk.i18n import tr
    assert tr("kiosk.result.conditional") in text and proof.name in text and proof.note in text
    assert proof.source in text.replace("\n", "")  # where to get it, whole (a long line may go on a page)
    last_missing = h.controller.visit.result.check.missing[-1]
    assert text.index(last_missing.name) < text.index(tr("kiosk.result.conditional")) < text.index(proof.name)
    assert tr("kiosk.voice.conditional_item", name=proof.name) in s._view.speech  # the voice reads it too
