"""Elderly mode, both languages: a number stays with its unit and a time is never cut in two where a
resident reads how long to wait (the help banner) or when the hall opens; English lists are joined with
commas, not the Chinese 、."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.ui.kit import ID_NUMBER


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


def test_english_lists_use_commas_not_the_chinese_enumeration_comma(shot_kiosks):
    """The service hours and the pages still to answer were joined with 、 in English too."""
    from kiosk.i18n import set_language
    from kiosk.screens.shots_access import FRIDAY_EVENING, HOURS

    set_language("en")
    try:
        thursday_evening = FRIDAY_EVENING - timedelta(days=1)  # the next open day has two periods
        h = shot_kiosks(access=HOURS["access"], now=thursday_evening, elderly=True)
        h.tap(h.root.header.ids.call_helper)  # after hours: the hours screen
        today = h.screen("hours").ids.today.text
        assert "08:30-12:00, 14:30-17:30" in today and "、" not in today.replace(
            HOURS["access"]["hours"]["note"], ""
        )
        h.root.go_home()
        h.settle()
        h.start("assist")
        h.type_id(ID_NUMBER)
        h.choose_matter("property-transfer")
        h.settle()
        h.tap(h.material_rows()[0].ids.b3)  # one answered on page 1; pages 2 and more wait
        h.pump(6)
        summary = h.screen("materials").ids.summary.text
        assert "page 2, page 3" in summary and "、" not in summary, summary
    finally:
        set_language("zh_CN")
