"""The ``[access]`` section: the 65+ offer, the attract loop, and the hall's service hours (错时、延时、
节假日). Part of :class:`kiosk.config.settings.KioskConfig`; the hours are read by
:mod:`kiosk.visit.hours`.

Service periods are ``"HH:MM-HH:MM"`` strings. Which kind of day a date is comes from the working-day
calendar (chinese-calendar plus ``kiosk/config/holidays.toml``; see :mod:`kiosk.catalog.workdays`)::

    [access.hours]
    workday = ["08:30-12:00", "14:30-17:30"]   # 工作日 (调休上班 included)
    weekend = ["09:00-12:00"]                  # 错时: Saturday/Sunday that are not public holidays
    holiday = []                               # 节假日 (国庆、春节…): closed
    note = "节假日期间急事请拨打 12345"
    note_en = "On public holidays, call 12345 for urgent matters"   # optional: English screens' note
    [access.hours.dates]                       # one date's own arrangement (延时, 值班, closed = [])
    2026-10-03 = ["09:00-12:00"]

No ``[access.hours]`` (the default): helpers are taken to be there whenever the kiosk runs.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

_PERIOD = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _check_periods(periods: list[str]) -> list[str]:
    for p in periods:
        m = _PERIOD.match(p.strip())
        if not m:
            raise ValueError(f"'{p}' is not a service period; expected HH:MM-HH:MM, e.g. 08:30-12:00")
        start, end = int(m[1]) * 60 + int(m[2]), int(m[3]) * 60 + int(m[4])
        if end <= start or end > 24 * 60:
            raise ValueError(f"'{p}': the end must come after the start, on the same day")
    return [p.strip() for p in periods]


class HoursConfig(_Strict):
    workday: list[str] = Field(default_factory=lambda: ["08:30-12:00", "14:30-17:30"],
                               description="service periods on a working day (调休 workdays included)")
    weekend: list[str] = Field(default_factory=list, description="错时: periods on Saturdays and Sundays")
    holiday: list[str] = Field(default_factory=list, description="periods on public holidays (节假日)")
    dates: dict[date, list[str]] = Field(default_factory=dict, description="one date's own periods; [] = closed")
    note: str = Field("", max_length=120, description="said after hours, e.g. where to go on holidays")
    note_en: str = Field("", max_length=240, description="the same note on English screens; empty: English "
                         "screens show the Chinese note (better than saying nothing of where to go)")

    @field_validator("workday", "weekend", "holiday")
    @classmethod
    def _periods(cls, v: list[str]) -> list[str]:
        return _check_periods(v)

    @field_validator("dates")
    @classmethod
    def _dates(cls, v: dict[date, list[str]]) -> dict[date, list[str]]:
        return {day: _check_periods(periods) for day, periods in v.items()}


class AccessConfig(_Strict):
    senior_offer_age: int = Field(65, ge=0, le=120, description="a card this old or older is offered 长辈模式 "
                                  "and priority; 0: never")
    attract_after_s: float = Field(60, ge=0, le=3600, description="quiet seconds on the start screen before "
                                   "the attract loop explains 帮办 and 代办; 0: no loop")
    hours: HoursConfig | None = Field(None, description="the hall's service hours; none: always open")
    enterprise_directory: Path | None = Field(
        None, description="为企业办事: a CSV of 统一社会信用代码,企业名称 (UTF-8, e.g. exported from the hall's "
        "register of local enterprises); a 经办人 whose code is in it confirms the name instead of leaving it to a "
        "helper")

    @field_validator("enterprise_directory")
    @classmethod
    def _directory(cls, v: Path | None) -> Path | None:
        if v is not None and not v.is_file():
            raise ValueError(f"file '{v}' does not exist; a CSV of 统一社会信用代码,企业名称 lines")
        return v
