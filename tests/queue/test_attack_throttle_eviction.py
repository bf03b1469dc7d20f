"""Evicting the evidence: the login throttle keeps at most ``max_keys`` counts (100,000 in production) and,
when full, dropped the least recently failed key — whatever it held. A guesser who had used up an
account's 50 failures (``acct|li`` waiting) then tried fresh names from other addresses (an IPv6 /48 has
65,536 /64s; each try is counted as it starts, so the 503s of a full password queue count too) until
``acct|li`` fell off the end, and guessed li's password with a clean slate, again and again. Now keys under
a penalty (as many failures as their allowance) outlive those that are not; the table stays bounded.

Driven at the :class:`LoginThrottle` itself with a small table: the real server's is 100,000 keys.
"""

from __future__ import annotations

from kiosk.queue.throttle import LoginThrottle, Throttled


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _looked_at(t: LoginThrottle, name: str, address: str) -> bool:
    try:
        t.begin(name, address)
        return True
    except Throttled:
        return False


def test_a_flood_of_fresh_names_does_not_wipe_an_accounts_failures():
    t = LoginThrottle(b"k" * 32, clock=Clock())
    t.policy.max_keys = 300
    for a in range(10):  # 5 guesses from each of 10 addresses: li's account has had its 50
        assert all(_looked_at(t, "li", f"10.1.0.{a}") for _ in range(5))
    assert not _looked_at(t, "li", "10.1.0.99")  # the account waits, from any address
    for a in range(40):  # then 800 tries with fresh names from 40 more addresses: 1,640 new keys
        for i in range(20):
            _looked_at(t, f"x{a}-{i}", f"10.2.{a}.1")
    assert len(t._counts) <= 300  # still bounded
    assert not _looked_at(t, "li", "10.3.0.1"), "li's failures were evicted: the guessing starts afresh"


def test_the_table_stays_bounded_when_every_key_is_under_a_penalty():
    t = LoginThrottle(b"k" * 32, clock=Clock())
    t.policy.max_keys = 50
    for a in range(200):  # each address's 5 tries on its own name: pair, address… all penalised in the end
        for _ in range(6):
            _looked_at(t, f"n{a}", f"10.4.{a}.1")
    assert len(t._counts) <= 50
