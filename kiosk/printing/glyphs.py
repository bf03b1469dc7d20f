"""Drawing text on the printer's character grid with a chain of CJK fonts (Pillow).

A size-1 ASCII character fills a 12 × 24-dot cell and every other character a 24 × 24 one, as a Chinese
printer in Chinese mode prints them; size n scales both by n. The preview draws every line this way, and
the ESC/POS renderer draws the lines it has to send as images (characters outside GBK) the same way, so
paper and preview agree. Fonts are tried in order for each character; a character none of them can draw
is shown as a box holding its code point and reported as missing: visible, never a silent ``?``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from kiosk.printing.layout import char_width

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
# Fonts with the rare characters (CJK extensions A, B …) that wqy-microhei lacks; used when installed
# (Debian fonts-hanazono), so a name like 𠮷 or 䶮 prints as itself and not as a code-point box.
FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)


def default_fonts(primary: str | None = None) -> tuple[str, ...]:
    """The font chain: ``primary`` (default wqy-microhei) then the installed rare-character fonts."""
    return (primary or DEFAULT_FONT, *(f for f in FALLBACK_FONTS if os.path.exists(f)))
CELL_W, CELL_H, LINE_GAP = 12, 24, 6  # font A: 12 × 24 dots; default line spacing 30 dots
_NOT_A_CHAR = "\U0010fffd"  # a private-use code point no font maps: what the font draws when it lacks one


def line_height(size: int) -> int:
    """Dots one text line at ``size`` advances the paper (24 × size + 6)."""
    return CELL_H * size + LINE_GAP


@lru_cache(maxsize=64)
def _font(path: str, px: int, index: int = 0) -> ImageFont.FreeTypeFont:
    if not os.path.exists(path):
        raise FileNotFoundError(f"font '{path}' does not exist; install fonts-wqy-microhei or set the font path")
    return ImageFont.truetype(path, px, index=index)


@lru_cache(maxsize=4096)
def has_glyph(path: str, ch: str) -> bool:
    """Whether the font at ``path`` has its own glyph for ``ch`` (not the 'missing' box)."""
    if ch == " ":
        return True
    font = _font(path, 24)
    mask = font.getmask(ch)
    missing = font.getmask(_NOT_A_CHAR)
    return not (mask.size == missing.size and bytes(mask) == bytes(missing))


@lru_cache(maxsize=8192)
def _glyph(path: str, index: int, ch: str, size: int, bold: bool, width: int) -> Image.Image:
    """The ink mask (255 = ink) of one character filling a ``width`` × 24·size cell; a glyph wider than
    its cell (Latin in a CJK font) is narrowed to fit, as the printer's 12 × 24 font A is narrow."""
    px = CELL_H * size
    font = _font(path, px, index)
    shift = size if bold else 0  # emphasised: each dot struck twice, shifted right
    drawn = max(width, int(font.getlength(ch) + 0.999)) + shift
    image = Image.new("L", (drawn, px), 0)
    draw = ImageDraw.Draw(image)
    for dx in (0, shift) if bold else (0,):
        draw.text(((drawn - shift) / 2 + dx, px / 2), ch, font=font, fill=255, anchor="mm")
    return image if drawn == width else image.resize((width, px), Image.LANCZOS)


class GlyphPainter:
    """Paints lines of text on the character grid with the first font (of ``fonts``) that has each glyph.

    ``missing`` collects every character no font could draw (painted as a box with its code point).
    """

    def __init__(self, fonts: Sequence[str] | None = None):
        fonts = default_fonts() if fonts is None else fonts
        usable = [f for f in fonts if os.path.exists(f)]
        if not usable:
            raise FileNotFoundError(
                f"none of the fonts {', '.join(fonts) or '(none)'} exists; install fonts-wqy-microhei "
                f"({DEFAULT_FONT}) or configure a CJK font")
        self.fonts = tuple(usable)
        self.missing: set[str] = set()

    def font_for(self, ch: str) -> str | None:
        for path in self.fonts:
            if has_glyph(path, ch):
                return path
        return None

    def draw_line(self, image: Image.Image, x: int, y: int, text: str, size: int = 1, bold: bool = False,
                  underline: bool = False) -> int:
        """Draws ``text`` on ``image`` with its top-left at (x, y); returns the width drawn in dots."""
        start = x
        for ch in text:
            w = char_width(ch) * CELL_W * size
            if ch != " ":
                path = self.font_for(ch)
                if path is None:
                    self.missing.add(ch)
                    _draw_code_box(ImageDraw.Draw(image), x, y, w, CELL_H * size, ch)
                else:
                    index = 1 if ord(ch) < 0x80 and path == DEFAULT_FONT else 0  # wqy's Mono face for Latin
                    image.paste(0, (x, y), _glyph(path, index, ch, size, bold, w))
            x += w
        if underline and x > start:
            thick = 2 if size > 1 else 1
            ImageDraw.Draw(image).rectangle((start, y + CELL_H * size - thick, x - 1, y + CELL_H * size - 1),
                                            fill=0)
        return x - start

    def line_image(self, text: str, width: int, x: int, size: int = 1, bold: bool = False,
                   underline: bool = False) -> Image.Image:
        """A grayscale image ``width`` dots wide and one line high with ``text`` drawn from ``x``."""
        image = Image.new("L", (width, line_height(size)), 255)
        self.draw_line(image, x, 0, text, size, bold, underline)
        return image


def _draw_code_box(draw: ImageDraw.ImageDraw, x: int, y: int, w: int, h: int, ch: str) -> None:
    """A box with the code point in two rows (e.g. 20B / B7 for U+20BB7) in place of an undrawable glyph."""
    draw.rectangle((x + 1, y + 1, x + w - 2, y + h - 2), outline=0, width=1)
    code = f"{ord(ch):X}"
    half = (len(code) + 1) // 2
    font = _font(DEFAULT_FONT, max(8, h // 2 - 2)) if os.path.exists(DEFAULT_FONT) else ImageFont.load_default()
    for row, part in enumerate((code[:half], code[half:])):
        draw.text((x + w // 2, y + h // 4 + row * h // 2), part, font=font, fill=0, anchor="mm")
