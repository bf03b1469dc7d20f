"""Display widths and line wrapping for a Chinese printer in Chinese mode.

An ASCII character takes one column, every other character two (GBK sends it as two bytes and the
printer draws it full width). :func:`wrap` breaks text to a column count with Chinese line-breaking
rules; :func:`columns_lines` lays out a label and a value on one line. Pure Python, no imports.
"""

from __future__ import annotations

from typing import Literal

Align = Literal["left", "center", "right"]

# Never at the start of a line (closing punctuation) / never at the end of one (opening punctuation).
NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}")
NO_LINE_END = set("（《「『【〔〈“‘([{")


def char_width(ch: str) -> int:
    """Printer columns of one character: 1 for ASCII, 2 for everything else (double-byte in Chinese mode)."""
    return 1 if ord(ch) < 0x80 else 2


def display_width(text: str) -> int:
    """Printer columns of ``text`` (see :func:`char_width`)."""
    return sum(1 if ord(c) < 0x80 else 2 for c in text)


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
