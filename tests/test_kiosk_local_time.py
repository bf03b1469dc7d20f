"""The kiosk's wall clock (opening hours, ages, the after-hours screen) is the hall's time, Beijing time,
whatever time zone the kiosk's operating system was installed with: many images ship in UTC, where 09:00
in the hall is 01:00 and the kiosk would say 已下班 all morning. The ticket counter already rolls over at
Beijing midnight (kiosk.visit.tickets.LOCAL_TZ); both must agree."""

import time
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.terminal.access import local_now

BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Shanghai"])
def test_the_kiosk_clock_is_beijing_time_whatever_the_machine_zone(monkeypatch, zone):
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        before = datetime.now(BEIJING).replace(tzinfo=None)
        now = local_now()
        after = datetime.now(BEIJING).replace(tzinfo=None)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert now.tzinfo is None  # naive, as the hours and ages compare it
    assert before <= now <= after, (zone, before, now, after)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Shanghai"])
def test_a_cards_expiry_and_a_birth_date_are_judged_on_the_halls_day(monkeypatch, zone):
    """``date.today()`` is the machine's zone: on a UTC image, from 00:00 to 08:00 in the hall a card that
    expired the day before still read as valid. The card, the ID number check and the config's holiday
    advice take the hall's day."""
    from kiosk.devices.idcard.idnumber import hall_today

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        before, day, after = datetime.now(BEIJING).date(), hall_today(), datetime.now(BEIJING).date()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert day in (before, after), (zone, before, day, after)
