"""Slip → ESC/POS bytes for Chinese printers, built by hand (not python-escpos ``text()``).

The stream: ``ESC @`` (init) and ``FS &`` (Chinese mode) first; each line sent as GBK, GB2312 or GB18030
(as the printer's font is: see :class:`~kiosk.printing.escpos_options.EscposOptions`, which also holds
what a line may be sent as) with ``ESC a`` alignment, ``GS ! n`` size (``ESC !`` is ignored by many
Chinese printers for Chinese), ``ESC E`` bold and ``ESC -`` / ``FS -`` underline, sent only when they change;
``ESC d n`` feeds; a native QR code (``GS ( k``) with the module size clamped to what the printer takes;
``GS V`` cut, or only a feed for profiles without a cutter.

**Characters outside the encoding** (rare name characters such as 𠮷 U+20BB7 or 䶮 U+4DAE, emoji, …):
such a line is printed as a raster image (``GS v 0``) drawn with the CJK font chain on the same grid, so
the name is printed right instead of as ``?``. Such characters are reported in
:attr:`Rendered.image_chars`; a character no configured font can draw is printed as a box holding its code
point and reported in :attr:`Rendered.missing_glyphs` so the caller can log it and tell a helper. A
printer profile without native QR gets the QR code as a raster image too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.printing.escpos_options import (
    ENCODINGS,
    QR_SIZES_EPSON,
    QR_SIZES_OTHERS,
    EscposOptions,
    encode_line,
    in_gb2312,
    prepare_escpos_import,
)
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

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
CHINESE_ON, CHINESE_OFF = FS + b"&", FS + b"."
_ALIGN = {"left": 0, "center": 1, "right": 2}
_EC = {"L": 48, "M": 49, "Q": 50, "H": 51}
__all__ = ["ENCODINGS", "QR_SIZES_EPSON", "QR_SIZES_OTHERS", "EscposOptions", "EscposRenderer", "Rendered",
           "encode_line", "in_gb2312", "prepare_escpos_import", "qr_module_size", "qr_native", "raster_bytes",
           "render", "to_escpos"]


@dataclass(frozen=True)
class Rendered:
    """The bytes for one slip and what had to be printed as images."""

    data: bytes
    image_lines: int = 0
    image_chars: tuple[str, ...] = field(default=())
    missing_glyphs: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> bool:
        """True when something could not be printed as intended (a glyph no font has)."""
        return bool(self.missing_glyphs)


def qr_module_size(block: QR, paper_dots: int, sizes: tuple[int, int] = QR_SIZES_EPSON) -> int | None:
    """The module size to send: the block's, shrunk to fit the paper, clamped to ``sizes`` (what the
    printer takes); None when even the smallest size the printer takes is too wide for the paper."""
    low, high = sizes
    fit = block.module_size(paper_dots)
    if fit < low and block.modules() * low > paper_dots:
        return None
    return max(low, min(high, fit))


def qr_native(block: QR, paper_dots: int = 576, sizes: tuple[int, int] = QR_SIZES_EPSON) -> bytes:
    """``GS ( k`` commands: model 2, module size (clamped to ``sizes``), error correction, store the data
    (UTF-8), print. Raises ValueError when the symbol cannot fit the paper at a size the printer takes."""
    data = block.data.encode("utf-8")
    size = qr_module_size(block, paper_dots, sizes)
    if size is None:
        raise ValueError(f"a QR code of {block.modules()} modules does not fit {paper_dots} dots at "
                         f"module size {sizes[0]}")

    def fn(body: bytes) -> bytes:
        return GS + b"(k" + len(body).to_bytes(2, "little") + body

    return (fn(b"1A2\x00") + fn(b"1C" + bytes([size])) + fn(b"1E" + bytes([_EC[block.error_correction]]))
            + fn(b"1P0" + data) + fn(b"1Q0"))


def raster_bytes(width: int, height: int, data: bytes) -> bytes:
    """``GS v 0`` for a packed 1-bit image ``width`` (multiple of 8) × ``height``."""
    return GS + b"v0\x00" + (width // 8).to_bytes(2, "little") + height.to_bytes(2, "little") + data


class _Writer:
    """Emits style commands only when the style changes (state known after ``ESC @``)."""

    def __init__(self) -> None:
        self.out = bytearray(INIT + CHINESE_ON)
        self.align, self.size, self.bold, self.underline = 0, 1, False, False

    def style(self, align: str, size: int = 1, bold: bool = False, underline: bool = False) -> None:
        a = _ALIGN[align]
        if a != self.align:
            self.out += ESC + b"a" + bytes([a])
            self.align = a
        if size != self.size:
            self.out += GS + b"!" + bytes([(size - 1) << 4 | (size - 1)])
            self.size = size
        if bold != self.bold:
            self.out += ESC + b"E" + bytes([int(bold)])
            self.bold = bold
        if underline != self.underline:
            self.out += ESC + b"-" + bytes([int(underline)]) + FS + b"-" + bytes([int(underline)])
            self.underline = underline


class EscposRenderer:
    """Renders slips for one printer's options; keeps its font chain between slips."""

    def __init__(self, options: EscposOptions | None = None):
        self.options = options or EscposOptions()
        self._painter = None

    def render(self, slip: Slip) -> Rendered:
        w = _Writer()
        image_chars: set[str] = set()
        image_lines = 0
        missing: set[str] = set()
        for block in slip.blocks:
            if isinstance(block, (Text, Columns, Rule)):
                for text, align, size, bold, ul in _lines(block, slip):
                    encoded = self.options.can_send(text.rstrip(" ") if align == "left" else text)
                    if encoded is not None:
                        w.style(align, size, bold, ul)
                        w.out += encoded + LF
                        continue
                    image_chars |= {c for c in text if self.options.can_send(c) is None}
                    image_lines += 1
                    w.style("left")
                    w.out += self._text_image(text, align, size, bold, ul, slip, missing)
            elif isinstance(block, Feed):
                if block.lines:
                    w.out += ESC + b"d" + bytes([block.lines])
            elif isinstance(block, QR):
                w.style(block.align)
                native = self.options.native_qr and qr_module_size(block, slip.paper.dots, self.options.qr_sizes)
                w.out += (qr_native(block, slip.paper.dots, self.options.qr_sizes) + LF if native
                          else self._qr_image(block, slip))
            elif isinstance(block, Raster):
                w.style(block.align)
                w.out += raster_bytes(block.width, block.height, block.data)
            elif isinstance(block, Cut):
                w.style("left")
                if block.feed:
                    w.out += ESC + b"d" + bytes([block.feed])
                if self.options.cutter:
                    w.out += GS + b"V" + (b"\x01" if block.partial else b"\x00")
        return Rendered(bytes(w.out), image_lines, tuple(sorted(image_chars)), tuple(sorted(missing)))

    def _text_image(self, text: str, align: str, size: int, bold: bool, ul: bool, slip: Slip,
                    missing: set[str]) -> bytes:
        from kiosk.printing.glyphs import CELL_W, GlyphPainter

        if self._painter is None:
            self._painter = GlyphPainter(self.options.fonts)
        text = text.rstrip(" ")
        width_used = display_width(text) * CELL_W * size
        x = {"left": 0, "center": (slip.paper.dots - width_used) // 2,
             "right": slip.paper.dots - width_used}[align]
        width = min(slip.paper.dots, (x + width_used + 7) // 8 * 8)
        self._painter.missing.clear()
        image = self._painter.line_image(text, width, x, size, bold, ul)
        missing |= self._painter.missing
        raster = Raster.from_image(image, align="left", threshold=192)  # keep thin (Mincho) strokes
        return raster_bytes(raster.width, raster.height, raster.data)

    def _qr_image(self, block: QR, slip: Slip) -> bytes:
        from kiosk.printing.qr_image import qr_raster

        raster = qr_raster(block, slip.paper.dots)
        return raster_bytes(raster.width, raster.height, raster.data) + LF


def _lines(block: Text | Columns | Rule, slip: Slip) -> list[tuple[str, str, int, bool, bool]]:
    """(text, align, size, bold, underline) for each printed line of a text-like block."""
    if isinstance(block, Text):
        cols = columns_for(slip.width_mm, block.size)
        return [(line, block.align, block.size, block.bold, block.underline) for line in wrap(block.text, cols)]
    if isinstance(block, Columns):
        cols = columns_for(slip.width_mm, block.size)
        return [(line, "left", block.size, block.bold, False)
                for line in columns_lines(block.left, block.right, cols)]
    return [(block.char * slip.columns, "left", 1, False, False)]


def render(slip: Slip, options: EscposOptions | None = None) -> Rendered:
    """Renders one slip (see :class:`EscposRenderer`)."""
    return EscposRenderer(options).render(slip)


def to_escpos(slip: Slip, options: EscposOptions | None = None) -> bytes:
    """The ESC/POS bytes of one slip."""
    return render(slip, options).data


__all__ = ["EscposOptions", "EscposRenderer", "Rendered", "encode_line", "render", "to_escpos"]
