"""What an ESC/POS printer can take: its options (font encoding, cutter, native QR and its module sizes,
from a python-escpos profile and the config) and whether a line of text can be sent to its font as is.

Lines that cannot are printed as raster images by :mod:`kiosk.printing.escpos_render`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ENCODINGS = ("gbk", "gb18030", "gb2312")
QR_SIZES_EPSON, QR_SIZES_OTHERS = (1, 16), (1, 8)  # GS ( k fn 167 module sizes: Epson's manual; most others


@dataclass(frozen=True)
class EscposOptions:
    """What the target printer can do.

    ``encoding`` is its font: ``gbk`` (most Chinese printers), ``gb2312`` (many 58/80 mm models whose
    manuals say so: lead bytes 0x81–0xA0 print as single characters there) or ``gb18030``;
    ``four_byte`` (GB18030 only) is False for printers whose GB18030 font holds only the double-byte area.
    A character the font lacks is printed within a raster line. ``qr_sizes`` is the (smallest, largest)
    QR module size the printer takes: Epson 1–16, others 1–8 or even 2–5; a size outside is ignored by
    the printer, so the renderer clamps to it.
    """

    encoding: str = "gbk"
    cutter: bool = True
    native_qr: bool = True
    fonts: tuple[str, ...] | None = None  # None: wqy-microhei, then installed rare-character fonts
    four_byte: bool = True
    qr_sizes: tuple[int, int] = QR_SIZES_OTHERS

    def __post_init__(self) -> None:
        if self.encoding not in ENCODINGS:
            raise ValueError(f"encoding '{self.encoding}' is not supported; expected {', '.join(ENCODINGS)}")
        low, high = self.qr_sizes
        if not 1 <= low <= high <= 16:
            raise ValueError(f"QR module sizes {low}–{high} are not a range within 1–16")

    @classmethod
    def for_profile(cls, profile: str | None, encoding: str = "gbk", fonts: Sequence[str] | None = None,
                    four_byte: bool = True, qr_sizes: tuple[int, int] | None = None) -> EscposOptions:
        """Options from a python-escpos profile name (e.g. ``ZJ-5870`` has no cutter and no native QR;
        Epson's take QR module sizes 1–16, others 1–8) and the config's settings, which win."""
        common = dict(encoding=encoding, fonts=tuple(fonts) if fonts else None, four_byte=four_byte)
        if not profile:
            return cls(qr_sizes=tuple(qr_sizes or QR_SIZES_OTHERS), **common)  # type: ignore[arg-type]
        prepare_escpos_import()
        from escpos.capabilities import get_profile

        try:
            p = get_profile(profile)
        except Exception as exc:  # python-escpos raises its own NotSupported for unknown names
            raise ValueError(f"unknown printer profile '{profile}'; use a python-escpos profile name such as "
                             f"TM-T20II, ZJ-5870 or POS-5890") from exc
        epson = str(p.profile_data.get("vendor", "")).lower() == "epson"
        sizes = tuple(qr_sizes or (QR_SIZES_EPSON if epson else QR_SIZES_OTHERS))
        return cls(cutter=p.supports("paperFullCut") or p.supports("paperPartCut"), native_qr=p.supports("qrCode"),
                   qr_sizes=sizes, **common)  # type: ignore[arg-type]

    def can_send(self, text: str) -> bytes | None:
        """``text`` as bytes this printer's font prints (see :func:`encode_line`), or None."""
        return encode_line(text, self.encoding, self.four_byte)


def prepare_escpos_import() -> None:
    """Call before importing python-escpos. Its ``escpos.capabilities`` re-parses a large YAML file and
    writes a pickle into a *new* temporary folder on every process start unless
    ``ESCPOS_CAPABILITIES_PICKLE_DIR`` is set (~0.3–0.6 s and one leaked folder in /tmp per command).
    Points it at a persistent cache folder instead."""
    import os
    import tempfile

    if os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR"):
        return
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for folder in (os.path.join(base, "kiosk", "python-escpos"),
                   os.path.join(tempfile.gettempdir(), f"kiosk-python-escpos-{os.getuid()}")):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = folder
            return


_MIN_LEAD = {"gbk": 0x81, "gb18030": 0x81, "gb2312": 0xA1}  # GB2312 fonts print 0x80–0xA0 as single bytes


def encode_line(text: str, encoding: str = "gbk", four_byte: bool = True) -> bytes | None:
    """``text`` as printer bytes in Chinese mode, or None when a character cannot be sent as text.

    ASCII stays one byte; every other character must become a proper double-byte code of the font (lead
    byte ≥ 0x81; ≥ 0xA1 for ``gb2312``, whose printers print 0x20–0x9F as single characters), or a
    four-byte GB18030 code when ``encoding`` is ``gb18030`` and ``four_byte``. Single bytes ≥ 0x80 would
    be swallowed as half of a Chinese character, so they count as not encodable.
    """
    widths = (2, 4) if encoding == "gb18030" and four_byte else (2,)
    out = bytearray()
    for ch in text:
        if ord(ch) < 0x80:
            out.append(ord(ch))
            continue
        try:
            # GB2312's codes are GBK's at the same places; GBK maps A1A4 to · and A1AA to — as printers
            # print them, where Python's gb2312 codec has ・ (U+30FB) and ― (U+2015)
            b = ch.encode("gbk" if encoding == "gb2312" else encoding)
        except UnicodeEncodeError:
            return None
        if len(b) not in widths or b[0] < _MIN_LEAD[encoding] or (encoding == "gb2312" and not in_gb2312(b)):
            return None
        out += b
    return bytes(out)


def in_gb2312(code: bytes) -> bool:
    """Whether a double-byte code is a character of GB2312 (rows 01–09 and 16–87, cells 01–94)."""
    if len(code) != 2 or not (0xA1 <= code[0] <= 0xF7 and 0xA1 <= code[1] <= 0xFE):
        return False
    try:
        code.decode("gb2312")
    except UnicodeDecodeError:
        return False
    return True
