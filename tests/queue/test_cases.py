"""代办 cases on SQLite and PostgreSQL: handover, transitions, conversion from a help request, access by
role and site, audited identity, and deadlines flagged with an injected clock."""

from __future__ import annotations

import pytest

from tests.queue.case_helpers import APPLICANT, Api, handover
from tests.queue.conftest import auth


@pytest.fixture
def api(client, world):
    return Api(client, world)


def test_handover_to_return_every_change_recorded(api):
    case = api.case()
    assert case["state"] == "registered" and case["site_code"] == "T1" and case["seq"] == 1
    assert case["promised_date"] == "2026-12-04"  # Sat 28 Nov + 5 working days
    assert case["agent"]["display_name"] == "李四" and case["due"] == "on_track" and case["days_left"] == 6
    assert case["applicant_masked"] == "张** 110105********002X" and case["phone_masked"] == "138****5678"
    assert "张三丰" not in str(case) and "13812345678" not in str(case)
    assert case["authorization"]["signed"] and case["authorization"]["scanned"]
    assert [m["form"] for m in case["materials"]] == ["original", "copy"]
    assert case["actions"] == ["cancel", "start", "suspend", "withdraw", "transfer"]
    cid = case["id"]
    assert api.post("li", f"/cases/{cid}/complete").json()["code"] == "case_state"  # not started yet
    r = api.post("li", f"/cases/{cid}/start", json={"department": "市场监管局窗口"})
    assert (r.json()["state"], r.json()["department"]) == ("in_progress", "市场监管局窗口")
    assert api.post("li", f"/cases/{cid}/move", json={"department": "税务窗口"}).json()["department"] == "税务窗口"
    done = api.post("li", f"/cases/{cid}/complete", json={"note": "营业执照已领取"}).json()
    assert done["state"] == "completed" and done["due"] == "on_time" and done["actions"] == ["return", "withdraw", "transfer"]
    half = api.post("li", f"/cases/{cid}/return", json={"applicant_confirmed": True, "agent_confirmed": False})
    assert half.status_code == 422 and "双方签收" in half.text
    back = api.post("li", f"/cases/{cid}/return", json={"applicant_confirmed": True, "agent_confirmed": True,
                                                        "note": "执照及原件已交申请人"}).json()
    assert back["state"] == "returned" and back["returned_at"] and back["actions"] == []
    again = api.post("li", f"/cases/{cid}/cancel", json={"reason": "x"})
    assert again.status_code == 409 and again.json()["state"] == "returned"
    history = api.get("li", f"/cases/{cid}/events").json()
    assert [e["type"] for e in history] == ["case.registered", "case.started", "case.moved", "case.completed",
                                            "case.returned"]
    assert {e["actor"] for e in history} == {"user:li"} and all(e["at"] for e in history)
    assert history[-1]["data"]["applicant_confirmed"] and history[-1]["data"]["agent_confirmed"]


def test_bad_handovers_are_refused_with_the_reason(api):
    unsigned = api.post("li", "/cases", json=handover(authorization={"signed": False}))
    assert unsigned.status_code == 422 and unsigned.json()["code"] == "case_unauthorized"
    assert "授权委托书" in unsigned.json()["detail"]
    assert api.post("li", "/cases", json=handover(materials=[])).status_code == 422
    assert api.post("li", "/cases", json=handover(time_limit_days=-1)).status_code == 422
    naive = handover(authorization={"signed": True, "signed_at": "2026-11-28T14:00:00"})
    assert api.post("li", "/cases", json=naive).status_code == 422  # a time without a zone is ambiguous
    future = handover(authorization={"signed": True, "signed_at": "2027-01-01T09:00:00+08:00"})
    assert api.post("li", "/cases", json=future).json()["code"] == "case_signed_at"
    assert api.post("li", "/cases", json=handover(applicant=None)).json()["code"] == "case_applicant"
    assert api.post("li", "/cases", json=handover(site_code="T2")).json()["code"] == "site"
    cid = api.case()["id"]
    assert api.post("li", f"/cases/{cid}/withdraw", json={}).status_code == 422  # a reason is required
    w = api.post("li", f"/cases/{cid}/withdraw", json={"reason": "申请人自行办理"}).json()
    assert (w["state"], w["close_reason"], w["due"]) == ("withdrawn", "申请人自行办理", "closed")
    assert api.get("li", "/cases").json()["items"][0]["seq"] == 1
    assert api.case()["seq"] == 2  # 序号 runs on per site


def test_convert_an_arrived_request_into_a_case(api, client, world):
    kiosk = auth(world.kiosk_tokens["k1"])
    body = world.request_body(kind="proxy", resident={"name": "王芳", "id_number": "420303199001011234"})
    rid = client.post("/api/v1/requests", json=body, headers=kiosk).json()["id"]
    early = api.post("li", "/cases", json=handover(request_id=rid, applicant=None, matter_name=None))
    assert early.status_code == 409  # still waiting: not converted, no case
    assert api.get("li", "/cases").json()["items"] == []
    api.post("li", f"/requests/{rid}/claim")
    api.post("li", f"/requests/{rid}/arrive")
    assert api.post("wang", "/cases", json=handover(request_id=rid)).status_code == 403  # li holds it
    r = api.post("li", "/cases", json=handover(request_id=rid.upper(), applicant={"phone": "13900002222"},
                                               matter_name=None))  # any UUID spelling finds the request
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["request_id"] == rid and case["matter_name"] == "城乡居民养老保险参保登记"
    assert case["applicant_masked"].startswith("王*")
    req = api.get("li", f"/requests/{rid}").json()
    assert (req["state"], req["case_id"]) == ("converted", case["id"])
    assert api.get("li", f"/cases/{case['id']}/applicant").json() == {  # the card's name, the typed phone
        "name": "王芳", "id_number": "420303199001011234", "phone": "13900002222"}


def test_the_retired_convert_endpoint_answers_410_and_makes_no_orphan_case_id(api, client, world):
    body = world.request_body(kind="proxy")
    rid = client.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"])).json()["id"]
    api.post("li", f"/requests/{rid}/claim")
    api.post("li", f"/requests/{rid}/arrive")
    r = api.post("li", f"/requests/{rid}/convert", json={"case_id": "DB-X"})
    assert r.status_code == 410, r.text
    assert (r.json()["code"], r.json()["use"], r.json()["request_id"]) == ("convert_moved", "POST /api/v1/cases", rid)
    assert "/api/v1/cases" in r.json()["detail"]
    req = api.get("li", f"/requests/{rid}").json()
    assert (req["state"], req["case_id"]) == ("arrived", None)  # untouched: the cases endpoint does both
    assert api.get("li", "/cases").json()["items"] == []


def test_access_by_role_and_site(api):
    cid = api.case()["id"]
    # another town's helper: the case does not exist for them
    assert api.get("zhao", f"/cases/{cid}").status_code == 404
    assert api.get("zhao", "/cases").json()["items"] == []
    # a colleague at the same site sees it masked, may not change it or see the identity
    seen = api.get("wang", f"/cases/{cid}").json()
    assert seen["actions"] == [] and seen["applicant_masked"] == "张** 110105********002X"
    assert api.post("wang", f"/cases/{cid}/start", json={"department": "x"}).json()["code"] == "case_not_yours"
    assert api.get("wang", f"/cases/{cid}/applicant").status_code == 403
    # the agent and the site's manager see the full identity; every look is audited
    assert api.get("li", f"/cases/{cid}/applicant").json() == APPLICANT
    assert api.get("mgr", f"/cases/{cid}/applicant").json()["name"] == "张三丰"
    assert api.post("mgr", f"/cases/{cid}/start", json={"department": "民政窗口"}).json()["state"] == "in_progress"
    # the district supervisor sees the towns below
    assert [c["id"] for c in api.get("sup", "/cases").json()["items"]] == [cid]
    viewed = [e["actor"] for e in api.get("mgr", f"/cases/{cid}/events").json() if e["type"] == "case.applicant_viewed"]
    assert viewed == ["user:li", "user:mgr"]
    assert api.get("zhao", "/cases", params={"site_code": "T1"}).status_code == 403


def test_deadlines_flag_due_soon_then_overdue_once(api, clock):
    cid = api.case(time_limit_days=3)["id"]  # Sat 28 Nov → Wed 2 Dec
    other = api.case(time_limit_days=20)["id"]
    assert api.get("li", f"/cases/{cid}").json()["promised_date"] == "2026-12-02"
    assert api.get("li", f"/cases/{cid}").json()["due"] == "on_track"
    assert api.get("li", "/cases/overdue").status_code == 403  # flags go to managers and supervisors
    assert api.get("mgr", "/cases/overdue").json()["items"] == []
    clock.advance(3 * 86400)  # Tue 1 Dec: one working day left
    api.tokens.clear()  # sessions last 12 h
    flagged = api.get("mgr", "/cases/overdue").json()
    assert [(c["id"], c["due"]) for c in flagged["items"]] == [(cid, "due_soon")] and flagged["due_soon"] == 1
    clock.advance(2 * 86400)  # Thu 3 Dec: past the promise
    api.tokens.clear()
    flagged = api.get("sup", "/cases/overdue").json()
    assert [(c["id"], c["due"], c["days_left"]) for c in flagged["items"]] == [(cid, "overdue", -1)]
    listed = api.get("li", "/cases").json()
    assert listed["overdue"] == 1 and listed["items"][0]["id"] == cid  # overdue first
    assert [c["id"] for c in api.get("li", "/cases", params={"due": "on_track"}).json()["items"]] == [other]
    api.get("mgr", "/cases/overdue")  # swept again: no second flag
    types = [e["type"] for e in api.get("mgr", f"/cases/{cid}/events").json()]
    assert types == ["case.registered", "case.due_soon", "case.overdue"]
    api.post("li", f"/cases/{cid}/start", json={"department": "不动产登记窗口"})
    assert api.post("li", f"/cases/{cid}/complete").json()["due"] == "late"
    assert api.get("mgr", "/cases/overdue").json()["items"] == []


def test_racing_changes_one_wins(api, world, ctx):
    """The agent and the manager change the same case at once: exactly one change is stored."""
    import threading

    from kiosk.queue.api_cases import case_service
    from kiosk.queue.errors import Conflict

    cid = api.case()["id"]
    svc = case_service(ctx)
    users = [world.user("li"), world.user("mgr")] * 4
    results: list[str] = []
    barrier = threading.Barrier(len(users))

    def go(user) -> None:
        barrier.wait(timeout=10)
        try:
            svc.act(user, cid, "start", department=user.display_name)
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=go, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert results.count("ok") == 1 and set(results) <= {"ok", "case_state", "case_changed"}
    started = [e for e in api.get("li", f"/cases/{cid}/events").json() if e["type"] == "case.started"]
    assert len(started) == 1


def test_time_limit_comes_from_the_catalogue(api, client, world):
    """Without ``time_limit_days`` the matter's 承诺时限 in the catalogue sets the promised date."""
    body = handover(matter_id="pension-claim", matter_name=None)
    del body["time_limit_days"]
    case = api.post("li", "/cases", json=body).json()
    assert (case["time_limit_days"], case["matter_name"]) == (15, "城乡居民基本养老保险待遇申领")
    assert case["promised_date"] == "2026-12-18"  # 15 working days after Sat 28 Nov
    same_day = api.post("li", "/cases", json={**body, "matter_id": "pension-enrol"}).json()
    assert (same_day["time_limit_days"], same_day["promised_date"]) == (0, "2026-11-28")  # 即办
    unknown = api.post("li", "/cases", json={**body, "matter_id": "no-such-matter", "matter_name": "x"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "case_time_limit"
    kiosk = auth(world.kiosk_tokens["k1"])
    rid = client.post("/api/v1/requests", json=world.request_body(matter_id="social-card", matter_name="社会保障卡申领"),
                      headers=kiosk).json()["id"]
    api.post("li", f"/requests/{rid}/claim")
    api.post("li", f"/requests/{rid}/arrive")
    converted = api.post("li", "/cases", json={**body, "matter_id": None, "request_id": rid}).json()
    assert (converted["matter_id"], converted["time_limit_days"]) == ("social-card", 10)
