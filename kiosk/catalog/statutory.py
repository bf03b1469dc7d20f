"""The statutory public holidays (法定节假日) of 《全国年节及纪念日放假办法》 (as revised in 2024, in force
from 2025), computed for any year 1901–2099: what a year's days off are at least, before the State
Council's notice for that year (国务院办公厅关于部分节假日安排的通知) is known.

元旦 1 January; 春节 农历除夕 and 正月初一 to 初三; 清明 the 清明 solar term; 劳动节 1–2 May; 端午 农历五月初五;
中秋 农历八月十五; 国庆 1–3 October: 13 days. The notice adds the bridging days and the weekend days worked
instead (调休); those cannot be computed, so a year counted with these days only is an estimate.
Lunar dates come from ``lunardate`` (pure Python), the solar term from chinese-calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunardate import LunarDate


@lru_cache(maxsize=16)
def statutory_days_off(year: int) -> frozenset[date]:
    """The 13 statutory days off of ``year`` (some may fall on a weekend; they are off either way)."""
    from chinese_calendar import get_solar_terms  # noqa: PLC0415

    new_year = LunarDate(year, 1, 1).to_solar_date()  # 正月初一, always in late January or February
    qingming = next(d for d, name in get_solar_terms(date(year, 4, 1), date(year, 4, 10)) if name == "清明")
    days = {date(year, 1, 1), qingming, date(year, 5, 1), date(year, 5, 2),
            LunarDate(year, 5, 5).to_solar_date(), LunarDate(year, 8, 15).to_solar_date(),
            date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)}
    days.update(new_year + timedelta(days=n) for n in range(-1, 3))  # 除夕 and 初一 to 初三
    return frozenset(days)
