"""A year without the State Council's schedule (neither chinese-calendar nor the holidays file): its
statutory public holidays are still days off, and dates counted through it are flagged as estimates.
Every year is named (2026: scheduled by the library; 2027, 2031: not); nothing depends on today."""

from datetime import date, datetime

import pytest

from kiosk.catalog import add_working_days, is_workday, load_holidays
from kiosk.catalog.statutory import statutory_days_off
from kiosk.catalog.workdays import Holidays, estimated, scheduled
from kiosk.config.access import HoursConfig
from kiosk.visit.hours import ServiceHours, day_kind

NONE = Holidays("<no file>")  # as if the holidays file listed no year


def test_statutory_days_of_2027_and_2031():
    assert sorted(statutory_days_off(2027)) == [
        date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),  # 除夕–初三
        date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)]
    days = statutory_days_off(2031)
    assert len(days) == 12 and date(2031, 10, 1) in days  # 中秋 falls on 国庆's first day
    assert date(2031, 1, 22) in days and date(2031, 1, 25) in days  # 除夕, 初三
    assert date(2031, 4, 5) in days and date(2031, 6, 24) in days and date(2031, 10, 1) in days


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_rule_agrees_with_the_published_schedules(year):
    """In the years the library has (the 2024 rule in force), every computed day is off indeed."""
    assert [d for d in sorted(statutory_days_off(year)) if is_workday(d, NONE)] == []


def test_new_year_and_spring_festival_2027_are_days_off():
    assert not is_workday(date(2027, 1, 1), NONE)  # 元旦, a Friday
    assert not is_workday(date(2027, 2, 5), NONE) and not is_workday(date(2027, 2, 8), NONE)  # 除夕, 初三
    assert is_workday(date(2027, 1, 4), NONE) and is_workday(date(2027, 2, 9), NONE)
    assert not is_workday(date(2031, 1, 1), NONE) and not is_workday(date(2031, 1, 24), NONE)  # 初二


def test_a_due_date_into_an_unscheduled_year_skips_the_holidays_and_is_flagged():
    due = add_working_days(date(2026, 12, 30), 2, NONE)  # Thu 31 Dec, then Fri 1 Jan is 元旦
    assert due == date(2027, 1, 4)
    assert estimated(date(2026, 12, 30), due, NONE)
    assert not scheduled(2027, NONE) and not scheduled(2031, NONE)


def test_a_scheduled_year_is_unchanged_and_not_flagged():
    assert scheduled(2026, NONE)
    assert add_working_days(date(2026, 9, 30), 1, NONE) == date(2026, 10, 8)
    assert not estimated(date(2026, 1, 5), date(2026, 12, 31), NONE)


def test_the_holidays_file_wins_over_the_computed_days(tmp_path):
    path = tmp_path / "h.toml"
    path.write_text("[2027]\nholidays = [[2027-02-05, 2027-02-11]]\nworkdays = [2027-02-20]\n", encoding="utf-8")
    schedule = load_holidays(path)
    assert scheduled(2027, schedule) and not estimated(date(2026, 12, 30), date(2027, 3, 1), schedule)
    assert not is_workday(date(2027, 2, 10), schedule) and is_workday(date(2027, 2, 20), schedule)
    assert is_workday(date(2027, 1, 1), schedule)  # the file lists 2027 without 1 Jan: the file is taken as given


def test_next_open_after_new_years_eve_2026_is_monday_and_an_estimate(no_holidays_file):
    h = ServiceHours(HoursConfig())
    state = h.state(datetime(2026, 12, 31, 18, 0))
    assert state.back_at == datetime(2027, 1, 4, 8, 30) and state.estimate
    assert day_kind(date(2027, 1, 1)) == "holiday" and day_kind(date(2027, 2, 6)) == "holiday"  # 初一, Saturday
    assert day_kind(date(2027, 1, 2)) == "weekend"
    assert h.state(datetime(2027, 2, 6, 10, 0)).back_at == datetime(2027, 2, 9, 8, 30)


def test_next_open_inside_a_scheduled_year_is_not_an_estimate(no_holidays_file):
    state = ServiceHours(HoursConfig()).state(datetime(2026, 12, 30, 18, 0))
    assert state.back_at == datetime(2026, 12, 31, 8, 30) and not state.estimate
