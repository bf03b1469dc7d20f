"""Slip → PNG preview, laid out like the paper: 384 dots wide at 58 mm, 576 at 80 mm, one pixel a dot.

Lines are wrapped by :mod:`kiosk.printing.layout` exactly as for the printer and drawn on the printer's
character grid (:mod:`kiosk.printing.glyphs`): 12 × 24-dot cells for ASCII, 24 × 24 for Chinese, scaled
by the size, 30 dots a size-1 line. QR codes are drawn with ``qrcode`` at the block's module size. A cut
shows as a dashed grey line. Used by the printer simulator, the manager screen, the demo and the docs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from kiosk.printing.glyphs import CELL_W, LINE_GAP, GlyphPainter, line_height
from kiosk.printing.layout import (
    QR,
    Columns,
    Cut,
    Feed,
    Raster,
    Rule,
    Slip,
    Text,
    columns_for,
    columns_lines,
    display_width,
    wrap,
)


@dataclass
class Preview:
    """The preview image and the characters no configured font could draw (shown as code-point boxes)."""

    image: Image.Image
    missing_glyphs: tuple[str, ...] = ()

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.image.save(buf, format="PNG", optimize=False)
        return buf.getvalue()

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.image.save(path, format="PNG")
        return path


class PreviewRenderer:
    """Renders slips to images with one font chain (first font that has a glyph wins)."""

    def __init__(self, fonts: Sequence[str] | None = None):
        self.painter = GlyphPainter(fonts)

    def render(self, slip: Slip) -> Preview:
        dots = slip.paper.dots
        strips: list[Image.Image] = []
        self.painter.missing.clear()
        for block in slip.blocks:
            if isinstance(block, Text):
                cols = columns_for(slip.width_mm, block.size)
                for line in wrap(block.text, cols):
                    strips.append(self._line(line, block.align, block.size, block.bold, block.underline, dots))
            elif isinstance(block, Columns):
                for line in columns_lines(block.left, block.right, columns_for(slip.width_mm, block.size)):
                    strips.append(self._line(line, "left", block.size, block.bold, False, dots))
            elif isinstance(block, Rule):
                strips.append(self._line(block.char * slip.columns, "left", 1, False, False, dots))
            elif isinstance(block, Feed):
                if block.lines:
                    strips.append(Image.new("L", (dots, block.lines * line_height(1)), 255))
            elif isinstance(block, QR):
                from kiosk.printing.qr_image import qr_image

                strips.append(self._placed(qr_image(block, dots), block.align, dots))
                strips.append(Image.new("L", (dots, line_height(1)), 255))
            elif isinstance(block, Raster):
                strips.append(self._placed(raster_image(block), block.align, dots))
            elif isinstance(block, Cut):
                if block.feed:
                    strips.append(Image.new("L", (dots, block.feed * line_height(1)), 255))
                strips.append(_cut_mark(dots))
        height = max(1, sum(s.height for s in strips))
        page = Image.new("L", (dots, height), 255)
        y = 0
        for strip in strips:
            page.paste(strip, (0, y))
            y += strip.height
        return Preview(page, tuple(sorted(self.painter.missing)))

    def _line(self, text: str, align: str, size: int, bold: bool, underline: bool, dots: int) -> Image.Image:
        text = text.rstrip(" ") if align != "left" else text
        used = display_width(text) * CELL_W * size
        x = {"left": 0, "center": (dots - used) // 2, "right": dots - used}[align]
        return self.painter.line_image(text, dots, max(0, x), size, bold, underline)

    @staticmethod
    def _placed(image: Image.Image, align: str, dots: int) -> Image.Image:
        strip = Image.new("L", (dots, image.height), 255)
        x = {"left": 0, "center": (dots - image.width) // 2, "right": dots - image.width}[align]
        strip.paste(image, (max(0, x), 0))
        return strip


def raster_image(block: Raster) -> Image.Image:
    """A :class:`Raster` as a grayscale image (ink black)."""
    bits = Image.frombytes("1", (block.width, block.height), block.data)
    return bits.convert("L").point(lambda v: 255 - v)


def _cut_mark(dots: int) -> Image.Image:
    strip = Image.new("L", (dots, LINE_GAP * 2), 255)
    draw = ImageDraw.Draw(strip)
    for x in range(0, dots, 12):
        draw.line((x, LINE_GAP, x + 6, LINE_GAP), fill=150, width=1)
    return strip


def render_preview(slip: Slip, fonts: Sequence[str] | None = None) -> Preview:
    """The preview of one slip."""
    return PreviewRenderer(fonts).render(slip)


def save_preview(slip: Slip, path: str | Path, fonts: Sequence[str] | None = None) -> Path:
    """Writes the slip's preview PNG to ``path`` (parent folders created) and returns the path."""
    return render_preview(slip, fonts).save(path)
