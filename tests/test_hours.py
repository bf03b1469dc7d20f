"""Service hours (issue 12 item 12): working days from the calendar, 错时 weekends, holidays, one date's
own arrangement, and when helpers are back. Every moment is given; nothing depends on today."""

from datetime import date, datetime

import pytest

from kiosk.config.access import HoursConfig
from kiosk.terminal.hours import check_phone
from kiosk.visit.hours import ServiceHours, day_kind


def hours(**kw) -> ServiceHours:
    return ServiceHours(HoursConfig(**kw))


def test_day_kinds_come_from_the_calendar():
    assert day_kind(date(2026, 6, 5)) == "workday"  # a Friday
    assert day_kind(date(2026, 6, 6)) == "weekend"  # a Saturday
    assert day_kind(date(2026, 10, 2)) == "holiday"  # 国庆
    assert day_kind(date(2026, 10, 3)) == "holiday"  # 国庆, a Saturday
    assert day_kind(date(2026, 2, 14)) == "workday"  # 调休: a Saturday worked before 春节


def test_open_and_closed_on_a_working_day():
    h = hours()
    assert h.state(datetime(2026, 6, 5, 9, 0)).open
    lunch = h.state(datetime(2026, 6, 5, 12, 30))
    assert not lunch.open and lunch.back_at == datetime(2026, 6, 5, 14, 30)
    evening = h.state(datetime(2026, 6, 5, 18, 0))
    assert not evening.open and evening.back_at == datetime(2026, 6, 8, 8, 30)  # Monday


def test_weekend_hours_holidays_and_a_dates_own_arrangement():
    h = hours(weekend=["09:00-12:00"], dates={date(2026, 10, 5): ["09:00-11:00"]})
    assert h.state(datetime(2026, 6, 6, 10, 0)).open  # 错时: Saturday morning
    national_day = h.state(datetime(2026, 10, 2, 10, 0))
    assert not national_day.open and national_day.day_kind == "holiday"
    assert national_day.back_at == datetime(2026, 10, 5, 9, 0)  # the duty morning inside the holiday
    assert h.state(datetime(2026, 10, 5, 11, 30)).back_at == datetime(2026, 10, 8, 8, 30)  # 8 Oct: back to work


def test_no_hours_configured_is_always_open():
    assert ServiceHours(None).state(datetime(2026, 10, 1, 3, 0)).open


@pytest.mark.parametrize("bad", ["08:30", "12:00-08:30", "8:30-12:00", "08:30-25:00"])
def test_bad_periods_are_refused_with_the_form_expected(bad):
    with pytest.raises(ValueError, match="HH:MM-HH:MM|after the start"):
        HoursConfig(workday=[bad])


@pytest.mark.parametrize("text, ok", [("13812345678", True), ("138 1234 5678", True), ("07221234567", True),
                                      ("1381234567", False), ("12812345678", False), ("1234567", False),
                                      ("", False), ("0722", False)])
def test_phone_numbers_are_checked(text, ok):
    _digits, problem = check_phone(text)
    assert (problem is None) is ok
