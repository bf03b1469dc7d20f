"""A stolen kiosk token used to flood the queue, against a real ``kiosk queue serve``: before the budget, one
kiosk created 300 requests in half a second (every helper's queue buried, the database growing at the
server's full speed). Now a kiosk's writes beyond its budget a minute answer 429 with ``Retry-After``
(which the kiosk's outbox honours); other kiosks and the helpers are not affected."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.queue.hostile import served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-flood") / "st") as s:
        yield s


def _beat(kiosk: str) -> dict:
    return {"id": str(uuid.uuid4()), "kiosk_id": kiosk, "sent_at": datetime.now(UTC).isoformat(),
            "outbox_pending": 0, "devices": []}


def test_a_kiosk_cannot_write_at_the_servers_full_speed(server):
    s = server
    codes: dict[int, int] = {}
    with s.client() as c:
        for _ in range(200):
            r = c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk())
            codes[r.status_code] = codes.get(r.status_code, 0) + 1
        for _ in range(100):
            r = c.post("/api/v1/heartbeats", json=_beat("k1"), headers=s.kiosk())
            codes[r.status_code] = codes.get(r.status_code, 0) + 1
        assert codes.get(429, 0) >= 40, codes  # 300 writes in well under a minute: the budget is 240
        assert codes.get(201, 0) >= 100, codes  # a burst of real work (an outbox draining) still goes through
        r = c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk())
        assert r.status_code == 429 and r.json()["code"] == "kiosk_throttled"
        assert 1 <= int(r.headers["Retry-After"]) <= 60 and r.json()["retry_after"] == int(r.headers["Retry-After"])
        # the other kiosk and the helpers go on as before
        assert c.post("/api/v1/requests", json=s.request_body("k2"), headers=s.kiosk("k2")).status_code == 201
        assert c.post("/api/v1/heartbeats", json=_beat("k2"), headers=s.kiosk("k2")).status_code == 200
        staff = {"Authorization": f"Bearer {s.login('li')}"}
        assert c.post("/api/v1/requests/claim-next", json={}, headers=staff).status_code == 200
