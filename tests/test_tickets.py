"""Ticket numbers: per-kiosk prefix, durable daily counter, local midnight, several processes."""

import subprocess
import sys
import time
from datetime import datetime

import pytest

from kiosk.visit.tickets import LOCAL_TZ, TicketIssuer, TicketPrefixError, letters_for, prefix_for_kiosk


class Clock:
    def __init__(self, when: datetime):
        self.t = when.timestamp()

    def __call__(self) -> float:
        return self.t


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_prefix_rule():
    assert [letters_for(n) for n in (1, 2, 8, 9, 24, 25, 26, 600)] == ["A", "B", "H", "J", "Z", "AA", "AB", "ZZ"]
    assert all(c not in "IO" for n in range(1, 700) for c in letters_for(n))
    assert len({letters_for(n) for n in range(1, 700)}) == 699  # one prefix per kiosk number
    assert prefix_for_kiosk("zd-qj-01") == "A" and prefix_for_kiosk("zd-qj-12") == "M"
    for bad in ("zd-qj", "kiosk-00", "01x"):
        with pytest.raises(TicketPrefixError, match="must end in the machine's number"):
            prefix_for_kiosk(bad)


def test_numbers_count_up_and_two_kiosks_of_a_site_never_collide(tmp_path):
    clock = Clock(local(2026, 3, 2, 9, 0))
    a = TicketIssuer(tmp_path / "k1", "421303", "zd-qj-01", clock=clock)
    b = TicketIssuer(tmp_path / "k2", "421303", "zd-qj-02", clock=clock)
    ta = [a.issue() for _ in range(5)]
    tb = [b.issue() for _ in range(5)]
    assert [t.number for t in ta] == ["A001", "A002", "A003", "A004", "A005"]
    assert [t.number for t in tb] == ["B001", "B002", "B003", "B004", "B005"]
    assert not {t.number for t in ta} & {t.number for t in tb}
    assert ta[0].ticket_id == "421303-20260302-A001"
    assert ta[0].issued_at.tzinfo is not None and ta[0].day.isoformat() == "2026-03-02"
    assert a.issued_today() == 5


def test_survives_restart_and_a_killed_process(tmp_path):
    clock = Clock(local(2026, 3, 2, 9, 0))
    first = TicketIssuer(tmp_path, "421303", "zd-01", clock=clock)
    assert first.issue().number == "A001"
    first.close()
    # another process takes numbers, then dies without closing anything
    code = ("import os, sys; from kiosk.visit.tickets import TicketIssuer;"
            f"i = TicketIssuer(sys.argv[1], '421303', 'zd-01', clock=lambda: {clock.t});"
            "print(i.issue().number, i.issue().number, flush=True); os._exit(9)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 9 and out.stdout.split() == ["A002", "A003"]
    again = TicketIssuer(tmp_path, "421303", "zd-01", clock=clock)
    assert again.issue().number == "A004"


def test_local_midnight_rollover(tmp_path):
    clock = Clock(local(2026, 3, 2, 23, 59, 59))
    issuer = TicketIssuer(tmp_path, "421303", "zd-01", clock=clock)
    assert issuer.issue().number == "A001"
    assert issuer.issue().number == "A002"
    clock.t += 1  # 00:00:00 in Shanghai (16:00 UTC): a new day
    t = issuer.issue()
    assert t.number == "A001" and t.day.isoformat() == "2026-03-03"
    assert t.ticket_id == "421303-20260303-A001"
    # UTC midnight is not the day's end here: 07:59 next morning local is still 2026-03-03
    clock.t = local(2026, 3, 3, 7, 59).timestamp()
    assert issuer.issue().number == "A002"
    assert issuer.prune(keep_days=0) == 1  # yesterday's counter goes


def test_more_than_999_a_day(tmp_path):
    issuer = TicketIssuer(tmp_path, "421303", "zd-01", clock=Clock(local(2026, 3, 2, 9)))
    issuer._db.execute("INSERT INTO counters VALUES ('2026-03-02', 'A', 999)")
    assert issuer.issue().number == "A1000"


def test_processes_opening_one_new_file_at_the_same_moment_never_crash_or_double(tmp_path):
    """A kiosk, its manager command and a restart can open the file together: opening waits, never fails."""
    start = time.time() + 1.0  # every process opens the new file at this moment
    code = ("import sys, time; from kiosk.visit.tickets import TicketIssuer;"
            f"time.sleep(max(0, {start} - time.time()));"
            "i = TicketIssuer(sys.argv[1], '421303', 'zd-01');"
            "print(' '.join(i.issue().number for _ in range(50)))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    results = [(p.communicate(timeout=120), p.returncode) for p in procs]
    assert [code for _, code in results] == [0] * 6, [err for (_, err), _ in results]
    numbers = [n for (out, _), _ in results for n in out.split()]
    assert len(numbers) == 300 and len(set(numbers)) == 300


def test_explicit_prefix_is_checked(tmp_path):
    assert TicketIssuer(tmp_path, "421303", "anything", prefix="Q").issue().number == "Q001"
    with pytest.raises(TicketPrefixError, match="1-3 capital letters"):
        TicketIssuer(tmp_path, "421303", "anything", prefix="q1")


def test_offline_needs_no_network(tmp_path, monkeypatch):
    import socket

    def no_network(*_args, **_kwargs):
        raise OSError("network is down")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    issuer = TicketIssuer(tmp_path, "421303", "zd-qj-03", clock=Clock(local(2026, 3, 2, 9)))
    assert [issuer.issue().number for _ in range(3)] == ["C001", "C002", "C003"]
