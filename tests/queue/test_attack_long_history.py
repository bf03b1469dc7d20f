"""A history too long to read: ``GET /api/v1/requests/{id}/events`` and ``GET /api/v1/cases/{id}/events``
answered every entry at once. A stolen session within its write budget (1,200 a minute: claim, release,
claim… on one request; suspend, resume… on one case) adds 72,000 entries an hour to one history, and then
every console opening that card read them all — on SQLite on the event loop, stopping the server for
everyone meanwhile. Both now answer at most ``limit`` entries (default 500, at most 1,000), oldest first,
and ``after=<the last id>`` reads on."""

from __future__ import annotations

from datetime import timedelta

from tests.queue.conftest import auth

ENTRIES = 1_200


def test_a_history_is_read_a_page_at_a_time(world, client, clock):
    from kiosk.queue import store
    from kiosk.queue.api_cases import case_service

    ctx = world.ctx
    rid = client.post("/api/v1/requests", json=world.request_body(), headers=auth(world.kiosk_tokens["k1"])).json()["id"]
    case = {"time_limit_days": 5, "matter_name": "养老保险", "applicant": {"name": "王五"},
            "authorization": {"signed": True, "scanned": False}, "materials": [{"name": "身份证", "form": "copy"}]}
    token = world.token("li")
    cid = client.post("/api/v1/cases", json=case, headers=auth(token)).json()["id"]
    svc = case_service(ctx)
    with ctx.db.write() as conn:  # as a flood of claims and releases would have left them
        for i in range(ENTRIES):
            at = clock() + timedelta(seconds=i)
            store.add_event(conn, type_="request.released", actor="user:li", at=at, site_code="T1",
                            escalated_to=None, request_id=rid, data={})
            svc._event(conn, cid, "T1", "case.resumed", "user:li", at, state="in_progress")
    for path in (f"/api/v1/requests/{rid}/events", f"/api/v1/cases/{cid}/events"):
        first = client.get(path, headers=auth(token))
        assert first.status_code == 200 and len(first.json()) == 500, (path, len(first.json()))
        ids = [e["id"] for e in first.json()]
        assert ids == sorted(ids)  # oldest first: the request's creation, the case's registration
        seen = list(ids)
        while True:
            page = client.get(path, params={"after": seen[-1], "limit": 1000}, headers=auth(token)).json()
            if not page:
                break
            assert len(page) <= 1000
            seen += [e["id"] for e in page]
        assert len(seen) == len(set(seen)) and len(seen) > ENTRIES, (path, len(seen))
        assert client.get(path, params={"limit": 1001}, headers=auth(token)).status_code == 422
