"""Working days past chinese-calendar's data: the holidays file, its errors, the warning, the check."""

import logging
import os
import subprocess
import sys
from datetime import date

import pytest

from kiosk.catalog import CatalogError, add_working_days, is_workday, load_holidays, workdays
from kiosk.config.settings import DEFAULT_CATALOG

SCHEDULE_2030 = """
[2030]
holidays = [[2030-01-07, 2030-01-09]]   # Monday to Wednesday off
workdays = [2030-01-05]                 # the Saturday before is worked (调休)
"""


@pytest.fixture
def holidays_2030(tmp_path):
    path = tmp_path / "holidays.toml"
    path.write_text(SCHEDULE_2030, encoding="utf-8")
    return path


@pytest.fixture
def fresh_defaults(monkeypatch):
    """Forget the cached default file and the years already warned about, before and after."""
    workdays._load_or_log.cache_clear()
    monkeypatch.setattr(workdays, "_warned", set())
    yield
    workdays._load_or_log.cache_clear()


def test_shipped_file_is_valid_and_library_covers_this_year():
    shipped = load_holidays(workdays.DEFAULT_HOLIDAYS)
    assert all(year > 2026 for year in shipped.years)  # only for years the library lacks
    assert 2026 in workdays.library_years()


def test_a_year_from_the_file_counts_its_holidays_and_adjusted_working_days(holidays_2030):
    schedule = load_holidays(holidays_2030)
    assert sorted(schedule.years) == [2030]
    friday = date(2030, 1, 4)
    assert add_working_days(friday, 1, schedule) == date(2030, 1, 5)  # the worked Saturday
    assert add_working_days(friday, 2, schedule) == date(2030, 1, 10)  # Sunday, then Mon–Wed off
    assert not is_workday(date(2030, 1, 8), schedule) and not is_workday(date(2030, 1, 6), schedule)
    assert is_workday(date(2030, 1, 11), schedule)  # an unlisted Friday of a listed year
    assert add_working_days(friday, 2) == date(2030, 1, 8)  # without the file: plain Monday to Friday


def test_a_listed_date_wins_over_the_library(tmp_path):
    path = tmp_path / "local.toml"
    path.write_text("[2026]\nholidays = [2026-11-30]\n", encoding="utf-8")
    schedule = load_holidays(path)
    assert add_working_days(date(2026, 11, 27), 1, schedule) == date(2026, 12, 1)
    # the library still decides every other day of 2026: the National Day holiday is kept
    assert add_working_days(date(2026, 9, 30), 1, schedule) == date(2026, 10, 8)


def test_the_environment_names_a_halls_own_file(holidays_2030, monkeypatch, fresh_defaults):
    monkeypatch.setenv(workdays.HOLIDAYS_ENV, str(holidays_2030))
    assert add_working_days(date(2030, 1, 4), 2) == date(2030, 1, 10)


def test_a_year_without_any_schedule_is_not_silent(caplog, fresh_defaults):
    with caplog.at_level(logging.WARNING, logger="kiosk.catalog"):
        assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Friday → Monday
        add_working_days(date(2031, 3, 6), 3)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per year, not once per day
    assert "no holiday schedule for 2031" in warnings[0] and "holidays.toml" in warnings[0]


def test_a_broken_file_lists_every_problem(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[2030]\nholidays = ["2030-01-07", [2030-02-10, 2030-02-03], 2031-01-01, 2030-05-01]\n'
        "workdays = [2030-01-09, 2030-05-01]\nextra = 1\n"
        "[next]\nholidays = []\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_holidays(path)
    assert err.value.source == str(path)
    assert err.value.problems == [
        "2030.extra: unknown key; expected holidays or workdays",
        "2030.holidays[0]: '2030-01-07' is not a date or range; expected 2030-10-01 (no quotes) "
        "or [2030-10-01, 2030-10-07]",
        "2030.holidays[1]: range ends before it starts; write [first, last]",
        "2030.holidays[2]: 2031-01-01 is not in 2030; put it under [2031]",
        "2030.workdays: 2030-01-09 is a Wednesday, a working day anyway; list only weekend days that are "
        "worked (调休)",
        "2030.workdays: 2030-05-01 is a Wednesday, a working day anyway; list only weekend days that are "
        "worked (调休)",
        "2030: 2030-05-01 is both a holiday and a working day; keep it in one list",
        "next: not a year; name each table after its year, e.g. [2027]",
    ]
    with pytest.raises(CatalogError, match="does not exist; expected a holidays TOML file"):
        load_holidays(tmp_path / "missing.toml")


def test_a_broken_default_file_is_logged_and_slips_still_get_a_date(tmp_path, monkeypatch, caplog,
                                                                     fresh_defaults):
    bad = tmp_path / "bad.toml"
    bad.write_text("[2030\n", encoding="utf-8")
    monkeypatch.setenv(workdays.HOLIDAYS_ENV, str(bad))
    with caplog.at_level(logging.ERROR, logger="kiosk.catalog"):
        assert add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)
    assert any("holidays file unusable" in r.getMessage() and "not valid TOML" in r.getMessage()
               for r in caplog.records)


def _check(env_file):
    env = {**os.environ, workdays.HOLIDAYS_ENV: str(env_file)}
    return subprocess.run([sys.executable, "-m", "kiosk.catalog", str(DEFAULT_CATALOG)], capture_output=True,
                          text=True, timeout=60, env=env)


def test_the_check_reports_covered_years_and_a_broken_file(holidays_2030, tmp_path):
    ok = _check(holidays_2030)
    assert ok.returncode == 0, ok.stderr
    assert "chinese-calendar has 2004–2026" in ok.stdout and "adds 2030" in ok.stdout
    assert "years after 2030 count Monday to Friday less the statutory holidays" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("[2030]\nworkdays = [2030-01-07]\n", encoding="utf-8")
    out = _check(bad)
    assert out.returncode == 1
    assert f"{bad}: 2030.workdays: 2030-01-07 is a Monday" in out.stderr
