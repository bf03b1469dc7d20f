import json
import os
import stat

import pytest
from argon2 import PasswordHasher

from kiosk.terminal.manager_auth import ManagerAuth, pin_problem

# cheap parameters keep the test fast; verification reads them from the hash itself
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("246810")
WRONG = "135799"


class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self):
        return self.t


def test_right_pin_opens_and_wrong_pin_counts_down():
    auth = ManagerAuth(HASH, max_attempts=3, lockout_s=60, now=Clock())
    r = auth.check(WRONG)
    assert (r.ok, r.reason, r.attempts_left) == (False, "wrong", 2)
    r = auth.check("246810")
    assert r.ok and r.reason == "ok"
    assert auth.attempts_left() == 3  # success resets the count


def test_lockout_refuses_even_the_right_pin_until_it_runs_out():
    clock = Clock()
    auth = ManagerAuth(HASH, max_attempts=2, lockout_s=60, now=clock)
    auth.check(WRONG)
    r = auth.check(WRONG)
    assert (r.ok, r.reason, r.locked_for_s) == (False, "locked", 60)
    clock.t += 30
    r = auth.check("246810")
    assert not r.ok and r.reason == "locked" and r.locked_for_s == pytest.approx(30)
    clock.t += 31
    assert auth.check("246810").ok


def test_lockouts_in_a_row_double_until_a_right_pin():
    clock = Clock()
    auth = ManagerAuth(HASH, max_attempts=2, lockout_s=60, now=clock)
    periods = []
    for _ in range(4):
        auth.check(WRONG)
        r = auth.check(WRONG)
        assert r.reason == "locked"
        periods.append(r.locked_for_s)
        clock.t += r.locked_for_s + 1
    assert periods == [60, 120, 240, 480]
    assert auth.check("246810").ok  # a right PIN starts over at the base period
    auth.check(WRONG)
    assert auth.check(WRONG).locked_for_s == 60


def test_lockout_period_is_capped_at_a_day():
    auth = ManagerAuth(HASH, lockout_s=3600)
    assert auth.lockout_period(1) == 3600 and auth.lockout_period(30) == 86_400


def test_lockout_and_its_growth_survive_a_restart(tmp_path):
    clock = Clock()
    state = tmp_path / "auth.json"
    auth = ManagerAuth(HASH, max_attempts=2, lockout_s=100, state_file=state, now=clock)
    auth.check(WRONG)
    auth.check(WRONG)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    again = ManagerAuth(HASH, max_attempts=2, lockout_s=100, state_file=state, now=clock)
    assert again.check("246810").reason == "locked"
    clock.t += 101
    again.check(WRONG)
    assert again.check(WRONG).locked_for_s == 200  # the second lock-out in a row, after a restart


def test_an_attempt_is_recorded_before_the_pin_is_verified(tmp_path, monkeypatch):
    """Pulling the plug while argon2 runs must not give the attacker a free guess."""
    state = tmp_path / "auth.json"
    auth = ManagerAuth(HASH, max_attempts=5, state_file=state, now=Clock())
    seen = []

    def verify(pin):
        seen.append(json.loads(state.read_text())["failures"])
        raise SystemExit("power cut")

    monkeypatch.setattr(auth, "_verify", verify)
    with pytest.raises(SystemExit):
        auth.check(WRONG)
    assert seen == [1]
    assert ManagerAuth(HASH, max_attempts=5, state_file=state, now=Clock()).attempts_left() == 4


@pytest.mark.parametrize("content", ["not json", "{}", '{"failures": -3, "locked_until": 0}',
                                     '{"failures": 0, "locked_until": "NaN"}', "[1, 2]", ""])
def test_a_corrupt_state_file_fails_closed(tmp_path, content):
    clock = Clock()
    state = tmp_path / "auth.json"
    state.write_text(content)
    auth = ManagerAuth(HASH, 2, 100, state_file=state, now=clock)
    r = auth.check("246810")
    assert (r.ok, r.reason, r.locked_for_s) == (False, "locked", 100)
    assert json.loads(state.read_text())["locked_until"] == clock.t + 100  # rewritten as a lock-out
    clock.t += 101
    assert auth.check("246810").ok


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode (the next test covers "
                                             "an unreadable state by other means)")
def test_an_unreadable_state_file_fails_closed(tmp_path):
    state = tmp_path / "auth.json"
    state.write_text('{"failures": 0, "lockouts": 0, "locked_until": 0}')
    state.chmod(0)
    assert ManagerAuth(HASH, 2, 100, state_file=state, now=Clock()).check("246810").reason == "locked"


def test_an_unwritable_state_refuses_every_pin_without_checking_it(tmp_path, monkeypatch):
    clock = Clock()
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")  # reading and writing fail, even for root
    auth = ManagerAuth(HASH, max_attempts=2, lockout_s=60, state_file=blocker / "manager_auth.json", now=clock)
    monkeypatch.setattr(auth, "_verify", lambda pin: pytest.fail("a PIN was checked though it cannot be counted"))
    assert auth.check("246810").reason == "locked"  # unreadable state: a lock-out first
    clock.t += 61
    for pin in ("246810", WRONG, WRONG, WRONG):
        r = auth.check(pin)
        assert (r.ok, r.reason) == (False, "unavailable")
    assert auth.attempts_left() == 2  # nothing counted, nothing verified


def test_no_pin_configured_and_bad_input():
    assert ManagerAuth(None).check("246810").reason == "no_pin"
    auth = ManagerAuth(HASH, max_attempts=2, now=Clock())
    for bad in ("12a456", "1234", "12345", "1234567890123"):
        assert auth.check(bad).reason == "bad_input", bad
    assert auth.attempts_left() == 2  # malformed input does not count
    broken = ManagerAuth("$argon2id$broken", max_attempts=2, now=Clock())
    assert broken.check(WRONG).reason == "wrong"


def test_pin_rules():
    assert pin_problem("246810") is None and pin_problem("20261206") is None
    for weak in ("2468", "000000", "123456", "987654", "1234567890123", "24681a"):
        assert pin_problem(weak), weak
