"""Slow clients (issue 8, point 10), against a real ``kiosk queue serve`` process: 1,000 half-sent requests,
idle sockets and a trickled body are cut off after the header / body deadlines; one address cannot hold
more than its share of the server's connections; real callers are served meanwhile."""

from __future__ import annotations

import socket
import time

import pytest

from tests.queue.hostile import served

HEADER_S, BODY_S = 2, 3
ANSWERS: dict[int, bytes] = {}  # what each socket received before it was closed


def _open(url: str, address: str, first: bytes) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.bind((address, 0))
    sock.connect((host, int(port)))
    if first:
        sock.sendall(first)
    return sock


def _closed(sock: socket.socket) -> bool:
    """True once the server closed (EOF or reset); the answer it sent first, if any, is read and dropped."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
            ANSWERS[sock.fileno()] = ANSWERS.get(sock.fileno(), b"") + data
    except BlockingIOError:
        return False
    except OSError:
        return True


def _wait_all_closed(socks: list[socket.socket], timeout: float) -> int:
    end = time.monotonic() + timeout
    open_ = list(socks)
    while open_ and time.monotonic() < end:
        open_ = [s for s in open_ if not _closed(s)]
        time.sleep(0.1)
    return len(open_)


@pytest.mark.slow
def test_10_slow_clients_are_cut_off_and_cannot_hold_the_servers_sockets(tmp_path):
    args = ("--header-timeout", str(HEADER_S), "--body-timeout", str(BODY_S), "--max-connections-per-address", "60")
    with served(tmp_path / "st", *args) as s:
        with s.client("127.0.2.50") as c:  # warm up: the database's connections open once
            assert c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).status_code == 201
        base_fds = s.open_fds()
        half = b"POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer kqk_"
        socks = []
        try:
            for i in range(1000):  # 20 addresses x 50 half-sent requests
                socks.append(_open(s.url, f"127.0.2.{i % 20 + 1}", half))
            idle = [_open(s.url, "127.0.2.30", b"") for _ in range(10)]  # connect and say nothing
            body = b"POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            trickle = _open(s.url, "127.0.2.31", body + f"Authorization: Bearer {s.kiosk_tokens['k1']}\r\n"
                            "Content-Length: 1000\r\n\r\n{".encode())
            greedy = [_open(s.url, "127.0.2.40", half) for _ in range(100)]  # more than one address may hold
            # real callers are served while all that is open
            with s.client("127.0.2.50") as c:
                assert c.get("/healthz").status_code == 200
                assert c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).status_code == 201
            # 60 stay (until their deadline: then a 408), 40 are refused at once without a word
            assert _wait_all_closed(greedy, HEADER_S + 20) == 0
            refused = sum(1 for g in greedy if not ANSWERS.get(g.fileno(), b"").startswith(b"HTTP/1.1 408"))
            assert refused >= 40 and len(greedy) - refused >= 50, refused
            assert _wait_all_closed(socks + idle + greedy, HEADER_S + 20) == 0
            assert _wait_all_closed([trickle], BODY_S + 20) == 0
            end = time.monotonic() + 20
            while s.open_fds() > base_fds + 5 and time.monotonic() < end:
                time.sleep(0.2)
            assert s.open_fds() <= base_fds + 5
        finally:
            for sock in socks:
                sock.close()
        # a keep-alive connection that starts a second request and stalls is cut off too
        keep = _open(s.url, "127.0.2.60", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)
        keep.settimeout(10)
        assert b"200 OK" in keep.recv(65536)
        keep.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        assert _wait_all_closed([keep], HEADER_S + 20) == 0
