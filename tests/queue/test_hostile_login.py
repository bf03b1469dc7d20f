"""Attacks on the login (issue 8, points 1 and 3), against a real ``kiosk queue serve`` process.

Point 1: wrong passwords slow the attacker down (by account and address together, and by address alone)
without locking the helper out on her own phone, and the answers never tell whether an account exists.
Point 3: password checks (argon2, ~19 MiB each) are bounded, so a storm of logins cannot take the
server's memory.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.queue.hostile import PASSWORD, served

ATTACKER, PHONE, OTHER = "127.0.0.2", "127.0.0.3", "127.0.0.4"


def _login(c, username: str, password: str = "wrong-password", **kw):
    return c.post("/api/v1/auth/login", json={"username": username, "password": password}, **kw)


def _shape(r) -> tuple:
    """What a caller can tell from an answer: status, code and message (times excepted)."""
    body = r.json()
    return r.status_code, body.get("code"), body.get("detail")


def test_1_wrong_passwords_slow_the_attacker_but_never_lock_the_helper_out(tmp_path):
    # waits start at 5 s (1 s by default): on a loaded machine the next try still lands inside the wait
    with served(tmp_path / "st", "--login-first-wait", "5") as s, s.client(ATTACKER) as attacker, s.client(PHONE) as phone:
        known = [_shape(_login(attacker, "li")) for _ in range(5)]
        # the sixth try in a row waits, even with the right password (the 429 itself is held back as long)
        held = _login(attacker, "li", PASSWORD)
        unknown = [_shape(_login(attacker, "nobody-here")) for _ in range(5)]
        held_unknown = _login(attacker, "nobody-here", PASSWORD)
        assert known == unknown and {k[0] for k in known} == {401}  # unknown users answer the same
        assert held.status_code == 429 and held.json()["code"] == "login_throttled"
        assert _shape(held) == _shape(held_unknown)
        assert int(held.headers["Retry-After"]) >= 1 and "token" not in held.text
        # the real helper on her own phone is not locked out
        ok = _login(phone, "li", PASSWORD)
        assert ok.status_code == 200 and ok.json()["user"]["username"] == "li"
        # the delays grow: after waiting one out, the next wrong try earns a longer one
        first = int(held.headers["Retry-After"])
        time.sleep(first + 0.2)
        assert _login(attacker, "li").status_code == 401
        again = _login(attacker, "li")
        assert again.status_code == 429 and int(again.headers["Retry-After"]) > first
        # an address trying many accounts runs out of its budget, whatever the names
        with s.client(OTHER) as other:
            tried = [_login(other, f"guess{i}").status_code for i in range(25)]
            assert tried[:15] == [401] * 15 and tried[-1] == 429
            assert _login(other, "li", PASSWORD).status_code == 429
            # the helper's phone, having logged in before (its device cookie), still gets in from that
            # address: the attacker cannot lock her out even from her own network
            phone_cookie = phone.cookies.get("kq_device")
            assert phone_cookie
            ok = _login(other, "li", PASSWORD, headers={"Cookie": f"kq_device={phone_cookie}"})
            assert ok.status_code == 200


@pytest.mark.slow
def test_3_a_login_storm_cannot_take_the_servers_memory(tmp_path):
    """60 logins at once from 60 addresses (so no throttle stops them): only a few argon2 checks (19 MiB
    each at production cost) run at a time; the rest wait their turn or are told to retry."""
    with served(tmp_path / "st") as s:
        with s.client() as c:  # warm up: one check at production cost
            assert _login(c, "warm-up-user").status_code == 401
        start = s.peak_rss_mb()

        def storm(i: int) -> int:
            with s.client(f"127.0.1.{i + 1}") as c:
                return _login(c, f"storm{i}").status_code

        with ThreadPoolExecutor(60) as pool:
            codes = list(pool.map(storm, range(60)))
        grew = s.peak_rss_mb() - start
        assert set(codes) <= {401, 503} and codes.count(401) >= 10, codes
        assert grew < 100, f"peak memory grew {grew:.0f} MB during the storm"
        with s.client() as c:
            assert c.get("/healthz").status_code == 200
