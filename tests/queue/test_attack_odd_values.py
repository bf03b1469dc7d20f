"""Odd values in the places no earlier attack looked, against a real ``kiosk queue serve`` on SQLite and
on PostgreSQL: a NUL (``%00``) in a URL's path or query, numbers past 64 bits, and clock readings at the
calendar's edge.

Before the fixes each of these was a 500 (the connection then closed): PostgreSQL refuses a NUL in any
text it is asked to compare — ``GET /api/v1/cases/%00x``, ``/requests?site_code=%00``, the claim hot
path, a kiosk's rating naming request ``"\\u0000"`` —, both databases refuse integers past 2⁶³ — ``DELETE
/api/v1/webhooks/10³⁰``, a transfer to ``agent_id`` 10³⁰ —, and ``0001-01-01T00:00+23:59`` (a valid
ISO time) has no UTC form, which broke the request, heartbeat and notice of a kiosk with a bad clock.
Now each is a 4xx that says what is wrong, whatever the database.
"""

from __future__ import annotations

import uuid

import pytest

from tests.queue.hostile import served

BIG = "1" + "0" * 30  # past 2**63
EDGES = ("0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path_factory):
    state = tmp_path_factory.mktemp("odd")
    if request.param == "sqlite":
        with served(state) as s:
            yield s
        return
    from tests.queue.conftest import pg_schema

    with pg_schema("tatk") as url, served(state, db_url=url) as s:
        yield s


def _staff(s, name: str) -> dict:
    return {"Authorization": f"Bearer {s.login(name)}"}


def _held_case(s, c, li: dict) -> tuple[str, str]:
    """A request li claimed and met, converted into a 代办 case: (request id, case id)."""
    rid = c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).json()["id"]
    for step in ("claim", "arrive"):
        assert c.post(f"/api/v1/requests/{rid}/{step}", headers=li).status_code == 200
    r = c.post("/api/v1/cases", headers=li, json={
        "request_id": rid, "time_limit_days": 5, "matter_name": "养老保险", "applicant": {"name": "张三"},
        "authorization": {"signed": True, "scanned": False}, "materials": [{"name": "身份证", "form": "copy"}]})
    assert r.status_code == 201, r.text
    return rid, r.json()["id"]


def test_a_nul_in_the_address_is_a_422_never_a_500(server):
    s = server
    li, mgr = _staff(s, "li"), _staff(s, "mgr")
    with s.client() as c:
        _, case_id = _held_case(s, c, li)
        calls = [("GET", "/api/v1/requests?site_code=%00", li), ("GET", "/api/v1/cases?state=%00", li),
                 ("GET", "/api/v1/cases/%00x", li), ("GET", "/api/v1/cases/%00x/events", li),
                 ("GET", "/api/v1/cases/%00x/applicant", li), ("GET", "/api/v1/cases/%00x/transfer-targets", li),
                 ("GET", "/api/v1/cases/%00x/slips/receipt.png", li), ("POST", "/api/v1/cases/%00x/accept", li),
                 ("POST", "/api/v1/requests/%00x/claim", li), ("GET", "/api/v1/requests/%00x", s.kiosk()),
                 ("GET", "/api/v1/kiosks/%00/heartbeats", mgr),
                 ("GET", "/api/v1/kiosk-config?site_code=T1&kiosk_id=%00", mgr),
                 ("GET", f"/api/v1/cases/{case_id}?x=%1b", li), ("GET", "/r/AAAAAAAAAAAAAAAAAAAA%00", {})]
        for method, path, headers in calls:
            r = c.request(method, path, headers=headers)
            assert r.status_code == 422, (path, r.status_code, r.text)
            assert r.json()["code"] == "url_characters", (path, r.text)
        assert "control character" in c.get("/api/v1/cases/%00x", headers=li | {"Accept-Language": "en"}).json()["detail"]
        # ordinary percent-encoded text still passes: a Chinese site code is only "not yours"
        assert c.get("/api/v1/cases?site_code=%E5%8D%97%E9%83%8A", headers=li).status_code == 403
        assert c.get(f"/api/v1/cases/{case_id}", headers=li).status_code == 200
        # a misspelt case state was an empty list, silently; like the requests' filter, it is a 422 now
        assert c.get("/api/v1/cases?state=bogus", headers=li).status_code == 422
        assert c.get("/api/v1/cases?" + "&".join(["state=registered"] * 11), headers=li).status_code == 422
        assert len(c.get("/api/v1/cases?state=registered&state=suspended", headers=li).json()["items"]) == 1
    assert "Traceback" not in s.log(), s.log()[-3000:]


def test_a_kiosks_rating_naming_a_nul_is_a_422(server):
    s = server
    body = {"id": str(uuid.uuid4()), "request_id": "\u0000", "score": 5, "created_at": s.request_body()["created_at"]}
    with s.client() as c:
        for over in ({}, {"request_id": str(uuid.uuid4()), "id": "a\u0000b"}):
            r = c.post("/api/v1/ratings", json=body | over, headers=s.kiosk())
            assert r.status_code == 422, r.text
    assert "Traceback" not in s.log(), s.log()[-3000:]


def test_numbers_past_64_bits_are_a_422(server):
    s = server
    li, mgr = _staff(s, "li"), _staff(s, "mgr")
    with s.client() as c:
        rid, case_id = _held_case(s, c, li)
        r = c.delete(f"/api/v1/webhooks/{BIG}", headers=mgr)
        assert r.status_code == 422, r.text
        assert c.delete(f"/api/v1/webhooks/{2**63 - 1}", headers=mgr).status_code == 404  # the largest id: unknown
        json = {"Content-Type": "application/json"}
        r = c.post(f"/api/v1/cases/{case_id}/transfer", content=f'{{"agent_id": {BIG}, "reason": "换人"}}',
                   headers=li | json)
        assert r.status_code == 422, r.text
        rid2 = c.post("/api/v1/requests", json=s.request_body(), headers=s.kiosk()).json()["id"]
        assert c.post(f"/api/v1/requests/{rid2}/claim", headers=li).status_code == 200
        r = c.post(f"/api/v1/requests/{rid2}/assign", content=f'{{"helper_id": {BIG}}}', headers=li | json)
        assert r.status_code == 422, r.text
    assert "Traceback" not in s.log(), s.log()[-3000:]


def test_clock_readings_without_a_utc_form_are_a_422(server):
    s = server
    with s.client() as c:
        for at in EDGES:
            for path, body in (("/api/v1/requests", s.request_body(created_at=at)),
                               ("/api/v1/heartbeats", {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": at}),
                               ("/api/v1/notices", {"id": str(uuid.uuid4()), "kiosk_id": "k1", "created_at": at,
                                                    "missing": 1})):
                r = c.post(path, json=body, headers=s.kiosk() | {"Accept-Language": "en"})
                assert r.status_code == 422, (path, at, r.text)
                assert "UTC" in str(r.json()["detail"]), r.text
        # the edges themselves in UTC are still clock readings (clamped to the server's time as before)
        assert c.post("/api/v1/requests", json=s.request_body(created_at="0001-01-01T00:00:00Z"),
                      headers=s.kiosk()).status_code == 201
    assert "Traceback" not in s.log(), s.log()[-3000:]
