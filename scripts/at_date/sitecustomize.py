"""Loaded by every Python process whose PYTHONPATH starts with this folder (``scripts/at-date.sh``): when
AT_DATE_EPOCH is set, the wall clock (time.time, datetime.now, date.today, time.localtime...) reads that
moment plus the time since the first such process started, through time-machine. Monotonic clocks, sleeps
and timeouts stay real; PostgreSQL and Chromium (not Python) keep the real date.

libfaketime is not used: its 0.9.10 (Debian 12) makes Python 3.11's time.sleep fail with EINVAL (the
CLOCK_MONOTONIC deadline of clock_nanosleep is shifted by the fake offset) unless monotonic time is faked
too, and then Event.wait / Lock.acquire(timeout=) wait for ever."""

import os

_at = os.environ.get("AT_DATE_EPOCH")
if _at:
    import time as _time

    import time_machine as _time_machine

    # One origin for all processes (pytest, its xdist workers, the servers and CLIs the tests start), so
    # they agree on "now" to the millisecond.
    _origin = float(os.environ.setdefault("AT_DATE_ORIGIN", repr(_time.time())))
    _time_machine.travel(float(_at) + (_time.time() - _origin), tick=True).start()
    # time-machine starts its tick at the first read: read now, or a process that reads late (a server
    # after its imports) would run behind the others by that delay
    _time.time()
