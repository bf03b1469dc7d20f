"""Writing the server's log from outside, against a real ``kiosk queue serve``: every garbage request (no
login, a new connection each) wrote uvicorn's "Invalid HTTP request received." — 300 lines in 0.6 s from
one script here, gigabytes a day, until the disk of a hall's small server is full. The same held for any
line a client can cause (a throttled login, a refused stream). Now each kind of line (logger and message
template) is written at most 20 times a minute, the 20th saying that more are left out, and the first of
the next minute how many were; other kinds go on being written."""

from __future__ import annotations

import contextlib
import logging

from tests.queue.hostile import served


def test_a_client_cannot_flood_the_log(tmp_path):
    with served(tmp_path) as s:
        for i in range(300):
            sock = s.raw(f"127.0.0.{2 + i % 50}", b"\x16\x03\x01garbage\r\n\r\n")
            sock.settimeout(10)
            with contextlib.suppress(OSError):
                sock.recv(100)
            sock.close()
        with s.client() as c:  # the server itself is fine, and another kind of line is still written
            assert c.get("/healthz").status_code == 200
            for _ in range(7):
                c.post("/api/v1/auth/login", json={"username": "li", "password": "wrong-password"})
        log = s.log()
    assert log.count("Invalid HTTP request received.") == 20, log[-2000:]
    assert "more like this are not logged for the rest of the minute" in log
    assert "login throttled: account 'li'" in log


def test_the_minute_after_says_how_many_were_left_out():
    from kiosk.queue.logrepeat import RepeatFilter

    now = [0.0]
    f = RepeatFilter(limit=3, window_s=60, clock=lambda: now[0])

    def record(n: int) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, "bad request %d", (n,), None)

    shown = [r.getMessage() for r in map(record, range(10)) if f.filter(r)]
    assert shown[:2] == ["bad request 0", "bad request 1"] and len(shown) == 3 and "not logged" in shown[2]
    now[0] = 61
    later = record(99)
    assert f.filter(later) and later.getMessage() == "bad request 99 (7 more like this were not logged in the minute before)"
    other = logging.LogRecord("kiosk.queue", logging.WARNING, __file__, 1, "another kind", (), None)
    assert f.filter(other)
