"""What an elderly resident reads at a glance: labels that only wrap where the text says they may."""

import pytest


@pytest.mark.parametrize("elderly", [False, True])
def test_the_elderly_mode_button_breaks_only_between_its_two_parts(shot_kiosks, elderly):
    """长辈模式 / 已开启 (or 点此开启) on two lines, never 长辈模式：已 / 开启 (a word cut in half)."""
    h = shot_kiosks(elderly=elderly)
    button = h.screen("start").ids.elderly
    h.settle()
    button.texture_update()
    lines = ["".join(w.text for w in line.words).strip() for line in button._label._cached_lines]
    assert lines == button.text.split("\n"), lines


@pytest.mark.parametrize("elderly", [False, True])
def test_the_green_channel_button_once_on_breaks_only_where_its_text_does(shot_kiosks, elderly):
    """绿色通道 / 已开启 (/ 您会被优先接待), never 绿色通道：已 / 开启."""
    h = shot_kiosks(elderly=elderly)
    start = h.screen("start")
    h.tap(start.ids.green)
    h.press("我自己先操作，需要时优先")
    h.settle()
    assert h.current == "start"
    button = start.ids.green
    button.texture_update()
    lines = ["".join(w.text for w in line.words).strip() for line in button._label._cached_lines]
    assert "已开启" in button.text and lines == button.text.split("\n"), lines


@pytest.mark.parametrize("elderly", [False, True])
def test_the_no_code_button_keeps_its_arrow_on_a_line_with_words(shot_kiosks, elderly):
    """还没有代码 / （企业开办中）›, never a › alone on the last line."""
    h = shot_kiosks(elderly=elderly)
    h.root.go("enterprise")
    h.settle()
    button = h.screen("enterprise").ids.no_code
    button.texture_update()
    lines = ["".join(w.text for w in line.words).strip() for line in button._label._cached_lines]
    assert lines == button.text.split("\n") and all(line != "›" for line in lines), lines


@pytest.mark.parametrize("elderly", [False, True])
def test_a_navbar_without_its_back_button_gives_home_the_full_width(shot_kiosks, elderly):
    """The hours screen opened from the start: no 上一步, so 回到首页 lines up with everything else
    instead of sitting indented by the gap of a hidden button."""
    hours = {"hours": {"workday": ["08:30-12:00", "14:30-17:30"]}}
    h = shot_kiosks(access=hours, elderly=elderly, now=__import__("datetime").datetime(2026, 6, 5, 18, 0))
    h.root.go("hours")
    h.settle()
    nav = h.screen("hours").ids.nav
    assert not nav.show_back
    assert abs(nav.ids.nav_home.x - nav.x) <= 1 and abs(nav.ids.nav_home.right - nav.right) <= 1
