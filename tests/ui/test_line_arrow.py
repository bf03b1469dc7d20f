"""The "›" that marks a button leading on stays with its last word: the after-hours start button left it
alone on a third line (服务时间和热线 / ›), and an English word is never cut to keep it company."""

from __future__ import annotations

import pytest


def laid_out(window, text: str, width: int, font_size: int = 38) -> list[str]:
    from kivy.uix.label import Label

    import kiosk.screens.widgets.common  # noqa: F401  (installs the line-breaking rules)
    from kiosk.screens.linebreak import _lines

    label = Label(text=text, font_size=font_size, text_size=(width, None), halign="center")
    label.texture_update()
    return [line.strip() for line, _wrapped in _lines(label._label)]


@pytest.mark.parametrize("text", ["服务时间和热线 ›", "下班时间\n服务时间和热线 ›"])
def test_the_arrow_never_starts_a_chinese_line(window, text):
    from kiosk.screens.linebreak import _lone

    lines = laid_out(window, text, width=7 * 38)
    assert len(lines) >= 2 and not any(line.startswith("›") for line in lines), lines
    assert not any(_lone(line) for line in lines[1:]), lines  # nor leaves 线 › alone


def test_the_arrow_takes_a_whole_english_word_along(window):
    lines = laid_out(window, "After hours\nservice hours and hotline ›", width=435)
    assert not any(line.startswith("›") for line in lines), lines
    words = {"After", "hours", "service", "and", "hotline", "›"}
    assert all(set(line.split()) <= words for line in lines), lines  # no word cut in two
