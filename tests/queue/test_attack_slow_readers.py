"""Clients that ask and never read, against a real ``kiosk queue serve``: the deadlines covered a request's
head and body, not its answer. A connection that pipelined requests for the public ``/openapi.json``
(84 KB, no login needed) with a tiny receive window and never read stalled in the middle of an answer:
uvicorn's writing paused, no deadline ran, and it was neither idle nor silent, so it was never evicted.
40 of them filled a server capped at 40 connections and every newcomer was refused — still 35 s later,
and for as long as the sockets stayed open (2,000 from 20 addresses would do it to a production server).
Now a connection whose client has read nothing for a second makes room for a newcomer when the server is
full, and an answer that does not move for ``--answer-timeout`` is cut off (its own deadline: it reused
``--body-timeout`` before, which the run below sets far longer).
"""

from __future__ import annotations

import socket
import time

from tests.queue.hostile import served


def _slow_reader(s, address: str) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # a tiny window: the answers pile up at the server
    sock.bind((address, 0))
    sock.connect(("127.0.0.1", s.port))
    sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n" * 40)
    return sock


def _server_sockets(port: int) -> list[int]:
    """The server's established TCP connections (its side: local port ``port``), from /proc/net/tcp: the
    bytes each holds in its send queue (written by the server, not yet taken by the client)."""
    queued = []
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                queued.append(int(fields[4].split(":")[0], 16))
    return queued


def _open_connections(port: int) -> int:
    return len(_server_sockets(port))


def _wait_until_stuck(port: int, count: int, within_s: float = 60) -> None:
    """Until ``count`` connections hold an answer their client does not take (a loaded machine serves 40
    slow readers' first answers over seconds: a fixed delay let a newcomer in before they had stalled)."""
    deadline = time.monotonic() + within_s
    while sum(q > 0 for q in _server_sockets(port)) < count:
        assert time.monotonic() < deadline, _server_sockets(port)
        time.sleep(0.1)


def test_clients_that_never_read_cannot_fill_the_server(tmp_path):
    with served(tmp_path, "--max-connections", "40", "--max-connections-per-address", "20",
                "--answer-timeout", "8", "--body-timeout", "300") as s:
        readers = [_slow_reader(s, address) for address in ("127.0.0.2", "127.0.0.3") for _ in range(20)]
        try:
            _wait_until_stuck(s.port, 40)
            time.sleep(1.5)  # stalled for over a second: each may make room for a newcomer (before: none could)
            codes = []
            for _ in range(3):  # a newcomer from elsewhere is served, again and again
                with s.client("127.0.0.4", timeout=30) as c:
                    codes.append(c.get("/healthz").status_code)
            assert codes == [200, 200, 200]
            assert _open_connections(s.port) >= 30  # made room for, not waited out: the answer deadline is 8 s
            deadline = time.monotonic() + 60
            while _open_connections(s.port) and time.monotonic() < deadline:  # the stalled answers are cut off
                time.sleep(0.2)
            assert _open_connections(s.port) == 0
            assert "Traceback" not in s.log(), s.log()[-3000:]
        finally:
            for sock in readers:
                sock.close()


def test_hanging_up_on_pipelined_requests_writes_no_traceback(tmp_path):
    """A client that pipelined requests and hung up mid-answer: uvicorn marked only the newest request as
    gone, the answer being written raised on the closed socket and the log got a 40-line traceback — for
    each such connection, no login needed (4 of 5 here): a cheap way to flood the server's log."""
    with served(tmp_path) as s:
        for _ in range(5):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
            sock.connect(("127.0.0.1", s.port))
            sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n" * 40)
            time.sleep(0.3)
            sock.recv(100)
            sock.close()
        with s.client() as c:
            assert c.get("/healthz").status_code == 200
        time.sleep(1)  # the hung-up connections are wound down (a delay, not a bar)
        assert "Traceback" not in s.log(), s.log()[-3000:]
