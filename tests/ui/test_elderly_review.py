"""What an elderly resident with poor eyesight must be able to read (the elderly review's findings): each
test drives the real screens in the offscreen 1080×1920 window and measures what is drawn."""

from __future__ import annotations

import pytest

from tests.ui.kit import ID_NUMBER


def on_screen(label) -> list[str]:
    """Why ``label`` cannot be read where it is: hidden, its text larger than its box, or its box outside
    the window or outside any of its parents (a parent clips or covers it)."""
    from kivy.core.window import Window

    problems = []
    label.texture_update()
    if not label.text.strip() or label.opacity == 0 or label.get_root_window() is None:
        return [f"{label.text[:20]!r} is not shown"]
    tw, th = label.texture_size
    if th > label.height + 1 or tw > label.width + 1:
        problems.append(f"text {tw:.0f}×{th:.0f} in a {label.width:.0f}×{label.height:.0f} box")
    x, y = label.to_window(label.x, label.y)
    if y < -1 or x < -1 or y + label.height > Window.height + 1 or x + label.width > Window.width + 1:
        problems.append(f"box ({x:.0f}, {y:.0f}) {label.width:.0f}×{label.height:.0f} leaves the window")
    parent = label.parent
    while parent is not None and parent is not parent.parent:
        if parent.opacity == 0:
            problems.append(f"inside the hidden {type(parent).__name__}")
        parent = parent.parent
    return problems


def to_materials(h, matter: str) -> None:
    h.start("assist")
    h.type_id(ID_NUMBER)
    h.choose_matter(matter)
    h.settle()


def test_elderly_materials_say_in_large_text_which_pages_still_wait(shot_kiosks):
    """Finding 1: the line naming the pages with unanswered materials was left out in elderly mode, so
    a resident on page 1 could not learn that page 2 still waits; now it shows, in the rows' text size."""
    from kiosk.i18n import tr
    from kiosk.screens.theme import THEME

    h = shot_kiosks(elderly=True)
    to_materials(h, "property-transfer")
    h.tap(h.material_rows()[0].ids.b3)  # one answer on page 1; later pages wait
    h.pump(6)
    s = h.screen("materials")
    assert s.pages > 1
    line = s.ids.summary
    assert tr("kiosk.materials.unanswered_page", page=2) in line.text
    assert on_screen(line) == []
    assert line.font_size >= THEME.font_body
    # the rows never run under it
    rows = list(s.ids.rows.children)
    assert min(r.to_window(r.x, r.y)[1] for r in rows) >= line.to_window(line.x, line.top)[1] - 1


@pytest.mark.parametrize("shown", ["departments", "common", "events", "event_list"])
def test_the_two_group_buttons_never_look_alike_and_both_read_at_7_to_1(shot_kiosks, shown):
    """Finding 2: 最多人办的事 and 按人生大事找 were the same blue on the life-events screen; now each has
    its own face in every state of the matter screen, each text still at 7:1 on its face."""
    from kiosk.screens.theme import contrast

    h = shot_kiosks(elderly=True)
    h.start("assist")
    h.type_id(ID_NUMBER)
    s = h.screen("matter")
    h.pump(8)
    if shown == "common":
        h.tap(s.ids.common)
    elif shown in ("events", "event_list"):
        h.tap(s.ids.events)
        if shown == "event_list":
            h.pump(4)
            h.tap(s.ids.item_box.children[-1])
    h.pump(6)
    common, events = s.ids.common, s.ids.events
    distance = sum((a - b) ** 2 for a, b in zip(common.face[:3], events.face[:3], strict=True)) ** 0.5
    assert distance >= 0.25, (shown, common.face, events.face)
    for b in (common, events):
        assert contrast(b.color, b.face) >= 7.0, (b.text, b.color, b.face)


def test_with_a_hall_queue_number_that_number_is_the_large_one(shot_kiosks):
    """Finding 4: the kiosk's own 小票 number was shown large while the window calls the hall's queue
    number, given only in a line of small text; now the queue number is large, who is ahead under it,
    the kiosk's reference small, and the voice says the queue number."""
    from kiosk.terminal.queuing import SimulatedQueuing

    h = shot_kiosks(elderly=True)
    h.controller.where.queuing = SimulatedQueuing(waiting=3)
    h.to_result("assist", "pension-enrol")
    for _ in range(200):
        if h.controller.visit.result.queue_state not in ("", "asking"):
            break
        h.settle()
    h.pump(6)
    s = h.screen("result")
    number, ref = s.ids.number, s.ids.kiosk_ref
    ticket = h.controller.visit.result.ticket.number
    assert number.text == "A004" and ticket in ref.text and "A004" not in ref.text
    assert on_screen(number) == [] and on_screen(ref) == [] and on_screen(s.ids.ahead) == []
    assert number.font_size >= 2 * ref.font_size
    assert "3" in s.ids.ahead.text
    speech = h.controller.result_view().speech
    assert "A 0 0 4" in speech and " ".join(ticket) not in speech


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("missing", [False, True])
def test_after_hours_a_print_failure_never_says_a_helper_was_told(shot_kiosks, language, missing):
    """Finding 5: after hours with the printer out of paper the screen and the voice said 工作人员已收到
    通知 while nobody was on duty; now they say it is recorded and when the staff are back to see it."""
    from kiosk.i18n import set_language
    from kiosk.screens.shots_access import FRIDAY_EVENING, HOURS

    set_language(language)
    try:
        h = shot_kiosks(access=HOURS["access"], now=FRIDAY_EVENING, paper_out=True)
        h.to_result("assist", "pension-enrol", missing=missing)
        h.pump(6)
        view = h.controller.result_view()
        told = ("已收到通知", "马上过来", "have been told", "are coming")
        for text in (view.print_text, view.speech, h.screen("result").print_text):
            assert not any(t in text for t in told), text
        back = h.controller.hours.back_text().replace("\u00a0", " ")
        said = "\n".join((h.controller.help_text()[0], view.print_text, view.next_text)).replace("\u00a0", " ")
        assert said.count(back) == 1 and said.count("12345") == 1, said  # once, in the banner or the page
    finally:
        set_language("zh_CN")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_step_chips_words_keep_apart(shot_kiosks, language):
    """Finding 6: in English elderly mode "Papers" and "Result" touched; now the words of neighbouring
    steps stay at least half a character apart and each word stays inside its own pill."""
    from kiosk.i18n import set_language

    set_language(language)
    try:
        h = shot_kiosks(elderly=True)
        to_materials(h, "pension-enrol")
        h.pump(8)
        chips = list(reversed(h.root.header.ids.steps.children))
        edges = []
        for chip in chips:
            chip.texture_update()
            w = chip.texture_size[0]
            assert w <= chip.width - chip.font_size * 0.5 + 1, (chip.text, w, chip.width)
            assert chip.font_size >= chip.base_font * 0.75, (chip.text, chip.font_size)  # room, not tiny words
            x = chip.to_window(chip.center_x, 0)[0]
            edges.append((x - w / 2, x + w / 2, chip.font_size))
        for (_l, right, size), (left, _r, _s) in zip(edges, edges[1:], strict=False):
            assert left - right >= size * 0.5, (left - right, size)
    finally:
        set_language("zh_CN")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_missing_material_taller_than_the_room_goes_on_over_the_next_page(shot_kiosks, language):
    """Finding 3: in English elderly mode a tall missing-material entry had a page to itself and ran
    under the page buttons; now every entry on every page lies inside the list's room, and turning the
    pages shows all of its words."""
    from kiosk.i18n import set_language
    from kiosk.terminal.views import MissingItem

    set_language(language)
    try:
        h = shot_kiosks(elderly=True)
        h.to_result("assist", "pension-enrol", missing=True)
        h.pump(6)
        s = h.screen("result")
        view = h.controller.result_view()
        words = [f"office{n}" for n in range(60)]
        view.missing[0] = MissingItem(1, view.missing[0].name, " ".join(words), "unsure", "")
        s.show(view)
        h.pump(6)
        area, seen = s.ids.missing_area, ""
        assert s.pages > 1
        for page in range(s.pages):
            s.page = page
            s.render_missing()
            h.pump(6)
            for label in s.ids.missing.children:
                assert on_screen(label) == []
                bottom, top = label.to_window(0, label.y)[1], label.to_window(0, label.top)[1]
                assert area.to_window(0, area.y)[1] - 1 <= bottom and top <= area.to_window(0, area.top)[1] + 1
                seen += label.text + "\n"
        assert all(w in seen for w in words)
    finally:
        set_language("zh_CN")


def test_one_page_of_materials_is_not_called_page_1(shot_kiosks):
    """Found in the screenshots review: with every material on one screen and no pager, the line under
    them said 还有 2 项没选：第 1 页, a page the resident cannot see named anywhere. On one page it says
    what to do instead."""
    from kiosk.i18n import tr

    h = shot_kiosks()
    to_materials(h, "pension-enrol")
    s = h.screen("materials")
    assert s.pages == 1
    left = len(h.controller.unanswered())
    assert left > 0
    assert s.ids.summary.text == tr("kiosk.materials.unanswered_here", n=left)
    assert tr("kiosk.materials.unanswered_page", page=1) not in s.ids.summary.text
    assert on_screen(s.ids.summary) == []
