"""The hall's service hours (错时、延时、节假日): whether helpers are there now, and when they are back.

Plain Python over a :class:`kiosk.config.access.HoursConfig` and the working-day calendar
(:func:`kiosk.catalog.workdays.is_workday`: chinese-calendar plus the holidays file). The time is always
passed in (the kiosk's injected wall clock), never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from kiosk.catalog.statutory import statutory_days_off
from kiosk.catalog.workdays import estimated, is_workday, scheduled

DayKind = Literal["workday", "weekend", "holiday"]
LOOK_AHEAD_DAYS = 40  # the longest closure (春节 with weekends) is well inside this


@dataclass(frozen=True)
class HoursState:
    """``open``: helpers are there now. Closed: ``back_at`` is when the next service period starts (None:
    nothing in the next weeks), ``day_kind`` the kind of today, ``today`` today's periods. ``estimate``:
    ``back_at`` was counted through a year without the State Council's schedule (only its statutory
    holidays are known, not its 调休), so it may change; the words saying so are the screens'."""

    open: bool
    day_kind: DayKind
    back_at: datetime | None = None
    today: tuple[tuple[time, time], ...] = ()
    estimate: bool = False


@dataclass(frozen=True)
class Away:
    """The hall's helpers are away: ``back_at`` is when they are back (None: nothing in the next weeks), as
    seen at ``now`` (so that it can be worded 今天 / 明天); ``estimate``: it may change (see
    :class:`HoursState`). The words are the screens' and the slips'."""

    back_at: datetime | None
    now: datetime
    estimate: bool = False


def _periods(texts: list[str]) -> tuple[tuple[time, time], ...]:
    out = []
    for text in texts:
        a, b = text.split("-")
        start = time(int(a[:2]), int(a[3:5]))
        end = time(23, 59, 59) if b == "24:00" else time(int(b[:2]), int(b[3:5]))
        out.append((start, end))
    return tuple(sorted(out))


def day_kind(day: date) -> DayKind:
    """``workday`` (调休 included), ``weekend`` (a Saturday or Sunday off) or ``holiday`` (a public holiday,
    also one that falls on a weekend)."""
    if is_workday(day):
        return "workday"
    try:
        import chinese_calendar  # noqa: PLC0415

        _off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the library lacks: the holidays file, else the statutory days
        name = "statutory" if not scheduled(day.year) and day in statutory_days_off(day.year) else None
    if name is None and day.weekday() >= 5:
        return "weekend"
    return "holiday"


class ServiceHours:
    """``hours`` is a ``HoursConfig`` or None (no hours configured: always open)."""

    def __init__(self, hours):
        self.hours = hours

    @property
    def configured(self) -> bool:
        return self.hours is not None

    def periods_on(self, day: date) -> tuple[tuple[time, time], ...]:
        h = self.hours
        if day in h.dates:
            return _periods(h.dates[day])
        return _periods({"workday": h.workday, "weekend": h.weekend, "holiday": h.holiday}[day_kind(day)])

    def state(self, now: datetime) -> HoursState:
        if self.hours is None:
            return HoursState(True, "workday")
        today = now.date()
        periods = self.periods_on(today)
        kind = day_kind(today)
        if any(start <= now.time() < end for start, end in periods):
            return HoursState(True, kind, None, periods)
        back = self.next_open(now)
        guess = estimated(today, back.date() if back else today + timedelta(days=LOOK_AHEAD_DAYS))
        return HoursState(False, kind, back, periods, guess)

    def next_open(self, now: datetime) -> datetime | None:
        """The start of the next service period after ``now``."""
        for offset in range(LOOK_AHEAD_DAYS):
            day = now.date() + timedelta(days=offset)
            for start, _end in self.periods_on(day):
                at = datetime.combine(day, start)
                if at > now:
                    return at
        return None
