"""One-time notices (一次性告知单) reported by kiosks: stored once per id, counted in the figures per site
and in total (not per helper), refused from the wrong kiosk or from staff, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests.queue.case_helpers import Api
from tests.queue.conftest import auth


def notice(world, kiosk="k1", **over) -> dict:
    body = {"id": str(uuid.uuid4()), "kiosk_id": kiosk, "created_at": world.ctx.settings.clock().isoformat(),
            "matter_id": "pension-enrol", "matter_name": "城乡居民基本养老保险参保登记", "missing": 2}
    body.update(over)
    return body


def post(client, world, body, kiosk="k1"):
    return client.post("/api/v1/notices", json=body, headers=auth(world.kiosk_tokens[kiosk]))


def test_notices_are_stored_once_and_counted_per_site_and_in_total(client, world):
    first = notice(world, missing=3)
    assert post(client, world, first).status_code == 201
    again = post(client, world, first)  # the outbox resends after a lost answer
    assert again.status_code == 200 and again.json() == {"id": first["id"], "created": False}
    assert post(client, world, notice(world, missing=1)).status_code == 201
    assert post(client, world, notice(world, "k2", missing=4), "k2").status_code == 201
    api = Api(client, world)
    t1 = api.get("mgr", "/figures").json()
    assert [s["site_code"] for s in t1["sites"]] == ["T1"]
    assert t1["sites"][0]["notices"] == {"printed": 2, "missing_items": 4}
    district = api.get("sup", "/figures").json()
    by_site = {s["site_code"]: s["notices"] for s in district["sites"]}
    assert by_site == {"T1": {"printed": 2, "missing_items": 4}, "T2": {"printed": 1, "missing_items": 4}}
    assert district["total"]["notices"] == {"printed": 3, "missing_items": 8}
    assert all(h["notices"] is None for h in district["helpers"])


@pytest.mark.parametrize("over, status", [
    ({"kiosk_id": "k2"}, 403),                  # another kiosk's name
    ({"missing": 0}, 422),                      # a notice lists at least one material
    ({"id": "not-a-uuid"}, 422),
    ({"created_at": "yesterday"}, 422),
])
def test_bad_notices_get_a_clear_error(client, world, over, status):
    r = post(client, world, notice(world, **over))
    assert r.status_code == status, r.text
    assert r.json()["detail"]


def test_staff_cannot_report_notices(client, world):
    token = world.token("li")
    r = client.post("/api/v1/notices", json=notice(world), headers=auth(token))
    assert r.status_code == 403, r.text
