"""The device-independent slip layout: what a ticket, a 一次性告知单 or a 授权委托书 says, not how it is sent.

A :class:`Slip` is a paper width (58 or 80 mm) and a list of blocks. Build it once; render it to ESC/POS
bytes (:mod:`kiosk.printing.escpos_render`) or to a PNG preview (:mod:`kiosk.printing.preview`). Both
renderers use the same wrapping from this module, so the preview shows the lines the paper gets.

Blocks::

    Text("取号凭条", size=2, align="center", bold=True)   # size n = n × height and n × width
    Columns("事项", "养老保险待遇申领")                      # label left, value right-aligned
    Rule()                                              # dashed separator across the paper
    Feed(2)                                             # blank lines
    QR("https://…", size=6)                             # native QR; size = dots per module (1–16)
    Raster.from_image(pil_image)                        # a 1-bit picture (logo, seal), printed as GS v 0
    Cut()                                               # feed and cut (feed only without a cutter)

Widths are counted in printer columns, the way a Chinese printer in Chinese mode lays them out: an ASCII
character takes 1 column (12 dots of font A), every other character (Chinese, full-width punctuation,
``·`` ``—`` ``×`` …, which GBK encodes as two bytes) takes 2. An 80 mm slip has 48 columns (24 Chinese
characters), a 58 mm slip 32 (16 Chinese); a size-2 text has half as many. Personal data must be masked
by the caller (:mod:`kiosk.privacy`) before it goes into a block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kiosk.printing.wrap import (  # noqa: F401  (re-exported: the layout's public helpers)
    NO_LINE_END,
    NO_LINE_START,
    Align,
    aligned,
    char_width,
    columns_lines,
    display_width,
    wrap,
)

ALIGNS = ("left", "center", "right")
MAX_SIZE = 4


@dataclass(frozen=True)
class Paper:
    """A paper width: printable dots a line and font-A columns a line (12 × 24-dot cells)."""

    width_mm: int
    dots: int
    columns: int

    @property
    def cell_dots(self) -> int:
        return self.dots // self.columns


PAPERS: dict[int, Paper] = {58: Paper(58, 384, 32), 80: Paper(80, 576, 48)}
LINE_DOTS = 30  # the default ESC/POS line spacing (24-dot font + 6 dots) for one size-1 line


def paper(width_mm: int) -> Paper:
    """The :class:`Paper` for 58 or 80 mm; anything else raises ValueError."""
    try:
        return PAPERS[width_mm]
    except KeyError:
        raise ValueError(f"paper width {width_mm} mm is not supported; expected 58 or 80") from None


@dataclass(frozen=True)
class Text:
    """A paragraph. Wrapped to the paper by display width; ``\\n`` starts a new line.

    ``size`` 1–4 scales height and width (``GS ! n``): size 2 fits half as many characters a line.
    """

    text: str
    size: int = 1
    align: Align = "left"
    bold: bool = False
    underline: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Text.text must be a str, got {type(self.text).__name__}")
        _check_size(self.size, "Text")
        if self.align not in ALIGNS:
            raise ValueError(f"Text.align '{self.align}' is not one of {', '.join(ALIGNS)}")


@dataclass(frozen=True)
class Columns:
    """A label on the left and its value right-aligned on the same line (wrapped when too long)."""

    left: str
    right: str
    size: int = 1
    bold: bool = False

    def __post_init__(self) -> None:
        _check_size(self.size, "Columns")


@dataclass(frozen=True)
class Rule:
    """A dashed separator across the paper."""

    char: str = "-"

    def __post_init__(self) -> None:
        if len(self.char) != 1 or display_width(self.char) != 1:
            raise ValueError("Rule.char must be one ASCII character, e.g. '-' or '='")


@dataclass(frozen=True)
class Feed:
    """``lines`` blank size-1 lines."""

    lines: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.lines <= 20:
            raise ValueError(f"Feed.lines must be 0–20, got {self.lines}")


@dataclass(frozen=True)
class QR:
    """A QR code printed natively by the printer (``GS ( k``). ``size`` is dots per module (1–16)."""

    data: str
    size: int = 6
    error_correction: Literal["L", "M", "Q", "H"] = "M"
    align: Align = "center"

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("QR.data is empty; a QR code needs something to encode")
        if self.error_correction in QR_BYTE_CAPACITY and len(self.data.encode("utf-8")) > QR_BYTE_CAPACITY[
                self.error_correction][-1]:
            raise ValueError(f"QR.data is longer than a QR code holds at level {self.error_correction} "
                             f"({QR_BYTE_CAPACITY[self.error_correction][-1]} bytes); print a short link instead")
        if not 1 <= self.size <= 16:
            raise ValueError(f"QR.size must be 1–16 dots per module, got {self.size}")
        if self.error_correction not in ("L", "M", "Q", "H"):
            raise ValueError("QR.error_correction must be L, M, Q or H")
        if self.align not in ALIGNS:
            raise ValueError(f"QR.align '{self.align}' is not one of {', '.join(ALIGNS)}")


    def modules(self) -> int:
        """Modules a side of the symbol (17 + 4 × version) in byte mode: an upper bound, as a printer may
        pick a denser mode for digits or capitals and draw a smaller symbol."""
        n = len(self.data.encode("utf-8"))
        version = next(v for v, cap in enumerate(QR_BYTE_CAPACITY[self.error_correction], 1) if cap >= n)
        return 17 + 4 * version

    def module_size(self, paper_dots: int) -> int:
        """``size``, shrunk so the symbol fits ``paper_dots`` (a printer drops a symbol wider than the paper)."""
        return max(1, min(self.size, paper_dots // self.modules()))


# Bytes a QR code holds in byte mode, versions 1–40, per error-correction level (ISO/IEC 18004 table 7).
QR_BYTE_CAPACITY: dict[str, tuple[int, ...]] = {
    "L": (17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520, 586, 644, 718, 792, 858, 929,
          1003, 1091, 1171, 1273, 1367, 1465, 1528, 1628, 1732, 1840, 1952, 2068, 2188, 2303, 2431, 2563, 2699,
          2809, 2953),
    "M": (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711,
          779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213,
          2331),
    "Q": (11, 20, 32, 46, 60, 74, 86, 108, 130, 151, 177, 203, 241, 258, 292, 322, 364, 394, 442, 482, 509, 565,
          611, 661, 715, 751, 805, 868, 908, 982, 1030, 1112, 1168, 1228, 1283, 1351, 1423, 1499, 1579, 1663),
    "H": (7, 14, 24, 34, 44, 58, 64, 84, 98, 119, 137, 155, 177, 194, 220, 250, 280, 310, 338, 382, 403, 439, 461,
          511, 535, 593, 625, 658, 698, 742, 790, 842, 898, 958, 983, 1051, 1093, 1139, 1219, 1273),
}


@dataclass(frozen=True)
class Raster:
    """A 1-bit bitmap: ``width`` dots (a multiple of 8) × ``height`` rows, ``data`` packed MSB first, 1 = ink.

    Use :meth:`from_image` to make one from a Pillow image (dark pixels print).
    """

    width: int
    height: int
    data: bytes
    align: Align = "center"

    def __post_init__(self) -> None:
        if self.width <= 0 or self.width % 8 or self.height <= 0:
            raise ValueError(f"Raster must be a positive multiple of 8 dots wide, got {self.width}×{self.height}")
        if len(self.data) != self.width // 8 * self.height:
            raise ValueError(f"Raster data has {len(self.data)} bytes; {self.width}×{self.height} needs "
                             f"{self.width // 8 * self.height}")

    @classmethod
    def from_image(cls, image: object, align: Align = "center", threshold: int = 128) -> Raster:
        """A raster from a Pillow image: pixels darker than ``threshold`` print; width padded to 8 dots."""
        from PIL import Image

        gray = image.convert("L")  # type: ignore[attr-defined]
        width = (gray.width + 7) // 8 * 8
        canvas = Image.new("L", (width, gray.height), 255)
        canvas.paste(gray, (0, 0))
        ink = canvas.point(lambda v: 255 if v < threshold else 0).convert("1")
        return cls(width, gray.height, ink.tobytes(), align)


@dataclass(frozen=True)
class Cut:
    """Feed ``feed`` lines (so the last line clears the cutter) and cut; printers without a cutter feed."""

    feed: int = 4
    partial: bool = True


Block = Text | Columns | Rule | Feed | QR | Raster | Cut


@dataclass
class Slip:
    """A printable slip: paper width and blocks, top to bottom. ``add`` returns the slip for chaining."""

    blocks: list[Block] = field(default_factory=list)
    width_mm: int = 80
    title: str = ""  # what the slip is (e.g. "ticket"), for logs and preview file names; not printed

    def __post_init__(self) -> None:
        paper(self.width_mm)

    @property
    def paper(self) -> Paper:
        return paper(self.width_mm)

    @property
    def columns(self) -> int:
        """Size-1 columns a line (48 at 80 mm, 32 at 58 mm)."""
        return self.paper.columns

    def add(self, *blocks: Block) -> Slip:
        for block in blocks:
            if not isinstance(block, (Text, Columns, Rule, Feed, QR, Raster, Cut)):
                raise TypeError(f"{block!r} is not a slip block (Text, Columns, Rule, Feed, QR, Raster, Cut)")
            self.blocks.append(block)
        return self

    def lines(self) -> list[str]:
        """The slip as plain text lines (QR as ``[QR: data]``, feeds as empty lines), e.g. for a test."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, Text):
                out.extend(aligned(line, columns_for(self.width_mm, block.size), block.align)
                           for line in wrap(block.text, columns_for(self.width_mm, block.size)))
            elif isinstance(block, Columns):
                out.extend(columns_lines(block.left, block.right, columns_for(self.width_mm, block.size)))
            elif isinstance(block, Rule):
                out.append(block.char * self.columns)
            elif isinstance(block, Feed):
                out.extend([""] * block.lines)
            elif isinstance(block, QR):
                out.append(f"[QR: {block.data}]")
            elif isinstance(block, Raster):
                out.append(f"[image {block.width}×{block.height}]")
            elif isinstance(block, Cut):
                out.extend([""] * block.feed)
        return [line.rstrip() for line in out]

    def to_text(self) -> str:
        return "\n".join(self.lines())


def _check_size(size: int, what: str) -> None:
    if not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        raise ValueError(f"{what}.size must be 1–{MAX_SIZE} (height and width scale), got {size!r}")


# ---- widths and wrapping: see kiosk.printing.wrap (re-exported here) ----------------------------------


def columns_for(width_mm: int, size: int = 1) -> int:
    """Columns a line at ``size`` on this paper: 48 // size at 80 mm, 32 // size at 58 mm."""
    return paper(width_mm).columns // size
