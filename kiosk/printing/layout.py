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

Align = Literal["left", "center", "right"]
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
        if len(self.data.encode("utf-8")) > 7000:
            raise ValueError("QR.data is longer than 7000 bytes; print a short link instead")
        if not 1 <= self.size <= 16:
            raise ValueError(f"QR.size must be 1–16 dots per module, got {self.size}")
        if self.error_correction not in ("L", "M", "Q", "H"):
            raise ValueError("QR.error_correction must be L, M, Q or H")
        if self.align not in ALIGNS:
            raise ValueError(f"QR.align '{self.align}' is not one of {', '.join(ALIGNS)}")


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


# ---- widths and wrapping ----------------------------------------------------------------------------

# Never at the start of a line (closing punctuation) / never at the end of one (opening punctuation).
NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}")
NO_LINE_END = set("（《「『【〔〈“‘([{")


def char_width(ch: str) -> int:
    """Printer columns of one character: 1 for ASCII, 2 for everything else (double-byte in Chinese mode)."""
    return 1 if ord(ch) < 0x80 else 2


def display_width(text: str) -> int:
    """Printer columns of ``text`` (see :func:`char_width`)."""
    return sum(1 if ord(c) < 0x80 else 2 for c in text)


def columns_for(width_mm: int, size: int = 1) -> int:
    """Columns a line at ``size`` on this paper: 48 // size at 80 mm, 32 // size at 58 mm."""
    return paper(width_mm).columns // size


def _clean(text: str) -> str:
    return "".join(" " if c == "\t" else c for c in text if c == "\t" or c >= " " and c != "\x7f")


def wrap(text: str, columns: int) -> list[str]:
    """Splits ``text`` into lines of at most ``columns`` display columns.

    ``\\n`` starts a new line (an empty paragraph gives an empty line). Latin words break at spaces when
    possible; Chinese breaks anywhere except before closing punctuation (``，。）`` …) and after opening
    punctuation (``（《`` …), which move with their neighbour. Control characters are dropped and tabs become
    spaces. Returns at least one line.
    """
    if columns < 2:
        raise ValueError(f"cannot wrap to {columns} columns; need at least 2")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(_clean(paragraph), columns))
    return lines or [""]


def _wrap_paragraph(text: str, columns: int) -> list[str]:
    lines: list[str] = []
    while display_width(text) > columns:
        cut, width = 0, 0
        while cut < len(text) and width + char_width(text[cut]) <= columns:
            width += char_width(text[cut])
            cut += 1
        cut = _adjust_break(text, cut)
        line, text = text[:cut], text[cut:]
        if line and line[-1] != " " and text and text[0] == " ":
            text = text.lstrip(" ")  # a break at a space: the space is not carried to the next line
        lines.append(line.rstrip(" "))
    lines.append(text)
    return lines


def _adjust_break(text: str, cut: int) -> int:
    """Moves a break at ``cut`` back to a word boundary (Latin) or past forbidden punctuation (Chinese)."""
    if cut >= len(text):
        return cut
    original = cut
    nxt, prev = text[cut], text[cut - 1]
    if nxt.isascii() and nxt.isalnum() and prev.isascii() and prev.isalnum():
        space = text.rfind(" ", 0, cut)
        if space > 0 and cut - space < 24:
            return space + 1
        return cut
    # kinsoku: pull one character down so closing punctuation never starts a line
    while cut > 1 and (text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END) and original - cut < 3:
        cut -= 1
    return cut if cut > 0 else original


def aligned(line: str, columns: int, align: Align) -> str:
    """``line`` padded with spaces to sit left, centred or right in ``columns`` (no trailing pad for left)."""
    gap = max(0, columns - display_width(line))
    if align == "center":
        return " " * (gap // 2) + line
    if align == "right":
        return " " * gap + line
    return line


def columns_lines(left: str, right: str, columns: int) -> list[str]:
    """A label/value pair as full lines: ``left`` then ``right`` flush right on the same line when both fit
    (with at least one space between), else the label wrapped and the value wrapped right-aligned below."""
    left, right = _clean(left).replace("\n", " "), _clean(right).replace("\n", " ")
    lw, rw = display_width(left), display_width(right)
    if lw + rw + 1 <= columns:
        return [left + " " * (columns - lw - rw) + right]
    lines = wrap(left, columns) if left else []
    value = wrap(right, columns) if right else []
    if lines and value and display_width(lines[-1]) + display_width(value[0]) + 1 <= columns and len(value) == 1:
        last = lines.pop()
        return [*lines, last + " " * (columns - display_width(last) - display_width(value[0])) + value[0]]
    return [*lines, *(aligned(v, columns, "right") for v in value)]
