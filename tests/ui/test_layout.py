"""Every screen and state, in both modes and both languages: no label's rendered text is larger than its
box, every button is a large touch target (≥ 80 px normal, ≥ 120 px elderly at 1080×1920), no widget
overlaps another, and no line breaks a Chinese line-breaking rule (no 、。，）」 at a line's start, no
（ at its end, no character alone on a last line)."""

import pytest
from kivy.uix.image import Image
from kivy.uix.label import Label

from kiosk.screens.linebreak import violations
from kiosk.screens.widgets.common import KButton

pytestmark = pytest.mark.slow


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


def state(h) -> str:
    """What a scenario could leave behind that the kiosk's own reset (回到首页) must undo: the screen, the
    layers over it, the root's and the attract loop's timers, the elderly theme, the banner, and the
    access features', the hall's and the manager PIN's state. Conservative: anything that differs makes
    the next scenario build a new kiosk."""
    from kivy.core.window import Window

    from kiosk.screens.theme import THEME

    def plain(obj) -> list:
        if obj is None:
            return []
        return sorted((k, repr(v) if isinstance(v, (str, int, float, bool, type(None), tuple, frozenset))
                       else type(v).__name__) for k, v in vars(obj).items()
                      if not k.endswith("_visit"))  # which visit a value was for: never the next one

    c, root = h.controller, h.root
    timers = [getattr(e, "event", e) for e in [*root._events, root.attract]]  # interval timers, drivers
    # only the repeating ones: a one-shot one of the build (freezing the built UI for the garbage collector
    # a frame later) is pending or done depending on the machine's speed, which is no scenario's leftover
    timers = [e.is_triggered for e in timers if hasattr(e, "is_triggered") and e.loop]
    layers = [type(w).__name__ for w in [*Window.children, *root.walk(restrict=True)]]  # a notice left open
    parts = [h.current, timers, layers, THEME.elderly, root.header.help_text, plain(c.manager_auth),
             *(plain(getattr(c, name, None)) for name in ("where", "green", "attract", "hours", "enterprise"))]
    return repr(parts)


class Kiosks:
    """One kiosk per scenario options, reset between scenarios the way a visit ends (回到首页: the visit
    wiped, the start screen back) instead of built anew (building the whole UI is most of a scenario's
    time). A kiosk is used again only when the reset brought it back to the state it was built in
    (:func:`state`); otherwise, and for other options, a new one is built."""

    def __init__(self, elderly: bool):
        self.elderly = elderly
        self.h = None
        self.key = None
        self.fresh = None
        self.reused = False

    def get(self, options: dict, fresh: bool = False):
        from kiosk.screens.shots import scenario_harness

        self.reused = False
        if self.h is not None and self.key == repr(options) and not fresh:
            self.h.root.go_home()
            self.h.settle()
            if state(self.h) == self.fresh:
                self.reused = True
                return self.h
        self.close()
        self.h, self.key = scenario_harness(options, self.elderly), repr(options)
        self.h.settle()
        self.fresh = state(self.h)
        return self.h

    def close(self) -> None:
        if self.h is not None:
            self.h.close()
            self.h = None


CHUNKS = 4  # the scenarios are shared out over this many tests, so none runs long on a loaded machine


def chunk_of(scenarios: list, chunk: int) -> list:
    """The ``chunk``-th of :data:`CHUNKS` equal slices of ``scenarios`` ordered by their options: the
    scenarios with the same options come one after another, mostly in the same chunk, so each chunk
    builds a kiosk for few options (building one is most of a chunk's time)."""
    ordered = sorted(scenarios, key=lambda s: repr(s[1]))  # stable: the scenarios' order within options
    return ordered[chunk * len(ordered) // CHUNKS : (chunk + 1) * len(ordered) // CHUNKS]


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("mode", ["normal", "elderly"])
def test_every_screen_fits_breaks_lines_right_and_nothing_overlaps(window, mode, language, chunk):
    from kiosk.i18n import set_language
    from kiosk.screens.shots import _scenarios  # after the window fixture set its size
    from kiosk.screens.theme import THEME

    set_language(language)
    problems = []
    kiosks = Kiosks(mode == "elderly")
    try:
        for name, options, steps in chunk_of(list(_scenarios()), chunk):
            h = kiosks.get(options)
            try:
                steps(h)
            except LookupError as err:
                if not kiosks.reused:
                    raise AssertionError(f"{mode} {name}: {err} on {h.current}") from err
                h = kiosks.get(options, fresh=True)  # the reset left something behind: as built
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
        kiosks.close()
        set_language("zh_CN")
    assert problems == []
