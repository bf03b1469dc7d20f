"""After hours the hours screen gives the hours a resident can still use: once today's service is over,
the NEXT open day's date, weekday and hours (a Friday evening: Monday's; a holiday's eve: the first working
day after it, a 调休 Saturday included), before opening (07:30) today's. What is shown is also said, with
times as the voice says them. The wall clock is injected: nothing depends on when the test runs."""

from datetime import datetime

import pytest

HOURS = {"hours": {"workday": ["09:00-12:00", "14:30-17:30"]}}


def hours_line(shot_kiosks, now: datetime, language: str = "zh_CN", elderly: bool = False):
    from kiosk.i18n import set_language

    set_language(language)
    try:
        h = shot_kiosks(
            access=HOURS, queue=False, now=now, elderly=elderly
        )  # no queue: the hours are the news
        h.voice.said.clear()
        h.root.go("hours")
        h.settle()
        return h.screen("hours").ids.today.text, " ".join(text for text, _key in h.voice.said)
    finally:
        set_language("zh_CN")


@pytest.mark.parametrize(
    ("now", "line"),
    [
        (datetime(2026, 6, 5, 19, 0), "下次服务：6月8日（周一）09:00-12:00、14:30-17:30"),  # Friday evening
        (datetime(2026, 9, 30, 19, 0), "下次服务：10月8日（周四）09:00-12:00、14:30-17:30"),  # 国庆 eve
        (datetime(2026, 10, 9, 19, 0), "下次服务：10月10日（周六）09:00-12:00、14:30-17:30"),  # 调休 Saturday
        (datetime(2026, 6, 5, 7, 30), "6月5日服务时间：09:00-12:00、14:30-17:30"),  # before opening: today
        (datetime(2026, 6, 5, 12, 30), "6月5日服务时间：09:00-12:00、14:30-17:30"),  # lunch break: today
    ],
)
def test_the_hours_shown_are_those_still_ahead(shot_kiosks, now, line):
    shown, _said = hours_line(shot_kiosks, now)
    assert shown == line


def test_the_next_days_hours_are_said_as_shown_in_words(shot_kiosks):
    from kiosk.voice.speech import spoken_forms  # as the voice turns 09:00-12:00 into words

    shown, text = hours_line(shot_kiosks, datetime(2026, 6, 5, 19, 0), elderly=True)
    said = spoken_forms(text)
    assert "6月8日（周一）" in said and "九点到十二点" in said and "十四点半到十七点半" in said, said
    assert "6月5日" not in shown + text


def test_in_english_the_next_open_day_is_named_with_its_weekday(shot_kiosks):
    from kiosk.i18n import set_language

    shown, _said = hours_line(shot_kiosks, datetime(2026, 6, 5, 19, 0), language="en")
    assert shown == "Next open: Monday 8 June, 09:00-12:00, 14:30-17:30"
    set_language("en")
    try:  # the title above names the day in the same words (not 6/8, read 6 August by many)
        h = shot_kiosks(access=HOURS, queue=False, now=datetime(2026, 6, 5, 19, 0))
        h.root.go("hours")
        assert "Monday 8\u00a0June\u00a0at\u00a009:00" in h.screen("hours").ids.title.text
    finally:
        set_language("zh_CN")


@pytest.mark.parametrize(
    ("language", "note_en", "shown"),
    [
        ("en", "On holidays call 12345", "On holidays call 12345"),  # the hall's English note
        ("en", "", "节假日急事请拨打 12345"),  # none written: the Chinese one, not silence
        ("zh_CN", "On holidays call 12345", "节假日急事请拨打 12345"),
    ],
)
def test_the_halls_note_is_shown_in_the_screens_language_when_the_hall_wrote_it(shot_kiosks, language, note_en,
                                                                                 shown):
    from kiosk.i18n import set_language

    hours = {"hours": {**HOURS["hours"], "note": "节假日急事请拨打 12345", "note_en": note_en}}
    set_language(language)
    try:
        h = shot_kiosks(access=hours, queue=False, now=datetime(2026, 6, 5, 19, 0))
        h.root.go("hours")
        h.settle()
        text = h.screen("hours").ids.today.text
    finally:
        set_language("zh_CN")
    other = "节假日急事请拨打 12345" if shown != "节假日急事请拨打 12345" else "On holidays call 12345"
    assert text.endswith("\n" + shown) and other not in text
