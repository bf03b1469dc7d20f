"""Heartbeats as a way to fill the disk, against a real ``kiosk queue serve``: every heartbeat with a new id
is stored in the 7-day history, however fast they come. Within the kiosk's write budget (240 a minute)
a stolen kiosk token still adds ~345,000 rows a day that are kept a week. A kiosk's status needs at most
one stored beat per few seconds.

The history keeps an unchanged beat at most every ``max(5 s, interval_s / 2)`` and a change of state at most
once a second, while every beat still updates ``kiosks.last_seen_at`` and the devices' state."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.queue.hostile import served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("attack-beats") / "st") as s:
        yield s


def test_a_burst_of_heartbeats_is_not_kept_row_by_row(server):
    s = server
    with s.client() as c:
        for _ in range(100):
            beat = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": datetime.now(UTC).isoformat(),
                    "outbox_pending": 0, "devices": []}
            assert c.post("/api/v1/heartbeats", json=beat, headers=s.kiosk()).status_code == 200
        mgr = {"Authorization": f"Bearer {s.login('mgr')}"}
        kept = c.get("/api/v1/kiosks/k1/heartbeats", params={"limit": 500}, headers=mgr).json()
        assert len(kept) <= 20, len(kept)  # 100 beats in a few seconds: a handful of rows at most
