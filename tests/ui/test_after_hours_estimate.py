"""After hours on the eve of a year whose holiday schedule is not published (2027 with chinese-calendar
1.11 and an empty holidays file): the hall is not said to open on 元旦, and the day given is said to be
subject to the hall's notice, on the screen and in the voice. The wall clock is injected."""

from datetime import datetime

HOURS = {"hours": {"workday": ["09:00-12:00", "14:30-17:30"]}}
NOTE = "节假日安排以本中心公告为准"


def hours_screen(shot_kiosks, now: datetime, language: str = "zh_CN"):
    from kiosk.i18n import set_language

    set_language(language)
    try:
        h = shot_kiosks(access=HOURS, queue=False, now=now, elderly=True)
        h.voice.said.clear()
        h.root.go("hours")
        h.settle()
        screen = h.screen("hours")
        return screen.ids.title.text, screen.ids.today.text, " ".join(text for text, _key in h.voice.said)
    finally:
        set_language("zh_CN")


def test_new_years_eve_2026_names_monday_4_january_and_says_it_may_change(no_holidays_file, shot_kiosks):
    title, today, said = hours_screen(shot_kiosks, datetime(2026, 12, 31, 19, 0))
    assert "1月4日" in title and NOTE in title, title  # not Friday 1 January (元旦)
    assert today.startswith("下次服务：1月4日（周一）")
    assert NOTE in said, said


def test_in_english_too(no_holidays_file, shot_kiosks):
    title, _today, said = hours_screen(shot_kiosks, datetime(2026, 12, 31, 19, 0), language="en")
    assert "4\u00a0January" in title and "as announced by the hall" in title, title


def test_a_day_in_a_scheduled_year_is_said_as_certain(no_holidays_file, shot_kiosks):
    title, _today, said = hours_screen(shot_kiosks, datetime(2026, 12, 30, 19, 0))
    assert "明天" in title and NOTE not in title + said


def test_the_start_screen_says_the_date_may_change_in_two_lines(no_holidays_file, shot_kiosks):
    h = shot_kiosks(access=HOURS, queue=False, now=datetime(2026, 12, 31, 19, 0), elderly=True)
    h.settle()
    notice = h.screen("start").closed_notice
    assert notice.split("\n") == ["现在是下班时间，日期以公告为准", "帮办员1月4日（周一）09:00上班"], notice
