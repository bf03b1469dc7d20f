"""Every screen and error state in both modes: no label's rendered text is larger than its box, and every
button is a large touch target (≥ 80 px normal, ≥ 120 px elderly at 1080×1920)."""

import pytest
from kivy.uix.label import Label

from kiosk.screens.widgets.common import KButton


def visible_widgets(root):
    stack = [root]
    while stack:
        w = stack.pop()
        if w.opacity == 0 or w.width <= 1 or w.height <= 1:
            continue
        yield w
        stack.extend(w.children)


def overflowing(root) -> list[str]:
    problems = []
    for w in visible_widgets(root):
        if isinstance(w, Label) and w.text.strip():
            w.texture_update()
            tw, th = w.texture_size
            if tw > w.width + 1 or th > w.height + 1:
                problems.append(f"{w.text[:30]!r}: text {tw:.0f}×{th:.0f} in a {w.width:.0f}×{w.height:.0f} box")
    return problems


def small_targets(root, minimum: int) -> list[str]:
    return [f"{w.text[:20]!r}: {w.width:.0f}×{w.height:.0f}" for w in visible_widgets(root)
            if isinstance(w, KButton) and not w.disabled and min(w.width, w.height) < minimum]


@pytest.mark.parametrize("mode", ["normal", "elderly"])
def test_text_fits_and_targets_are_large_on_every_screen(window, mode):
    from kiosk.screens.harness import Harness  # after the window fixture set the window's size
    from kiosk.screens.shots import ShotDevices, _scenarios, make_env, shot_config
    from kiosk.screens.theme import THEME

    problems = []
    for name, options, steps in _scenarios():
        h = Harness(shot_config(make_env(), elderly_mode_default=(mode == "elderly")), ShotDevices(**options))
        try:
            try:
                steps(h)
            except LookupError as err:
                raise AssertionError(f"{mode} {name}: {err} on {h.current}") from err
            h.settle()
            h.pump(6)
            problems += [f"{name}: {p}" for p in overflowing(h.root)]
            minimum = 120 if THEME.elderly else 80  # manager mode switches elderly mode off by design
            problems += [f"{name}: small target {p}" for p in small_targets(h.root, minimum)]
        finally:
            h.close()
    assert problems == []
