"""The technician's test slip: Chinese text (with 测试), full-width punctuation, sizes, bold, the date, a
native QR code and a cut — everything a Chinese ESC/POS printer has to get right, on one slip."""

from __future__ import annotations

import datetime as dt

from kiosk.i18n import tr
from kiosk.printing.layout import QR, Columns, Cut, Feed, Rule, Slip, Text


def build_test_slip(width_mm: int = 80, printer: str = "", now: dt.datetime | None = None,
                    language: str = "zh_CN", text: str | None = None) -> Slip:
    """A test slip for ``width_mm`` paper naming ``printer`` (its URI), dated ``now`` (default: now);
    ``text`` (a name to try on this printer) is printed too, at normal and double size."""
    now = now or dt.datetime.now()
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")

    def t(key: str) -> str:
        return tr(f"printer.test_slip.{key}", language)

    slip = Slip(width_mm=width_mm, title="print-test")
    slip.add(
        Text(t("title") + " 测试", size=2, align="center", bold=True),
        Text(t("heading"), align="center"),
        Rule(),
        Text(t("chinese")),
        Text(t("sizes"), size=2),
        Text(t("bold"), bold=True),
        Text("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789"),
        Rule(),
    )
    if text:
        slip.add(Text(t("text")), Text(text), Text(text, size=2), Rule())
    slip.add(
        Columns(t("date"), stamp),
        Columns(t("paper"), f"{width_mm} mm"),
    )
    if printer:
        slip.add(Columns(t("printer"), printer))
    slip.add(
        Feed(1),
        QR(f"KIOSK-PRINT-TEST {stamp}", size=6 if width_mm == 80 else 5),
        Text(t("qr"), align="center"),
        Text(t("end"), align="center"),
        Cut(),
    )
    return slip
