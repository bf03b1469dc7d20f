"""Every screen and state, in both modes and both languages: no label's rendered text is larger than its
box, every button is a large touch target (≥ 80 px normal, ≥ 120 px elderly at 1080×1920), no widget
overlaps another, and no line breaks a Chinese line-breaking rule (no 、。，）」 at a line's start, no
（ at its end, no character alone on a last line)."""

import pytest
from kivy.uix.image import Image
from kivy.uix.label import Label

from kiosk.screens.linebreak import violations
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


def broken_lines(root) -> list[str]:
    out = []
    for w in visible_widgets(root):
        if isinstance(w, Label) and w.text.strip() and w.text_size[0]:
            w.texture_update()
            out += [f"{w.text[:24]!r}: {v}" for v in violations(w._label)]
    return out


def overlaps(root) -> list[str]:
    """Leaf widgets (labels, buttons, images) whose boxes overlap; with a dialog over the screen, only the
    dialog's own widgets count (the screen under it is covered on purpose)."""
    from kiosk.screens.widgets.countdown import IdleOverlay
    from kiosk.screens.widgets.handover import HandoverNotice
    from kiosk.screens.widgets.nav import ConfirmHome

    top = [w for w in root.children if isinstance(w, (IdleOverlay, ConfirmHome))] or [
        w for w in root.walk(restrict=True) if isinstance(w, HandoverNotice)]
    base = top[0] if top else root
    leaves = []
    for w in visible_widgets(base):
        if isinstance(w, (Label, Image)) and (not isinstance(w, Label) or w.text.strip() or isinstance(w, KButton)):
            x, y = w.to_window(w.x, w.y)
            leaves.append((w, x, y, x + w.width, y + w.height))
    out = []
    for i, (a, ax, ay, ax2, ay2) in enumerate(leaves):
        for b, bx, by, bx2, by2 in leaves[i + 1:]:
            if a in b.walk() or b in a.walk():
                continue
            if min(ax2, bx2) - max(ax, bx) > 2 and min(ay2, by2) - max(ay, by) > 2:
                out.append(f"{getattr(a, 'text', a)[:16]!r} overlaps {getattr(b, 'text', b)[:16]!r}")
    return out


CHUNKS = 6  # the scenarios are shared out over this many tests, so none runs long on a loaded machine


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("mode", ["normal", "elderly"])
def test_every_screen_fits_breaks_lines_right_and_nothing_overlaps(window, mode, language, chunk):
    from kiosk.i18n import set_language
    from kiosk.screens.shots import _scenarios, scenario_harness  # after the window fixture set its size
    from kiosk.screens.theme import THEME

    set_language(language)
    problems = []
    try:
        for name, options, steps in list(_scenarios())[chunk::CHUNKS]:
            h = scenario_harness(options, mode == "elderly")
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
                problems += [f"{name}: line {p}" for p in broken_lines(h.root)]
                problems += [f"{name}: {p}" for p in overlaps(h.root)]
            finally:
                h.close()
    finally:
        set_language("zh_CN")
    assert problems == []
