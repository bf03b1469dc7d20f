"""ESC/POS bytes → slips: what a printer would make of a stream (for the simulator's previews and tests).

:class:`EscposParser` is fed bytes in any chunks (a command split across reads is kept until it is
whole) and returns a :class:`~kiosk.printing.layout.Slip` for every cut. It understands what a Chinese
printer does with text: Chinese mode (``FS &`` / ``FS .``; on at power-on and after ``ESC @``) with GBK /
GB18030 double-byte (and four-byte) characters, ``GS !`` and ``ESC !`` / ``FS !`` sizes, ``ESC a``
alignment, ``ESC E`` bold, ``ESC -`` / ``FS -`` underline, ``ESC d`` feeds, native QR (``GS ( k``),
raster images (``GS v 0``) and cuts (``GS V``). Real-time status requests (``DLE EOT n``) are passed to
``on_status`` and status requests in the data (``GS r n``, answered once what precedes them is printed) to
``on_transmit``, so the simulator can answer them. Other commands are skipped by their known lengths.
Limits: a style change inside a line applies from the next line; page mode and barcodes are not drawn.

A parser can play a particular printer (:data:`FONTS`): ``gb18030`` (the default: what the kiosk means),
``gbk``, ``gb18030-2byte`` (a GB18030 font without the four-byte area: such a code prints as two wrong
characters) or ``gb2312`` (bytes 0x80–0xA0 print as single characters, so a GBK-only lead byte prints as
garbage and throws the rest of the line out of step), and take only ``qr_sizes`` module sizes (a size
outside is ignored, as printers do).
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.printing.escpos_render import in_gb2312
from kiosk.printing.layout import QR, Cut, Feed, Raster, Slip, Text

_ESC_ARGS = {  # ESC x: number of argument bytes
    b"@": 0, b"a": 1, b"E": 1, b"-": 1, b"d": 1, b"J": 1, b"2": 0, b"3": 1, b"!": 1, b"M": 1, b"t": 1,
    b"R": 1, b"G": 1, b"V": 1, b"{": 1, b"p": 3, b"$": 2, b"\\": 2, b"r": 1, b"U": 1, b" ": 1, b"%": 1,
    b"=": 1, b"i": 0, b"m": 0, b"c": 2, b"e": 1, b"L": 0, b"S": 0, b"T": 1, b"W": 8, b"?": 1, b"K": 1,
}
_GS_ARGS = {
    b"!": 1, b"B": 1, b"b": 1, b"h": 1, b"w": 1, b"H": 1, b"f": 1, b"L": 2, b"W": 2, b"P": 2, b"a": 1,
    b"r": 1, b"I": 1, b"$": 2, b"\\": 2, b"^": 3, b":": 0, b"T": 1, b"y": 1, b"g": 0,
}
_FS_ARGS = {b"&": 0, b".": 0, b"-": 1, b"!": 1, b"S": 2, b"W": 1, b"C": 1, b"p": 2, b"r": 1, b"?": 2}
_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
FONTS = ("gb18030", "gbk", "gb18030-2byte", "gb2312")
MAX_COMMAND = 1 << 20  # a command claiming more than this is garbage: skip its first byte


class EscposParser:
    """Feeds ESC/POS bytes; returns finished slips. ``on_status(n)`` is called for each ``DLE EOT n``,
    ``on_transmit(n)`` for each ``GS r n``."""

    def __init__(self, width_mm: int = 80, on_status: Callable[[int], None] | None = None,
                 font: str = "gb18030", qr_sizes: tuple[int, int] = (1, 16),
                 on_transmit: Callable[[int], None] | None = None):
        if font not in FONTS:
            raise ValueError(f"printer font '{font}' is not one of {', '.join(FONTS)}")
        self.width_mm, self.on_status, self.on_transmit = width_mm, on_status, on_transmit
        self.font, self.qr_sizes = font, qr_sizes
        self._buf = b""
        self.blocks: list = []
        self.skipped = 0  # bytes of commands not understood
        self._reset()
        self._line: list[str] = []
        self._line_style: tuple | None = None
        self._qr = {"size": 3, "ec": "L", "data": b""}
        self._after_qr = False

    def _reset(self) -> None:
        self.chinese = True
        self.align, self.size, self.bold, self.underline = "left", 1, False, False

    def feed(self, data: bytes) -> list[Slip]:
        """Parses ``data`` (after what is left of earlier chunks); returns the slips a cut completed."""
        self._buf += data
        done: list[Slip] = []
        i = 0
        while i < len(self._buf):
            n = self._step(self._buf, i, done)
            if n is None:
                break
            i += n
        self._buf = self._buf[i:]
        return done

    def flush(self) -> Slip | None:
        """The slip in progress (printed but not cut), or None when nothing is pending."""
        self._end_line(force=False)
        if not self.blocks:
            return None
        slip = Slip(self.blocks, width_mm=self.width_mm)
        self.blocks = []
        return slip

    # ---- one command or character at buf[i]; returns bytes consumed, or None when incomplete -------------
    def _step(self, buf: bytes, i: int, done: list[Slip]) -> int | None:
        b = buf[i]
        if b == 0x0A:
            if self._after_qr and not self._line:  # the LF that ends a native QR symbol's line
                self._after_qr = False
                return 1
            self._end_line(force=True)
            return 1
        if b not in (0x10, 0x0D):
            self._after_qr = False
        if b == 0x1B:
            return self._esc(buf, i)
        if b == 0x1D:
            return self._gs(buf, i, done)
        if b == 0x1C:
            return self._fs(buf, i)
        if b == 0x10:
            if i + 1 >= len(buf):
                return None
            if buf[i + 1] == 0x04:
                if i + 2 >= len(buf):
                    return None
                if self.on_status:
                    self.on_status(buf[i + 2])
                return 3
            return {0x05: 3, 0x14: 5}.get(buf[i + 1], 1)
        if b == 0x09:
            self._text(" " * (8 - len("".join(self._line)) % 8))
            return 1
        if b < 0x20 or b == 0x7F:
            return 1
        if b < 0x80:
            self._text(chr(b))
            return 1
        if not self.chinese or (self.font == "gb2312" and b <= 0xA0):
            self._text(bytes([b]).decode("cp437"))  # a single-byte character of the code page
            return 1
        if i + 1 >= len(buf):
            return None
        width = 4 if 0x30 <= buf[i + 1] <= 0x39 and self.font == "gb18030" else 2
        if i + width > len(buf):
            return None
        code = bytes(buf[i:i + width])
        if self.font == "gb2312" and not in_gb2312(code):
            text = "\ufffd"
        else:  # GB2312 codes read as GBK (the same places): A1A4 is ·, not ・
            text = code.decode("gb18030" if self.font.startswith("gb18030") else "gbk", errors="replace")
        self._text(text if len(text) == 1 else "\ufffd")  # one cell a code: a wrong code prints one wrong glyph
        return width

    def _esc(self, buf: bytes, i: int) -> int | None:
        if i + 1 >= len(buf):
            return None
        cmd = buf[i + 1:i + 2]
        if cmd == b"*":  # ESC * m nL nH data: bit image
            if i + 5 > len(buf):
                return None
            n = buf[i + 3] + 256 * buf[i + 4]
            need = 5 + n * (1 if buf[i + 2] in (0, 1) else 3)
            return need if i + need <= len(buf) else None
        if cmd == b"D":  # tab stops, NUL-terminated
            end = buf.find(b"\x00", i + 2)
            return None if end < 0 else end - i + 1
        if cmd not in _ESC_ARGS:
            self.skipped += 2
            return 2
        need = 2 + _ESC_ARGS[cmd]
        if i + need > len(buf):
            return None
        arg = buf[i + 2] if need > 2 else 0
        if cmd == b"@":
            self._end_line(force=False)
            self._reset()
        elif cmd == b"a":
            self.align = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}.get(arg, "left")
        elif cmd == b"E":
            self.bold = bool(arg & 1)
        elif cmd == b"-":
            self.underline = arg in (1, 2, 49, 50)
        elif cmd == b"!":
            self.bold = bool(arg & 0x08)
            self.underline = bool(arg & 0x80)
            self.size = 2 if arg & 0x30 else 1
        elif cmd in (b"d", b"J"):
            self._end_line(force=False)
            lines = arg if cmd == b"d" else round(arg / 30)
            if lines:
                self.blocks.append(Feed(min(20, lines)))
        return need

    def _gs(self, buf: bytes, i: int, done: list[Slip]) -> int | None:
        if i + 1 >= len(buf):
            return None
        cmd = buf[i + 1:i + 2]
        if cmd == b"V":
            if i + 2 >= len(buf):
                return None
            m = buf[i + 2]
            need = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            if i + need > len(buf):
                return None
            self._end_line(force=False)
            self.blocks.append(Cut(feed=0, partial=m in (1, 49, 66)))
            done.append(Slip(self.blocks, width_mm=self.width_mm))
            self.blocks = []
            return need
        if cmd == b"v":  # GS v 0 m xL xH yL yH data
            if i + 8 > len(buf):
                return None
            xb, h = buf[i + 4] + 256 * buf[i + 5], buf[i + 6] + 256 * buf[i + 7]
            need = 8 + xb * h
            if need > MAX_COMMAND:
                self.skipped += 1
                return 1
            if i + need > len(buf):
                return None
            self._end_line(force=False)
            if xb and h:
                self.blocks.append(Raster(xb * 8, h, bytes(buf[i + 8:i + need]), self.align))
            return need
        if cmd == b"(":  # GS ( X pL pH data
            if i + 5 > len(buf):
                return None
            n = buf[i + 3] + 256 * buf[i + 4]
            if i + 5 + n > len(buf):
                return None
            if buf[i + 2:i + 3] == b"k" and n >= 2:
                self._qr_command(bytes(buf[i + 5:i + 5 + n]))
            return 5 + n
        if cmd == b"k":  # barcode: GS k m … (m < 32: NUL-terminated; else a length byte)
            if i + 3 > len(buf):
                return None
            m = buf[i + 2]
            if m < 32:
                end = buf.find(b"\x00", i + 3)
                return None if end < 0 else end - i + 1
            if i + 4 > len(buf):
                return None
            need = 4 + buf[i + 3]
            return need if i + need <= len(buf) else None
        if cmd == b"8" and buf[i + 2:i + 3] == b"L":  # GS 8 L p1..p4 data
            if i + 7 > len(buf):
                return None
            need = 7 + int.from_bytes(buf[i + 3:i + 7], "little")
            if need > MAX_COMMAND:
                self.skipped += 1
                return 1
            return need if i + need <= len(buf) else None
        if cmd not in _GS_ARGS:
            self.skipped += 2
            return 2
        need = 2 + _GS_ARGS[cmd]
        if i + need > len(buf):
            return None
        if cmd == b"!":
            n = buf[i + 2]
            self.size = max(1, min(4, max((n >> 4) + 1, (n & 0x0F) + 1)))
        elif cmd == b"r" and self.on_transmit:
            self.on_transmit(buf[i + 2])
        return need

    def _fs(self, buf: bytes, i: int) -> int | None:
        if i + 1 >= len(buf):
            return None
        cmd = buf[i + 1:i + 2]
        if cmd not in _FS_ARGS:
            self.skipped += 2
            return 2
        need = 2 + _FS_ARGS[cmd]
        if i + need > len(buf):
            return None
        arg = buf[i + 2] if need > 2 else 0
        if cmd == b"&":
            self.chinese = True
        elif cmd == b".":
            self.chinese = False
        elif cmd == b"-":
            self.underline = arg in (1, 2, 49, 50)
        elif cmd == b"!":
            self.size = 2 if arg & 0x0C else 1
            self.underline = bool(arg & 0x80)
        return need

    def _qr_command(self, body: bytes) -> None:
        cn, fn, args = body[0], body[1], body[2:]
        if cn != 0x31:
            return
        if fn == 0x43 and args:
            if self.qr_sizes[0] <= args[0] <= self.qr_sizes[1]:  # a printer ignores a size it does not take
                self._qr["size"] = args[0]
        elif fn == 0x45 and args:
            self._qr["ec"] = _EC.get(args[0], "L")
        elif fn == 0x50 and args:
            self._qr["data"] = args[1:]
        elif fn == 0x51 and self._qr["data"]:
            self._end_line(force=False)
            data = self._qr["data"].decode("utf-8", errors="replace")
            self.blocks.append(QR(data, self._qr["size"], self._qr["ec"], self.align))
            self._after_qr = True

    # ---- text lines ---------------------------------------------------------------------------------------
    def _text(self, s: str) -> None:
        if not self._line:
            self._line_style = (self.size, self.align, self.bold, self.underline)
        self._line.append(s)

    def _end_line(self, force: bool) -> None:
        """Closes the current line; ``force`` (an LF) makes an empty line a blank line."""
        if not self._line and not force:
            return
        size, align, bold, underline = self._line_style if self._line else (
            self.size, self.align, self.bold, self.underline)
        self.blocks.append(Text("".join(self._line), size=size, align=align, bold=bold, underline=underline))
        self._line, self._line_style = [], None
