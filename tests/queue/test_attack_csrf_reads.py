"""Cross-origin reads that write, against a real ``kiosk queue serve``: a page on another port of the same
host (the same *site*, so the SameSite=Strict cookie goes along) embeds ``<img src=".../cases/export.xlsx">``
or ``.../identity``: each load wrote an audit entry on the tamper-evident ledger (``ledger.exported``,
``request.identity_viewed``) in the manager's or helper's name. Cookie reads from another origin are now
refused; the console's own reads, typed URLs and bearer-token scripts are not affected."""

from __future__ import annotations

import pytest

from tests.queue.hostile import PASSWORD, served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-csrf-reads") / "st") as s:
        yield s


def test_cookie_reads_from_another_origin_are_refused(server):
    s = server
    own, evil = s.url, f"http://127.0.0.1:{s.port + 1}"
    with s.client() as browser:
        assert browser.post("/api/v1/auth/login", json={"username": "mgr", "password": PASSWORD},
                            headers={"Origin": own}).status_code == 200
        forged = [{"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "cross-site"}, {"Referer": evil + "/x.html"},
                  {"Origin": evil}]
        for path in ("/api/v1/cases/export.xlsx", "/api/v1/me", "/api/v1/requests", "/api/v1/events/stream"):
            for headers in forged:
                r = browser.get(path, headers=headers)
                assert r.status_code == 403 and r.json()["code"] == "csrf", (path, headers, r.status_code)
        # the console's own reads, a typed URL (no Referer), a link followed on the console
        for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {}, {"Referer": own + "/console/"}):
            r = browser.get("/api/v1/cases/export.xlsx", headers=headers)
            assert r.status_code == 200, (headers, r.status_code)
    # a bearer token is never sent by a browser on its own: no check
    token = s.login("mgr")
    with s.client() as c:
        r = c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}", "Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 200
