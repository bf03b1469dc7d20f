"""After hours, in elderly mode, in both languages: what the result screen says is true and fits.

A kiosk with no help-queue client keeps no call and no callback: nothing offers one (the start screen's
entry, the hours screen, the result's next steps) and nothing says 已记下 / "recorded". With or without a
queue, the help banner, the print line and the next steps say each fact once (closed, when the staff are
back, the 12345 hotline), so that with the printer out of paper the page still fits the screen. The wall
clock is injected (a Friday evening)."""

from __future__ import annotations

import pytest

from tests.ui.kit import wait

RECORDED = ("已记下", "recorded")
CALLBACK = ("留电话", "回电", "callback")


@pytest.fixture
def kiosk(shot_kiosks):
    from kiosk.i18n import set_language
    from kiosk.screens.shots_access import FRIDAY_EVENING, HOURS

    def build(language: str, queue: bool, paper_out: bool = False):
        set_language(language)
        return shot_kiosks(
            access=HOURS["access"], now=FRIDAY_EVENING, queue=queue, elderly=True, paper_out=paper_out
        )

    yield build
    set_language("zh_CN")


def to_result(h, missing: bool = False) -> None:
    h.to_result("assist", missing=missing)
    h.controller.refresh_help()
    h.settle()
    h.pump(6)
    assert h.current == "result"


def visible_labels(widget):
    from kivy.uix.label import Label

    stack = [widget]
    while stack:
        w = stack.pop()
        if w.opacity == 0 or w.height <= 1:
            continue
        if isinstance(w, Label) and w.text.strip():
            yield w
        stack.extend(w.children)


def fits(screen) -> list[str]:
    """Labels of ``screen`` whose text is larger than their box, or whose box leaves the window."""
    from kivy.core.window import Window

    problems = []
    for label in visible_labels(screen):
        label.texture_update()
        tw, th = label.texture_size
        x, y = label.to_window(label.x, label.y)
        if th > label.height + 1 or tw > label.width + 1:
            problems.append(
                f"{label.text[:30]!r}: text {tw:.0f}×{th:.0f} in {label.width:.0f}×{label.height:.0f}"
            )
        elif y < -1 or y + label.height > Window.height + 1:
            problems.append(f"{label.text[:30]!r}: leaves the window at y={y:.0f}")
    return problems


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("missing", [False, True], ids=["complete", "incomplete"])
def test_without_a_help_queue_nothing_offers_a_callback_or_says_recorded(kiosk, language, missing):
    from kiosk.i18n import tr
    from kiosk.screens.linebreak import _lines, violations
    from kiosk.screens.theme import THEME

    h = kiosk(language, queue=False)
    start = h.screen("start")
    assert start.entry_text == tr("access.hours.entry_info_short")
    assert not any(w in start.entry_text for w in CALLBACK)
    to_result(h, missing=missing)
    said = (
        h.root.header.help_text + "\n" + h.screen("result").next_text + "\n" + h.screen("result").print_text
    )
    assert not any(w in said for w in RECORDED + CALLBACK), said
    assert "12345" in said
    before = len(h.voice.said)
    h.tap(h.root.header.ids.call_helper)  # after hours: the hours screen, with no form to leave a number
    assert h.current == "hours"
    said = " ".join(text for text, _key in h.voice.said[before:])  # said, not only shown: 12345, come back
    assert "12345" in said and tr("access.hours.next_come_back").rstrip("。.") in said, said
    hours = h.screen("hours")
    assert hours.ids.keypad.get_root_window() is None and hours.ids.come_back.get_root_window() is not None
    assert hours.ids.today.opacity == 1 and fits(hours) == []
    today = hours.ids.today  # the hours are the news now: in body size, no time cut in two (17:3 / 0)
    today.texture_update()
    lines = _lines(today._label)
    cut = [
        f"{a[-5:]}|{b[:5]}"
        for (a, _), (b, wrapped) in zip(lines, lines[1:], strict=False)
        if wrapped and a[-1:].isdigit() and b[:1].isdigit()
    ]
    assert today.font_size >= THEME.font_body and cut == [] and violations(today._label) == [], lines


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("queue", [False, True], ids=["no_queue", "queue"])
def test_after_hours_with_no_paper_each_fact_is_said_once_and_the_page_fits(kiosk, language, queue):
    """The leftover: in English elderly mode the banner, the print line and the next steps each said
    closed, recorded and 12345, and the page ran ~260 px past the screen (its title pushed off)."""
    h = kiosk(language, queue=queue, paper_out=True)
    to_result(h)
    wait(h, lambda: "12345" in h.root.header.help_text, what="the after-hours banner")
    h.pump(6)
    result = h.screen("result")
    said = "\n".join((h.root.header.help_text, result.print_text, result.next_text)).replace("\u00a0", " ")
    back = h.controller.hours.back_text().replace("\u00a0", " ")
    assert said.count("12345") == 1, said
    assert said.count(back) == 1, said
    assert sum(said.count(w) for w in RECORDED) == (1 if queue else 0), said
    assert result.ticket_no and result.ids.number.text == result.ticket_no  # the number to remember shows
    assert fits(h.root) == []
    title = next(w for w in visible_labels(result) if w.text == result.title)  # the title is on the page
    assert title.to_window(title.x, title.top)[1] <= h.root.header.to_window(0, h.root.header.y)[1] + 1
