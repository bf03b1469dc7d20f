"""A stolen or forgotten session, against a real ``kiosk queue serve``: the helper must be able to end it
herself, not wait for an administrator's ``disable-user``. ``POST /api/v1/auth/logout?everywhere=true``
ends every session of the caller: the other sessions' calls fail and their event streams close."""

from __future__ import annotations

import time

import pytest

from tests.queue.hostile import served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-logout") / "st") as s:
        yield s


def test_logout_everywhere_ends_the_other_sessions_and_their_streams(server):
    s = server
    mine, stolen, other = s.login("li"), s.login("li", address="127.0.0.7"), s.login("wang")
    with s.client("127.0.0.7", timeout=30) as thief:
        with thief.stream("GET", "/api/v1/events/stream", headers={"Authorization": f"Bearer {stolen}"}) as st:
            assert st.status_code == 200
            with s.client() as c:
                r = c.post("/api/v1/auth/logout", params={"everywhere": "true"}, headers={"Authorization": f"Bearer {mine}"})
                assert r.status_code == 200
            started = time.monotonic()
            for _ in st.iter_bytes():  # the stream ends (the keeper re-checks every 5 s)
                assert time.monotonic() - started < 25
        deadline = time.monotonic() + 20
        while thief.get("/api/v1/me", headers={"Authorization": f"Bearer {stolen}"}).status_code != 401:
            assert time.monotonic() < deadline, "the stolen session still works"
            time.sleep(0.5)
    with s.client() as c:
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {mine}"}).status_code == 401
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200  # only hers
        # a plain logout still ends only its own session
        a, b = s.login("wang"), s.login("wang")
        assert c.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {a}"}).status_code == 200
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {b}"}).status_code == 200
