"""Elderly mode, both languages: a number stays with its unit and a time is never cut in two where a
resident reads how long to wait (the help banner) or when the hall opens."""

from __future__ import annotations

import pytest


def cut_pairs(label) -> list[str]:
    """Wrapped lines that part a number from its unit (2 / 分钟, 2 / min) or cut a number (17:3 / 0)."""
    from kiosk.screens.linebreak import _lines

    label.texture_update()
    lines = _lines(label._label)
    out = []
    for (before, _), (body, wrapped) in zip(lines, lines[1:], strict=False):
        end, start = before.rstrip()[-1:], body.lstrip()[:1]
        if wrapped and end.isdigit() and (start.isdigit() or body.lstrip().startswith(("分钟", "min"))):
            out.append(f"{before[-6:]}|{body[:6]}")
    return out


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("minutes", [2, 12])
def test_the_banner_keeps_the_minutes_with_their_unit(shot_kiosks, language, minutes):
    from kiosk.i18n import set_language, tr

    set_language(language)
    try:
        h = shot_kiosks(elderly=True)
        h.start("assist")
        h.controller.emit("help", (tr("kiosk.help.coming_eta", minutes=minutes), "ok"))
        h.pump(6)
        banner = h.root.header.ids.banner
        assert str(minutes) in banner.text
        assert cut_pairs(banner) == [], banner.text
    finally:
        set_language("zh_CN")
