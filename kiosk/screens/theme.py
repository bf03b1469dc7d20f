"""Sizes, colours and fonts of the kiosk, with elderly-mode scaling.

One :data:`THEME` object (a Kivy ``EventDispatcher``) holds every size the ``.kv`` files use, in pixels
for a 1080×1920 portrait screen, multiplied by ``scale`` (window width / 1080). Switching
``THEME.elderly`` re-computes them, and every bound widget follows. The ``.kv`` files read it with
``#:import THEME kiosk.screens.theme.THEME``.

Touch targets: ``button_h`` is at least 96 px in normal mode and 140 px in elderly mode at 1080 wide
(the bar is 80 / 120).
"""

from __future__ import annotations

import logging
from pathlib import Path

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty

log = logging.getLogger(__name__)

FONT_NAME = "KioskCJK"
BASE_WIDTH = 1080
BASE_HEIGHT = 1920
LANDSCAPE_BOOST = 1.25

# colours (r, g, b, a). Every text colour on every background it is drawn on reaches 7:1 (the elderly bar;
# 4.5:1 is the normal one): :data:`TEXT_PAIRS` names each pair and tests/ui/test_contrast.py computes them.
BG = (0.96, 0.97, 0.98, 1)
SURFACE = (1, 1, 1, 1)
TEXT = (0.11, 0.13, 0.16, 1)
MUTED = (0.27, 0.30, 0.34, 1)
PRIMARY = (0.05, 0.32, 0.62, 1)
PRIMARY_DARK = (0.03, 0.22, 0.45, 1)
EVENTS = (0.0, 0.36, 0.33, 1)  # 按人生大事找: a deep teal beside PRIMARY's 最多人办的事, so the two never look alike
HEADER = PRIMARY_DARK
HELP = (0.60, 0.20, 0.00, 1)  # the call-helper button: a deep orange white text reads on
OK = (0.05, 0.38, 0.15, 1)
WARN = (0.50, 0.25, 0.00, 1)
ERROR = (0.62, 0.10, 0.10, 1)
LINE = (0.70, 0.74, 0.79, 1)
SELECTED = (0.86, 0.92, 0.99, 1)
DISABLED = (0.88, 0.89, 0.90, 1)
DISABLED_TEXT = (0.25, 0.27, 0.30, 1)
ON_COLOUR = (1, 1, 1, 1)
# the step chips in the header: the current one white with dark text; done ones a faint white fill
CHIP_CURRENT = (1, 1, 1, 1)
CHIP_DONE_FILL = (1, 1, 1, 0.12)
CHIP_TODO_FILL = (1, 1, 1, 0)
CHIP_DONE_TEXT = (1, 1, 1, 1)
CHIP_TODO_TEXT = (1, 1, 1, 0.9)

TEXT_PAIRS: dict[str, tuple[tuple, tuple]] = {
    # name: (text colour, background; a translucent colour is laid over the one before it in the name)
    "text on background": (TEXT, BG), "text on surface": (TEXT, SURFACE), "text on selected": (TEXT, SELECTED),
    "muted on background": (MUTED, BG), "muted on surface": (MUTED, SURFACE),
    "muted on selected": (MUTED, SELECTED),
    "primary-dark on surface": (PRIMARY_DARK, SURFACE), "primary-dark on background": (PRIMARY_DARK, BG),
    "ok on background": (OK, BG), "ok on surface": (OK, SURFACE),
    "warn on background": (WARN, BG), "warn on surface": (WARN, SURFACE),
    "error on background": (ERROR, BG), "error on surface": (ERROR, SURFACE),
    "help on surface": (HELP, SURFACE),
    "white on primary": (ON_COLOUR, PRIMARY), "white on events": (ON_COLOUR, EVENTS), "white on primary-dark": (ON_COLOUR, PRIMARY_DARK),
    "white on help": (ON_COLOUR, HELP), "white on ok": (ON_COLOUR, OK), "white on warn": (ON_COLOUR, WARN),
    "white on error": (ON_COLOUR, ERROR), "white on header": (ON_COLOUR, HEADER),
    "disabled text on disabled": (DISABLED_TEXT, DISABLED),
    "chip current": (PRIMARY_DARK, CHIP_CURRENT),
    "chip done": (CHIP_DONE_TEXT, (HEADER, CHIP_DONE_FILL)), "chip todo": (CHIP_TODO_TEXT, (HEADER, CHIP_TODO_FILL)),
}


def _blend(colour: tuple, under: tuple) -> tuple[float, float, float]:
    """``colour`` (with its alpha) laid over the opaque ``under``."""
    a = colour[3] if len(colour) > 3 else 1.0
    return tuple(c * a + u * (1 - a) for c, u in zip(colour[:3], under[:3], strict=True))  # type: ignore[return-value]


def _flatten(background) -> tuple[float, float, float]:
    """A background: one colour, or (opaque base, translucent layer over it)."""
    if isinstance(background[0], tuple):
        base, layer = background
        return _blend(layer, base)
    return tuple(background[:3])  # type: ignore[return-value]


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour (0–1 channels)."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text, background) -> float:
    """WCAG contrast ratio of ``text`` (may be translucent) on ``background`` (see :func:`_flatten`)."""
    bg = _flatten(background)
    fg = _blend(text, bg) if len(text) > 3 and text[3] < 1 else tuple(text[:3])
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


_NORMAL = {"font_title": 60, "font_large": 48, "font_body": 38, "font_small": 30, "font_huge": 200,
           "button_h": 110, "pad": 32, "gap": 20, "header_h": 200, "key_h": 110, "per_page": 5}
_ELDERLY = {"font_title": 76, "font_large": 64, "font_body": 52, "font_small": 40, "font_huge": 240,
            "button_h": 150, "pad": 36, "gap": 24, "header_h": 230, "key_h": 124, "per_page": 3}


class Theme(EventDispatcher):
    """Every size the screens use; ``elderly`` and ``scale`` drive them."""

    elderly = BooleanProperty(False)
    scale = NumericProperty(1.0)
    font_title = NumericProperty(_NORMAL["font_title"])
    font_large = NumericProperty(_NORMAL["font_large"])
    font_body = NumericProperty(_NORMAL["font_body"])
    font_small = NumericProperty(_NORMAL["font_small"])
    font_huge = NumericProperty(_NORMAL["font_huge"])
    button_h = NumericProperty(_NORMAL["button_h"])
    pad = NumericProperty(_NORMAL["pad"])
    gap = NumericProperty(_NORMAL["gap"])
    header_h = NumericProperty(_NORMAL["header_h"])
    key_h = NumericProperty(_NORMAL["key_h"])
    per_page = NumericProperty(_NORMAL["per_page"])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(elderly=self._apply, scale=self._apply)
        self._apply()

    def _apply(self, *_args) -> None:
        table = _ELDERLY if self.elderly else _NORMAL
        for name, value in table.items():
            setattr(self, name, value if name == "per_page" else round(value * self.scale))

    def fit_window(self, width: int, height: int | None = None) -> None:
        """Scales sizes for a ``width`` × ``height`` window: the designed 1080 × 1920 portrait screen is 1.0.

        A portrait screen scales by its width (lists page by the height they get). A landscape screen
        (1920 × 1080, 1280 × 800) scales by what its height can hold, a little more (LANDSCAPE_BOOST)
        since its wide lines wrap less and need fewer rows.
        """
        scale = width / BASE_WIDTH
        if height is not None and width > height:
            scale = min(scale, height / BASE_HEIGHT * LANDSCAPE_BOOST)
        self.scale = max(0.4, scale)


THEME = Theme()
_registered: str | None = None


def register_font(path: str | Path) -> str:
    """Registers the CJK font once as the UI's font (also as Kivy's default ``Roboto``) and returns its name.

    Raises FileNotFoundError naming the file and the fix when it is missing.
    """
    global _registered
    p = str(path)
    if _registered == p:
        return FONT_NAME
    if not Path(p).is_file():
        raise FileNotFoundError(f"ui.font: '{p}' does not exist; install fonts-wqy-microhei or set ui.font")
    from kivy.core.text import LabelBase

    LabelBase.register(FONT_NAME, p)
    LabelBase.register("Roboto", p, p, p, p)  # every widget that keeps Kivy's default font gets CJK glyphs
    _registered = p
    log.info("UI font %s", p)
    return FONT_NAME
