"""好差评 on SQLite and PostgreSQL: a kiosk rates its request (idempotent, once per request), a resident
rates a 代办 case on the public page behind the return slip's QR code, and the figures show ratings per
site and helper with the share of 不满意 and its reasons."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from kiosk.queue.models import cases, ratings
from kiosk.queue.ratings import rating_url
from tests.queue.case_helpers import Api
from tests.queue.conftest import auth


@pytest.fixture
def api(client, world):
    return Api(client, world)


def served_request(api, client, world, kiosk="k1", helper="li") -> str:
    rid = client.post("/api/v1/requests", json=world.request_body(kiosk), headers=auth(world.kiosk_tokens[kiosk])).json()["id"]
    api.post(helper, f"/requests/{rid}/claim")
    api.post(helper, f"/requests/{rid}/arrive")
    api.post(helper, f"/requests/{rid}/resolve", json={"outcome": "answered"})
    return rid


def rate(client, world, rid, kiosk="k1", **over):
    body = {"id": str(uuid.uuid4()), "request_id": rid, "score": 5, "reasons": [],
            "created_at": "2026-11-28T06:00:00Z", **over}
    return client.post("/api/v1/ratings", json=body, headers=auth(world.kiosk_tokens[kiosk]))


def token_of(ctx, case_id: str) -> str:
    with ctx.db.read() as conn:
        return conn.execute(select(cases.c.rating_token).where(cases.c.id == case_id)).scalar()


def test_kiosk_rates_its_request_once(api, client, world, ctx):
    rid = served_request(api, client, world)
    first = rate(client, world, rid, score=2, reasons=["wait_long"],
                 comment="等了很久，我电话13812345678，身份证11010519491231002X")
    assert first.status_code == 201 and first.json()["created"] is True
    again = rate(client, world, rid, id=first.json()["id"], score=2, reasons=["wait_long"])
    assert again.status_code == 200 and again.json()["created"] is False  # a replay of the outbox
    assert rate(client, world, rid).json()["code"] == "already_rated"
    assert rate(client, world, rid, kiosk="k2").status_code == 404  # another kiosk's request
    assert rate(client, world, rid, score=1).json()["code"] == "rating_reason"  # 不满意 needs a reason
    assert rate(client, world, rid, score=6).status_code == 422
    assert rate(client, world, rid, reasons=["bad"]).status_code == 422
    with ctx.db.read() as conn:
        stored = conn.execute(select(ratings)).mappings().one()
    assert stored["helper_id"] == world.user_ids["li"] and stored["channel"] == "kiosk"
    assert "13812345678" not in stored["comment"] and "11010519491231002X" not in stored["comment"]
    assert "138****5678" in stored["comment"]
    history = [e["type"] for e in api.get("li", f"/requests/{rid}/events").json()]
    assert "request.rated" in history


def test_resident_rates_a_case_through_the_slip_qr(api, client, ctx):
    cid = api.case()["id"]
    token = token_of(ctx, cid)
    assert len(token) >= 32
    early = client.get(f"/r/{token}")
    assert early.status_code == 200 and "办结后可评价" in early.text
    api.post("li", f"/cases/{cid}/start", json={"department": "市场监管局窗口"})
    api.post("li", f"/cases/{cid}/complete")
    api.post("li", f"/cases/{cid}/return", json={"applicant_confirmed": True, "agent_confirmed": True})
    ctx.cases.paper.rating_url = rating_url("https://zw.example.gov.cn/")
    slip = ctx.cases.paper.slip(api.world.user("li"), cid, "return").to_text()
    assert f"[QR: https://zw.example.gov.cn/r/{token}]" in slip
    page = client.get(f"/r/{token}")
    assert page.status_code == 200 and "个体工商户设立登记" in page.text and "非常满意" in page.text
    assert "<script" not in page.text and "default-src 'none'" in page.headers["content-security-policy"]
    assert "张" not in page.text  # nobody's name on a public page
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    bare = client.post(f"/r/{token}", content="score=2", headers=form)
    assert bare.status_code == 422 and "请选择原因" in bare.text
    done = client.post(f"/r/{token}", content="score=2&reason=many_trips&reason=attitude&comment=%E8%B7%91%E4%BA%86%E4%B8%89%E8%B6%9F",
                       headers=form)
    assert done.status_code == 200 and "感谢您的评价" in done.text and "不满意" in done.text
    twice = client.post(f"/r/{token}", content="score=5", headers=form)
    assert "不满意" in twice.text  # rated once; the first rating stands
    assert client.get("/r/" + "x" * 32).status_code == 404
    assert client.post(f"/r/{token}", content="comment=" + "x" * 5000, headers=form).status_code == 413
    with ctx.db.read() as conn:
        rows = conn.execute(select(ratings)).mappings().all()
    assert len(rows) == 1 and rows[0]["case_id"] == cid and rows[0]["reasons"] == ["many_trips", "attitude"]
    assert [e["type"] for e in api.get("li", f"/cases/{cid}/events").json()][-1] == "case.rated"


def test_figures_show_ratings_per_site_and_helper(api, client, world, ctx):
    a = served_request(api, client, world)
    b = served_request(api, client, world, helper="wang")
    c = served_request(api, client, world, kiosk="k2", helper="zhao")
    rate(client, world, a, score=5)
    rate(client, world, b, score=1, reasons=["attitude", "not_solved"])
    rate(client, world, c, kiosk="k2", score=4)
    cid = api.case()["id"]
    api.post("li", f"/cases/{cid}/withdraw", json={"reason": "自行办理"})
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    client.post(f"/r/{token_of(ctx, cid)}", content="score=2&reason=wait_long", headers=form)
    figs = api.get("sup", "/figures").json()
    t1 = next(s for s in figs["sites"] if s["site_code"] == "T1")["ratings"]
    assert (t1["n"], t1["unsatisfied"], t1["unsatisfied_share"]) == (3, 2, 0.6667)
    assert t1["by_score"] == {"5": 1, "4": 0, "3": 0, "2": 1, "1": 1}
    assert t1["reasons"] == {"attitude": 1, "not_solved": 1, "wait_long": 1}
    helpers = {h["username"]: h["ratings"] for h in figs["helpers"]}
    assert (helpers["li"]["n"], helpers["li"]["unsatisfied"]) == (2, 1)  # the request she served, her case
    assert (helpers["wang"]["n"], helpers["wang"]["unsatisfied_share"]) == (1, 1.0)
    assert figs["total"]["ratings"]["n"] == 4 and figs["total"]["ratings"]["unsatisfied"] == 2
    assert helpers["zhao"]["n"] == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_kiosk_rating_travels_through_the_outbox(live, world, ctx, tmp_path):
    """The real kiosk client: the rating is written to the durable outbox, sent after its request, stored."""
    from tests.queue.test_outbox_forwarder import k1_client, until

    kiosk = k1_client(tmp_path, live.url, world, poll_interval_s=0.2)
    kiosk.start()
    try:
        rid = kiosk.call_helper("assist", "result", matter_name="养老保险", ticket_no="A001")
        with pytest.raises(ValueError, match="needs a reason"):
            kiosk.rate(rid, 2)
        with pytest.raises(ValueError, match="not a request of this kiosk"):
            kiosk.rate(str(uuid.uuid4()), 5)
        rating_id = kiosk.rate(rid, 1, ["wait_long"], "等了半小时，身份证11010519491231002X")
        assert until(lambda: kiosk.pending_count() == 0, timeout=20)
    finally:
        kiosk.stop()
    with ctx.db.read() as conn:
        stored = conn.execute(select(ratings)).mappings().one()
    assert (stored["id"], stored["request_id"], stored["score"], stored["channel"]) == (rating_id, rid, 1, "kiosk")
    assert "11010519491231002X" not in stored["comment"]


def test_the_public_rating_page_has_a_per_address_budget(client, ctx):
    token = "y" * 32
    answers = [client.get(f"/r/{token}").status_code for _ in range(31)]
    assert answers[:30] == [404] * 30  # unknown token, within the budget
    assert answers[30] == 429
    refused = client.post(f"/r/{token}", content="score=5",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 429 and "请稍后再试" in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_an_address_budget_opens_again_and_keeps_addresses_apart():
    from kiosk.queue.budget import AddressBudget

    now = [0.0]
    budget = AddressBudget(limit=2, window_s=60, max_addresses=3, clock=lambda: now[0])
    assert budget.take("a") is None and budget.take("a") is None
    assert budget.take("a") == 60
    assert budget.take("b") is None  # another address has its own budget
    now[0] = 59.5
    assert budget.take("a") == 1.0
    now[0] = 60.0
    assert budget.take("a") is None  # a new window
    for address in ("c", "d", "e", "f"):
        budget.take(address)
    assert len(budget._seen) == 3  # bounded however many addresses come
