"""Every text on the kiosk reaches 7:1 contrast (the elderly bar; normal mode needs 4.5:1), computed
from the theme's colours, and no screen draws text in a colour the theme has not paired and checked."""

import re
from pathlib import Path

import pytest

from kiosk.screens import theme

SCREENS = Path(theme.__file__).parent


@pytest.mark.parametrize("name", sorted(theme.TEXT_PAIRS))
def test_every_text_pair_reaches_7_to_1(name):
    text, background = theme.TEXT_PAIRS[name]
    assert theme.contrast(text, background) >= 7.0, f"{name}: {theme.contrast(text, background):.2f}:1"


def test_contrast_is_computed_like_wcag():
    assert theme.contrast((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21.0)
    assert theme.contrast((1, 1, 1, 1), (1, 1, 1, 1)) == pytest.approx(1.0)
    # the colours the issue measured before: white on the old orange 3.63:1, old green 4.02:1 on white
    assert theme.contrast((1, 1, 1, 1), (0.90, 0.35, 0.05, 1)) == pytest.approx(3.6, abs=0.1)
    assert theme.contrast((0.10, 0.55, 0.25, 1), (1, 1, 1, 1)) == pytest.approx(4.3, abs=0.35)


def test_every_text_colour_in_the_kv_files_is_a_checked_pair():
    """``color:`` / ``disabled_color:`` in a .kv file name only theme colours that appear as a text colour
    in TEXT_PAIRS, and every ``bg:`` (a button face under white text) is paired with white."""
    texts = {id(fg) for fg, _bg in theme.TEXT_PAIRS.values()}
    white_on = {id(bg) for fg, bg in theme.TEXT_PAIRS.values() if fg is theme.ON_COLOUR}
    problems = []
    for kv in sorted(SCREENS.rglob("*.kv")):
        for n, line in enumerate(kv.read_text().splitlines(), 1):
            m = re.match(r"\s*(color|disabled_color|bg):\s*(.+)$", line)
            if not m:
                continue
            names = re.findall(r"\bT\.([A-Z_]+)", m.group(2))
            if not names and m.group(1) != "bg":
                problems.append(f"{kv.name}:{n}: a literal colour, not a theme one: {m.group(2)}")
            for name in names:
                colour = getattr(theme, name)
                ok = id(colour) in (white_on if m.group(1) == "bg" else texts)
                if not ok:
                    problems.append(f"{kv.name}:{n}: T.{name} is not a checked {m.group(1)} colour")
    assert problems == []
