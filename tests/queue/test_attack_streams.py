"""Event-stream floods against a real ``kiosk queue serve``: one session (a stolen cookie, a script gone
wild) must not hold hundreds of the server's connections — before the cap, 600 streams of one helper's
session were all served (from 7 addresses, under the per-address cap), and 2,000 would have filled the
server's connection cap, shutting every other console out. Revocation closes them all."""

from __future__ import annotations

import socket
import time

import pytest

from tests.queue.hostile import served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-streams") / "st") as s:
        yield s


def _open(s, token: str, address: str) -> socket.socket:
    return s.raw(address, f"GET /api/v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())


def _status(sock: socket.socket) -> int:
    sock.settimeout(20)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return 0
        data += chunk
    return int(data.split(b" ", 2)[1])


def _addresses(n: int):
    return [f"127.0.{40 + i // 50}.{2 + i % 50}" for i in range(n)]


def test_one_session_cannot_flood_the_server_with_streams(server):
    s = server
    token = s.login("li")
    socks = [_open(s, token, a) for a in _addresses(60)]  # spread out: the per-address cap is not what stops it
    try:
        codes = [_status(x) for x in socks]
        assert 1 <= codes.count(200) <= 8, codes
        assert set(codes) <= {200, 429}, codes
        with s.client() as c:  # the 429 says why, with Retry-After
            r = c.get("/api/v1/events/stream", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 429 and r.json()["code"] == "too_many_streams" and r.headers["Retry-After"]
            # another helper still gets her stream
            other = s.login("wang")
            with c.stream("GET", "/api/v1/events/stream", headers={"Authorization": f"Bearer {other}"}) as st:
                assert st.status_code == 200
    finally:
        for x in socks:
            x.close()
    # closed streams give their places back (the server notices the closed sockets)
    deadline = time.monotonic() + 30
    while True:
        sock = _open(s, token, "127.0.0.9")
        code = _status(sock)
        sock.close()
        if code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert code == 200


def test_one_user_cannot_multiply_streams_by_logging_in_again(server):
    s = server
    tokens = [s.login("zhao", address=f"127.0.50.{i + 2}") for i in range(6)]
    socks = [_open(s, t, a) for t in tokens for a in _addresses(8)[:8]]
    try:
        codes = [_status(x) for x in socks]
        assert codes.count(200) <= 24, codes.count(200)
        assert set(codes) <= {200, 429}, codes
    finally:
        for x in socks:
            x.close()
