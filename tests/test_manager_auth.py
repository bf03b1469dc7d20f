import pytest
from argon2 import PasswordHasher

from kiosk.terminal.manager_auth import ManagerAuth

# cheap parameters keep the test fast; verification reads them from the hash itself
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("246810")


class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self):
        return self.t


def test_right_pin_opens_and_wrong_pin_counts_down():
    auth = ManagerAuth(HASH, max_attempts=3, lockout_s=60, now=Clock())
    r = auth.check("111111")
    assert (r.ok, r.reason, r.attempts_left) == (False, "wrong", 2)
    r = auth.check("246810")
    assert r.ok and r.reason == "ok"
    assert auth.attempts_left() == 3  # success resets the count


def test_lockout_refuses_even_the_right_pin_until_it_runs_out():
    clock = Clock()
    auth = ManagerAuth(HASH, max_attempts=2, lockout_s=60, now=clock)
    auth.check("0000")
    r = auth.check("0000")
    assert (r.ok, r.reason, r.locked_for_s) == (False, "locked", 60)
    clock.t += 30
    r = auth.check("246810")
    assert not r.ok and r.reason == "locked" and r.locked_for_s == pytest.approx(30)
    clock.t += 31
    assert auth.check("246810").ok


def test_lockout_survives_a_restart(tmp_path):
    clock = Clock()
    state = tmp_path / "auth.json"
    auth = ManagerAuth(HASH, max_attempts=2, lockout_s=100, state_file=state, now=clock)
    auth.check("1234")
    auth.check("1234")
    again = ManagerAuth(HASH, max_attempts=2, lockout_s=100, state_file=state, now=clock)
    assert again.check("246810").reason == "locked"
    state.write_text("not json")
    assert ManagerAuth(HASH, 2, 100, state_file=state, now=clock).check("246810").ok


def test_no_pin_configured_and_bad_input():
    assert ManagerAuth(None).check("1234").reason == "no_pin"
    auth = ManagerAuth(HASH, max_attempts=2, now=Clock())
    assert auth.check("12a4").reason == "bad_input"
    assert auth.attempts_left() == 2  # malformed input does not count
    broken = ManagerAuth("$argon2id$broken", max_attempts=2, now=Clock())
    assert broken.check("1234").reason == "wrong"
