"""Webhook URLs as a way into the server's network (SSRF), against a real ``kiosk queue serve``: the cloud's
metadata service in any spelling is refused when the webhook is added, a webhook whose host turns out to
be such an address is never sent to, and a password in the URL is not shown back. Before the fix all of
these URLs were accepted and a manager's view showed ``user:password@`` in full."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.queue.hostile import served

FORBIDDEN = ["http://169.254.169.254/latest/meta-data/", "http://0xa9fea9fe/", "http://2852039166/",
             "http://169.254.43518/", "http://[::ffff:169.254.169.254]/", "http://[fe80::1]/",
             "http://100.100.100.200/latest/meta-data/", "http://0.0.0.0:8600/", "http://[::]/",
             "http://224.0.0.1/", "http://255.255.255.255/", "https://240.0.0.1/"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-webhooks") / "st") as s:
        yield s


def _mgr(s) -> dict:
    return {"Authorization": f"Bearer {s.login('mgr')}"}


@pytest.mark.parametrize("url", FORBIDDEN)
def test_metadata_and_non_host_addresses_are_refused(server, url):
    with server.client() as c:
        r = c.post("/api/v1/webhooks", json={"site_code": "T1", "kind": "json", "url": url}, headers=_mgr(server))
        assert r.status_code == 422 and r.json()["code"] == "webhook_invalid", (url, r.status_code, r.text)


def test_the_halls_own_network_is_still_allowed_and_passwords_are_not_shown(server):
    s = server
    with s.client() as c:
        for url in ("http://192.168.1.20:8080/hook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123456"):
            r = c.post("/api/v1/webhooks", json={"site_code": "T1", "kind": "json", "url": url}, headers=_mgr(s))
            assert r.status_code == 201, r.text
        r = c.post("/api/v1/webhooks", json={"site_code": "T1", "kind": "json",
                                             "url": "http://robot:s3cretpw@192.168.1.21/hook"}, headers=_mgr(s))
        assert r.status_code == 201 and "s3cretpw" not in r.text, r.text
        listed = c.get("/api/v1/webhooks", headers=_mgr(s))
        assert "s3cretpw" not in listed.text and "abcdef12" not in listed.text
        for hook in listed.json():
            assert c.delete(f"/api/v1/webhooks/{hook['id']}", headers=_mgr(s)).status_code == 204


def test_a_stored_url_pointing_at_the_metadata_service_is_never_sent_to(server):
    s = server
    with s.client() as c:
        r = c.post("/api/v1/webhooks", json={"site_code": "T1", "kind": "json", "url": "http://192.168.1.30/x"},
                   headers=_mgr(s))
        hook = r.json()["id"]
        # as if stored by an older server, or a name that now resolves there: the sender checks every time
        with sqlite3.connect(s.state_dir / "queue.sqlite3") as db:
            db.execute("UPDATE webhooks SET url = ? WHERE id = ?", ("http://0xa9fea9fe:9/latest", hook))
        assert c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).status_code == 201
        deadline = time.monotonic() + 60
        while True:
            view = next(h for h in c.get("/api/v1/webhooks", headers=_mgr(s)).json() if h["id"] == hook)
            if view["last_error"] or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert view["last_error"] and "blocked" in view["last_error"], view
        assert view["sent"] == 0


def test_an_internal_pages_answer_is_not_readable_through_last_error(server):
    """The URL may point into the hall's network; what a non-robot host answers must not come back."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = 500 if self.path == "/error" else 200
            body = b"<html>TOPSECRET internal admin: db password hunter2</html>"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    page = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    s = server
    try:
        with s.client() as c:
            base = f"http://127.0.0.1:{page.server_port}"
            hooks = [c.post("/api/v1/webhooks", json={"site_code": "T1", "kind": kind, "url": base + path},
                            headers=_mgr(s)).json()["id"] for kind, path in (("json", "/error"), ("wecom", "/page"))]
            assert c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).status_code == 201
            deadline = time.monotonic() + 60
            while True:
                views = [h for h in c.get("/api/v1/webhooks", headers=_mgr(s)).json() if h["id"] in hooks]
                if all(v["last_error"] for v in views) or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            assert all(v["last_error"] for v in views), views
            assert not any("TOPSECRET" in v["last_error"] or "hunter2" in v["last_error"] for v in views), views
            assert "TOPSECRET" not in s.log()
            for h in hooks:
                c.delete(f"/api/v1/webhooks/{h}", headers=_mgr(s))
    finally:
        page.shutdown()
