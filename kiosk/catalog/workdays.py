"""Working days (工作日) for promised time limits (承诺时限): weekends, public holidays and 调休.

chinese-calendar carries the State Council's schedule up to the year of its release (1.11: 2004–2026).
Each year's schedule is published around November for the next year; until a chinesecalendar release
carries it, enter it in a holidays file: ``kiosk/config/holidays.toml`` shipped with the kiosk, or the
file named by the ``KIOSK_HOLIDAYS`` environment variable (a hall's own copy)::

    [2027]
    holidays = [2027-01-01, [2027-02-06, 2027-02-12]]   # days off: dates or [first, last] ranges
    workdays = [2027-02-20]                              # weekend days worked instead (调休)

A date listed in the file is taken as given, before the library (so a hall can also correct one day);
other days of a year the library lacks but the file lists count Monday to Friday. A year in neither
counts Monday to Friday less its statutory public holidays (:mod:`kiosk.catalog.statutory`: 元旦, 春节,
清明, 劳动节, 端午, 中秋, 国庆 — facts of the law, not of the yearly notice), and a warning naming the file
to fill in is logged once per year: the notice's 调休 are unknown, so a date counted through such a year
is an estimate (:func:`estimated`; the screens and slips say so). ``python -m kiosk.catalog FILE`` and
``kiosk config check`` report which years are covered.
A broken holidays file raises :class:`~kiosk.catalog.CatalogError` from :func:`load_holidays`; as the
default file it is logged as an error and ignored, so a slip still prints.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from kiosk.catalog.model import CatalogError, read_toml
from kiosk.catalog.statutory import statutory_days_off

log = logging.getLogger("kiosk.catalog")

DEFAULT_HOLIDAYS = Path(__file__).resolve().parents[1] / "config" / "holidays.toml"
HOLIDAYS_ENV = "KIOSK_HOLIDAYS"
AHEAD_DAYS = 60  # the checks warn this long before a year without a schedule starts
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_warned: set[int] = set()


@dataclass(frozen=True)
class Holidays:
    """A holidays file's schedule: per year, the days off and the weekend days that are worked."""

    source: str
    years: dict[int, tuple[frozenset[date], frozenset[date]]] = field(default_factory=dict)

    def listed(self, day: date) -> bool | None:
        """True for a listed working day, False for a listed day off, None for a day not listed."""
        off, worked = self.years.get(day.year, (frozenset(), frozenset()))
        return True if day in worked else False if day in off else None


def _dates(year: int, kind: str, entries: object, problems: list[str]) -> set[date]:
    """The dates of one list (``holidays`` or ``workdays``), expanding [first, last] ranges."""
    if not isinstance(entries, list):
        problems.append(f"{year}.{kind}: expected a list of dates, e.g. [{year}-10-01, [{year}-10-02, {year}-10-07]]")
        return set()
    out: set[date] = set()
    for i, entry in enumerate(entries):
        where = f"{year}.{kind}[{i}]"
        pair = entry if isinstance(entry, list) else [entry, entry]
        if len(pair) != 2 or any(type(d) is not date for d in pair):
            problems.append(f"{where}: {entry!r} is not a date or range; expected {year}-10-01 "
                            f"(no quotes) or [{year}-10-01, {year}-10-07]")
            continue
        first, last = pair
        if first > last:
            problems.append(f"{where}: range ends before it starts; write [first, last]")
        elif first.year != year or last.year != year:
            problems.append(f"{where}: {entry} is not in {year}; put it under [{first.year}]")
        else:
            out.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return out


def parse_holidays(data: dict, source: str = "<holidays>") -> Holidays:
    """Validates a parsed holidays file (see the module docstring); raises CatalogError listing every
    problem as ``year.key[index]: what is wrong, what is expected``."""
    problems: list[str] = []
    years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
    for key, table in data.items():
        if not (key.isdigit() and len(key) == 4):
            problems.append(f"{key}: not a year; name each table after its year, e.g. [2027]")
            continue
        year = int(key)
        if not isinstance(table, dict):
            problems.append(f"{year}: expected a table with holidays = [...] and workdays = [...]")
            continue
        problems += [f"{year}.{k}: unknown key; expected holidays or workdays"
                     for k in table if k not in ("holidays", "workdays")]
        off = _dates(year, "holidays", table.get("holidays", []), problems)
        worked = _dates(year, "workdays", table.get("workdays", []), problems)
        for day in sorted(worked):
            if day.weekday() < 5:
                problems.append(f"{year}.workdays: {day} is a {_DAY_NAMES[day.weekday()]}, a working day "
                                "anyway; list only weekend days that are worked (调休)")
        problems += [f"{year}: {day} is both a holiday and a working day; keep it in one list"
                     for day in sorted(off & worked)]
        years[year] = (frozenset(off), frozenset(worked))
    if problems:
        raise CatalogError(source, problems)
    return Holidays(source, years)


def load_holidays(path: str | Path) -> Holidays:
    """Reads and validates a holidays file; raises :class:`~kiosk.catalog.CatalogError`."""
    return parse_holidays(read_toml(path, "a holidays TOML file"), str(Path(path)))


def holidays_path() -> Path:
    """The holidays file in use: ``$KIOSK_HOLIDAYS`` when set, else the shipped one."""
    return Path(os.environ.get(HOLIDAYS_ENV) or DEFAULT_HOLIDAYS)


@lru_cache(maxsize=4)
def _load_or_log(path: Path) -> Holidays:
    try:
        return load_holidays(path)
    except CatalogError as err:
        log.error("holidays file unusable, ignored (fix it and restart): %s", err)
        return Holidays(str(path))


def default_holidays() -> Holidays:
    """The schedule of :func:`holidays_path` (read once per path); empty when that file is broken."""
    return _load_or_log(holidays_path())


def library_years() -> range:
    """The years chinese-calendar has the schedule for."""
    from chinese_calendar import constants  # noqa: PLC0415

    return range(min(constants.holidays).year, max(constants.holidays).year + 1)


def is_workday(day: date, holidays: Holidays | None = None) -> bool:
    """Whether ``day`` is a working day: as listed in the holidays file, else as chinese-calendar has it,
    else Monday to Friday; in a year the file does not list either, not on a statutory public holiday
    (with a warning once per year: see :func:`scheduled`).
    ``holidays`` defaults to :func:`default_holidays`."""
    import chinese_calendar  # noqa: PLC0415 - only the notice and the authorization need it

    schedule = default_holidays() if holidays is None else holidays
    listed = schedule.listed(day)
    if listed is not None:
        return listed
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in schedule.years and day.year not in _warned:
            _warned.add(day.year)
            log.warning("no holiday schedule for %d: counting Monday to Friday less the statutory holidays "
                        "(no 调休; dates through it are shown as estimates); add [%d] with its holidays "
                        "and workdays to %s", day.year, day.year, schedule.source)
        if day.year not in schedule.years:
            return day.weekday() < 5 and day not in statutory_days_off(day.year)
        return day.weekday() < 5


def scheduled(year: int, holidays: Holidays | None = None) -> bool:
    """Whether the State Council's schedule for ``year`` is known: in chinese-calendar or the holidays file
    (``holidays`` defaults to :func:`default_holidays`). Otherwise only the statutory days are counted."""
    schedule = default_holidays() if holidays is None else holidays
    return year in schedule.years or year in library_years()


def estimated(first: date, last: date, holidays: Holidays | None = None) -> bool:
    """Whether a date counted from ``first`` to ``last`` (either order) goes through a year without a
    schedule: it may move once the year's notice (its 调休) is known."""
    low, high = sorted((first, last))
    return any(not scheduled(year, holidays) for year in range(low.year, high.year + 1))


def add_working_days(start: date, days: int, holidays: Holidays | None = None) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted), skipping weekends and
    Chinese public holidays and counting 调休 weekend working days (see :func:`is_workday`; whether the
    result is an estimate: :func:`estimated`)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        left -= is_workday(day, holidays)
    return day


def schedule_warning(today: date, holidays: Holidays | None = None, ahead_days: int = AHEAD_DAYS) -> str | None:
    """The warning for the hall's IT when ``today`` + ``ahead_days`` reaches a year without a schedule
    (:func:`scheduled`), naming the file to fill in and what to copy; None when every such year has one."""
    schedule = default_holidays() if holidays is None else holidays
    end = today + timedelta(days=ahead_days)
    missing = [year for year in range(today.year, end.year + 1) if not scheduled(year, schedule)]
    if not missing:
        return None
    year, lib = missing[0], library_years()
    return (f"holidays: no holiday schedule for {year} (chinese-calendar has {lib[0]}–{lib[-1]}, {schedule.source} "
            f"lists {', '.join(map(str, sorted(schedule.years))) or 'no year'}): from {year}-01-01 only the "
            f"statutory holidays are days off and the kiosk marks its dates as estimates. When "
            f"国务院办公厅关于{year}年部分节假日安排的通知 is out, copy into [{year}] of that file (or the one "
            f"{HOLIDAYS_ENV} names): holidays = every day off, workdays = every weekend day worked (调休上班)")
