"""Cross-site request forgery from the same site (issue 8, point 7), against a real ``kiosk queue serve``:
a page on another port of the same host makes the manager's browser send its ``kq_session`` cookie
(SameSite does not tell ports apart); state-changing calls authenticated by that cookie must come from
the console's own origin. Bearer-token calls (kiosks, scripts) are not affected."""

from __future__ import annotations

import pytest

from tests.queue.hostile import PASSWORD, served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("csrf") / "st") as s:
        yield s


def _request(s) -> str:
    with s.client() as c:
        return c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).json()["id"]


def test_7_cookie_calls_from_another_origin_are_refused(server):
    s = server
    own = s.url
    evil = f"http://127.0.0.1:{s.port + 1}"
    with s.client() as browser:
        assert browser.post("/api/v1/auth/login", json={"username": "mgr", "password": PASSWORD},
                            headers={"Origin": own}).status_code == 200
        rid = _request(s)
        forged = [
            ("POST", f"/api/v1/requests/{rid}/claim", None, {"Origin": evil}),  # the hot path
            ("POST", f"/api/v1/requests/{rid}/cancel", {"reason": "other"}, {"Origin": evil}),
            ("POST", f"/api/v1/requests/{rid}/claim", None, {"Origin": evil, "Sec-Fetch-Site": "same-site"}),
            ("POST", f"/api/v1/requests/{rid}/claim", None, {"Sec-Fetch-Site": "same-site"}),
            ("POST", f"/api/v1/requests/{rid}/claim", None, {"Origin": "null"}),
            ("POST", f"/api/v1/requests/{rid}/claim", None, {"Referer": evil + "/page.html"}),
            ("POST", f"/api/v1/requests/{rid}/claim", None, {}),  # no origin at all: not a browser's fetch
            ("PUT", "/api/v1/me/duty", {"on_duty": False}, {"Origin": evil}),
            ("POST", "/api/v1/auth/logout", None, {"Origin": evil}),
        ]
        for method, path, body, headers in forged:
            r = browser.request(method, path, json=body, headers=headers)
            assert r.status_code == 403 and r.json()["code"] == "csrf", (method, path, headers, r.status_code)
        assert browser.get(f"/api/v1/requests/{rid}").json()["state"] == "waiting"  # nothing happened
        # the console itself: same origin (modern browsers also say so in Sec-Fetch-Site)
        r = browser.post(f"/api/v1/requests/{rid}/claim", headers={"Origin": own})
        assert r.status_code == 200 and r.json()["state"] == "claimed"
        r = browser.post(f"/api/v1/requests/{rid}/release", json={}, headers={"Sec-Fetch-Site": "same-origin"})
        assert r.status_code == 200
        r = browser.post(f"/api/v1/requests/{rid}/claim", headers={"Referer": own + "/console/"})
        assert r.status_code == 200
        # a login posted from another origin (login CSRF) is refused too
        r = browser.post("/api/v1/auth/login", json={"username": "li", "password": PASSWORD}, headers={"Origin": evil})
        assert r.status_code == 403
    # bearer tokens are not sent by browsers on their own: any origin may use them
    token = s.login("li")
    rid = _request(s)
    with s.client() as c:
        r = c.post(f"/api/v1/requests/{rid}/claim", headers={"Authorization": f"Bearer {token}", "Origin": evil})
        assert r.status_code == 200
        assert c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk() | {"Origin": evil}).status_code == 201
