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


def _open_connections(port: int) -> int:
    """The server's established TCP connections (its side: local port ``port``), from /proc/net/tcp."""
    count = 0
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            count += int(local.rsplit(":", 1)[1], 16) == port and state == "01"
    return count


def test_clients_that_never_read_cannot_fill_the_server(tmp_path):
    with served(tmp_path, "--max-connections", "40", "--max-connections-per-address", "20",
                "--answer-timeout", "3", "--body-timeout", "300") as s:
        readers = [_slow_reader(s, address) for address in ("127.0.0.2", "127.0.0.3") for _ in range(20)]
        try:
            time.sleep(2)  # their answers fill the buffers and stall (a delay, not a bar)
            codes = []
            for _ in range(3):  # a newcomer from elsewhere is served, again and again
                with s.client("127.0.0.4", timeout=30) as c:  # the answer deadline (3 s) plus a loaded machine
                    codes.append(c.get("/healthz").status_code)
            assert codes == [200, 200, 200]
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
