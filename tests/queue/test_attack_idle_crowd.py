"""Filling the server with connections that do nothing, against a real ``kiosk queue serve``: before the
fix, 2,000 kept-alive idle connections from 20 addresses (each under the per-address cap) filled the
server's connection cap and every new client was cut off for the 75 s keep-alive. Now a newcomer takes an
idle connection's place, and the per-address cap counts an IPv6 client's whole /64."""

from __future__ import annotations

import contextlib
import socket
import time

import pytest

from kiosk.queue.connguard import address_key
from tests.queue.hostile import served

CAP = 40


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-idle") / "st", "--max-connections", str(CAP),
                "--max-connections-per-address", "10") as s:
        yield s


def _connect(s, address: str, head: bytes) -> socket.socket:
    return s.raw(address, head)


def _fresh_client_is_served(s) -> bool:
    with s.client("127.0.0.1", timeout=15) as c:
        try:
            return c.get("/healthz").status_code == 200
        except Exception:  # noqa: BLE001 - cut off
            return False


def _crowd(s, head: bytes) -> list[socket.socket]:
    socks = [_connect(s, f"127.0.{70 + i // 10}.2", head) for i in range(CAP + 5)]
    if head:  # wait for the answers: the connections are now idle and kept alive
        for x in socks:
            x.settimeout(5)
            with contextlib.suppress(OSError):
                x.recv(4096)
    time.sleep(1.5)  # silent ones count as silent after a second
    return socks


@pytest.mark.parametrize("head", [b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b""], ids=["kept-alive", "silent"])
def test_connections_doing_nothing_never_keep_a_real_client_out(server, head):
    socks = _crowd(server, head)
    try:
        assert _fresh_client_is_served(server)
        assert _fresh_client_is_served(server)
    finally:
        for x in socks:
            x.close()


def test_a_busy_request_is_not_taken_for_idle(server):
    s = server
    token = s.login("li")
    with s.client("127.0.0.5") as c, c.stream("GET", "/api/v1/events/stream",
                                             headers={"Authorization": f"Bearer {token}"}) as st:
        assert st.status_code == 200
        socks = _crowd(s, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            assert _fresh_client_is_served(s)
            lines = st.iter_lines()
            assert next(lines).startswith(("event:", ":", "id:"))  # the console's stream is still open
        finally:
            for x in socks:
                x.close()


def test_ipv6_clients_are_counted_by_their_64():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("127.0.0.1") == "127.0.0.1" and address_key("::ffff:10.0.0.1") == "::ffff:10.0.0.1"


def test_login_waits_count_an_ipv6_client_by_its_64():
    from kiosk.queue.throttle import LoginThrottle, Throttled

    t = LoginThrottle(b"k" * 32, clock=lambda: 1000.0)
    for i in range(20):  # the address's free failures, each from another address of the same /64
        t.begin(f"user{i}", f"2001:db8:1:2::{i + 1:x}")
    with pytest.raises(Throttled):
        t.begin("someone", "2001:db8:1:2::ffff")
    t.begin("someone", "2001:db8:1:3::1")  # another network is not affected
