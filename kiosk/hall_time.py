"""The hall's clock: Beijing time, whatever zone the machine runs in (many kiosk and server images are left
at UTC, where 09:00 in the hall reads 01:00 and a card that expired yesterday still reads as valid until
08:00). One zone for the ticket counter's day, the kiosk's opening hours and ages, a card's expiry, the
server's days and the slips' times."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

try:
    from zoneinfo import ZoneInfo

    HALL_TZ: tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # no tz database: China has kept UTC+8 without DST since 1991
    HALL_TZ = timezone(timedelta(hours=8), "CST")


def hall_now() -> datetime:
    """Now in the hall (aware)."""
    return datetime.now(HALL_TZ)


def hall_today() -> date:
    """Today in the hall."""
    return hall_now().date()
