"""好差评 of a help request through the QR code on the resident's kiosk slip, on SQLite and PostgreSQL: the
kiosk makes the token and sends it with the request; the public page rates the request once the helpers
resolved it, once (the kiosk's own rating counts as that once), and the claiming helper is the one rated;
the token is never shown to staff."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select

from kiosk.queue.models import cases, ratings
from tests.queue.case_helpers import Api, handover
from tests.queue.conftest import auth

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def make_request(client, world, **over) -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    body = world.request_body("k1", rating_token=token, **over)
    answer = client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], token


def test_resident_rates_a_help_request_through_the_kiosk_slip_qr(client, world, ctx):
    api = Api(client, world)
    rid, token = make_request(client, world)
    early = client.get(f"/r/{token}")
    assert early.status_code == 200 and "办结后可评价" in early.text
    assert client.post(f"/r/{token}", content="score=5", headers=FORM).status_code == 200
    with ctx.db.read() as conn:
        assert conn.execute(select(ratings)).first() is None  # nothing rated before the helper resolved it
    api.post("li", f"/requests/{rid}/claim")
    api.post("li", f"/requests/{rid}/arrive")
    api.post("li", f"/requests/{rid}/resolve", json={"outcome": "answered"})
    page = client.get(f"/r/{token}")
    assert page.status_code == 200 and "帮办服务评价" in page.text and "城乡居民养老保险参保登记" in page.text
    assert "<script" not in page.text
    done = client.post(f"/r/{token}", content="score=4", headers=FORM)
    assert done.status_code == 200 and "感谢您的评价" in done.text
    with ctx.db.read() as conn:
        row = conn.execute(select(ratings)).mappings().one()
    assert (row["request_id"], row["helper_id"], row["channel"], row["score"]) == (rid, world.user_ids["li"], "qr", 4)
    kiosk = client.post("/api/v1/ratings", json={"id": str(uuid.uuid4()), "request_id": rid, "score": 1,
                                                  "reasons": ["attitude"], "created_at": "2026-11-28T06:00:00Z"},
                        headers=auth(world.kiosk_tokens["k1"]))
    assert kiosk.json()["code"] == "already_rated"  # once per request, whichever channel came first
    assert "request.rated" in [e["type"] for e in api.get("li", f"/requests/{rid}/events").json()]
    staff = api.get("li", f"/requests/{rid}").text + api.get("li", f"/requests/{rid}/events").text
    assert token not in staff  # a helper cannot rate themselves


def test_a_replay_with_another_token_is_refused_and_a_bad_token_is_422(client, world):
    body = world.request_body("k1", rating_token=secrets.token_urlsafe(24))
    headers = auth(world.kiosk_tokens["k1"])
    assert client.post("/api/v1/requests", json=body, headers=headers).status_code == 201
    other = {**body, "rating_token": secrets.token_urlsafe(24)}
    assert client.post("/api/v1/requests", json=other, headers=headers).status_code == 409
    bad = world.request_body("k1", rating_token="short")
    assert client.post("/api/v1/requests", json=bad, headers=headers).status_code == 422


def test_the_authorization_forms_qr_rates_the_proxy_case_the_request_became(client, world, ctx):
    """The kiosk's 授权委托书 carries the 代办 request's token and says the resident rates once the agent
    completed the errand: a converted request's token leads to its case (rated once, with the return slip)."""
    api = Api(client, world)
    rid, token = make_request(client, world, kind="proxy",
                              resident={"name": "王芳", "id_number": "420303199001011234"})
    api.post("li", f"/requests/{rid}/claim")
    api.post("li", f"/requests/{rid}/arrive")
    cid = api.post("li", "/cases", json=handover(request_id=rid, applicant=None, matter_name=None)).json()["id"]
    early = client.get(f"/r/{token}")
    assert early.status_code == 200 and "办结后可评价" in early.text
    assert "办结后" in client.post(f"/r/{token}", content="score=5", headers=FORM).text  # not rated yet
    api.post("li", f"/cases/{cid}/start", json={"department": "社保窗口"})
    api.post("li", f"/cases/{cid}/complete")
    page = client.get(f"/r/{token}")
    assert page.status_code == 200 and "非常满意" in page.text and "城乡居民养老保险参保登记" in page.text
    done = client.post(f"/r/{token}", content="score=4", headers=FORM)
    assert done.status_code == 200, done.text
    with ctx.db.read() as conn:
        row = conn.execute(select(ratings)).mappings().one()
    assert (row["case_id"], row["request_id"], row["score"]) == (cid, None, 4)
    with ctx.db.read() as conn:
        slip_token = conn.execute(select(cases.c.rating_token).where(cases.c.id == cid)).scalar()
    again = client.post(f"/r/{slip_token}", content="score=5", headers=FORM)
    assert "您的评价：满意。" in again.text  # the return slip's QR rates the same case: once, the first stands
