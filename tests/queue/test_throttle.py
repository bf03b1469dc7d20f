"""The login throttle's policy, driven by a hand-moved clock (the attack itself: test_hostile_login.py)."""

from __future__ import annotations

import pytest

from kiosk.queue.throttle import LoginThrottle, Throttled


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fail(t: LoginThrottle, name="li", address="10.0.0.1", device=None) -> int:
    """One try; 0 when it was looked at, else the seconds it was told to wait."""
    try:
        t.begin(name, address, device)
        return 0
    except Throttled as exc:
        return exc.extra["retry_after"]


def test_waits_double_up_to_fifteen_minutes_and_are_forgotten_after_an_hour():
    clock = Clock()
    t = LoginThrottle(b"k" * 32, clock=clock)
    assert [_fail(t) for _ in range(5)] == [0] * 5
    waits = []
    for _ in range(14):
        wait = _fail(t)
        waits.append(wait)
        clock.now += wait
        assert _fail(t) == 0  # the wait over, the next try is looked at (and fails)
    assert waits[:5] == [1, 2, 4, 8, 16] and max(waits) == 900
    clock.now += 3601
    assert [_fail(t) for _ in range(5)] == [0] * 5  # forgotten


def test_a_right_password_clears_its_pair_and_account_but_not_the_address():
    clock = Clock()
    t = LoginThrottle(b"k" * 32, clock=clock)
    for i in range(19):
        _fail(t, f"x{i}")
    _fail(t, "li")
    t.succeeded("li", "10.0.0.1")
    assert _fail(t, "someone") == 0 and _fail(t, "else") == 1  # the address's 20 failures remain


@pytest.mark.parametrize("tamper", ["", "x", "bGk.00", None])
def test_device_cookies_are_signed_named_and_dated(tamper):
    t = LoginThrottle(b"k" * 32)
    cookie = t.device_cookie("Li")
    assert t.device_of(cookie, "li") and t.device_of(cookie, "wang") is None
    assert t.device_of(cookie[:-1] + ("0" if cookie[-1] != "0" else "1"), "li") is None
    assert t.device_of(tamper, "li") is None
    assert LoginThrottle(b"other key" * 4).device_of(cookie, "li") is None
    old = t.device_cookie("li", now_s=0)
    assert t.device_of(old, "li") is None  # older than 90 days


def test_memory_is_bounded():
    t = LoginThrottle(b"k" * 32)
    t.policy.max_keys = 100
    for i in range(500):
        _fail(t, f"user{i}", f"10.0.{i // 250}.{i % 250}")
    assert len(t._counts) <= 100
