"""Sessions and kiosks that can be revoked (issue 8, point 5), against a real ``kiosk queue serve`` process:
an open event stream ends at logout; a password reset or a disabled account ends every session of that
user at once; kiosks and accounts can be disabled and enabled with ``kiosk queue …``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from tests.queue.hostile import PASSWORD, served

WAIT_S = 20  # sessions are re-checked every few seconds; generous on a loaded machine


def queue_cli(state_dir, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "queue", *args, "--state-dir", str(state_dir)],
                          input=stdin, capture_output=True, text=True, timeout=120, env=dict(os.environ))


class Stream:
    """An open event stream in a thread; ``ended`` is set when the server closes it."""

    def __init__(self, s, token: str):
        self.ended, self.opened, self.lines = threading.Event(), threading.Event(), []
        self._thread = threading.Thread(target=self._run, args=(s, token), daemon=True)
        self._thread.start()
        assert self.opened.wait(15), "the stream did not open"

    def _run(self, s, token: str) -> None:
        try:
            with s.client(timeout=60) as c, c.stream("GET", "/api/v1/events/stream",
                                                      headers={"Authorization": f"Bearer {token}"}) as r:
                assert r.status_code == 200
                self.opened.set()
                for line in r.iter_lines():
                    self.lines.append(line)
        except Exception as exc:  # noqa: BLE001 - a read timeout means the stream stayed open
            self.lines.append(repr(exc))
        finally:
            self.opened.set()
            self.ended.set()


def _status(s, token: str) -> int:
    with s.client() as c:
        return c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _until(predicate, timeout: float = WAIT_S) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_5_sessions_streams_users_and_kiosks_can_be_revoked(tmp_path):
    with served(tmp_path / "st") as s:
        # logout ends the stream opened with that session
        token = s.login("li")
        stream = Stream(s, token)
        with s.client() as c:
            assert c.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert stream.ended.wait(WAIT_S), "the stream outlived its session"
        # a password reset ends every session of the user at once, open streams included
        phone, desk = s.login("li", "127.0.0.2"), s.login("li", "127.0.0.3")
        stream = Stream(s, desk)
        reset = queue_cli(s.state_dir, "add-user", "--username", "li", "--role", "helper", "--sites", "T1",
                          "--update", stdin="a new password 2\n")
        assert reset.returncode == 0, reset.stderr
        assert _until(lambda: _status(s, phone) == 401 and _status(s, desk) == 401)
        assert stream.ended.wait(WAIT_S)
        with s.client() as c:
            assert c.post("/api/v1/auth/login", json={"username": "li", "password": "a new password 2"}).status_code == 200
        # disabling a user: sessions end, logins answer as for a wrong password; enabling lets them back
        wang = s.login("wang")
        stream = Stream(s, wang)
        off = queue_cli(s.state_dir, "disable-user", "--username", "wang")
        assert off.returncode == 0 and "disabled" in off.stderr, off.stderr
        assert _until(lambda: _status(s, wang) == 401) and stream.ended.wait(WAIT_S)
        with s.client("127.0.0.5") as c:
            r = c.post("/api/v1/auth/login", json={"username": "wang", "password": PASSWORD})
            assert r.status_code == 401 and r.json()["code"] == "bad_login"
        assert queue_cli(s.state_dir, "enable-user", "--username", "wang").returncode == 0
        assert _status(s, wang) == 401  # the old session stays ended
        s.login("wang", "127.0.0.6")
        # disabling a kiosk: its token stops working; enabling restores it
        assert queue_cli(s.state_dir, "disable-kiosk", "--kiosk-id", "k1").returncode == 0
        with s.client() as c:
            assert _until(lambda: c.post("/api/v1/requests", json=s.request_body(),
                                         headers=s.kiosk()).status_code == 401)
        assert queue_cli(s.state_dir, "enable-kiosk", "--kiosk-id", "k1").returncode == 0
        with s.client() as c:
            assert _until(lambda: c.post("/api/v1/requests", json=s.request_body(),
                                         headers=s.kiosk()).status_code == 201)
        unknown = queue_cli(s.state_dir, "disable-user", "--username", "nobody")
        assert unknown.returncode == 2 and "no user 'nobody'" in unknown.stderr
