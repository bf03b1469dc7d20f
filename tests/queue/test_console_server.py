"""What the helpers' console needs of the server (issue 14), on SQLite and PostgreSQL: typed ID numbers
checked when a case is registered, the ledger's site column and per-site numbers, claims paused while
off duty, taps held back by a dead link refused, and plain words for states in error messages."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.queue.case_helpers import Api, handover
from tests.queue.conftest import auth


@pytest.fixture
def api(client, world):
    return Api(client, world)


@pytest.mark.parametrize("id_type,number", [("resident", "12345"), ("resident", "110105194912310021"),
                                            ("hk_mo_permit", "X1234567"), ("passport", "!")])
def test_an_invalid_typed_id_number_is_refused_in_plain_words(api, id_type, number):
    body = handover(applicant={"name": "张三丰", "id_number": number, "id_type": id_type})
    r = api.post("li", "/cases", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "case_id_number" and r.json()["detail"].startswith("证件号码不正确：")
    assert api.get("li", "/cases").json()["items"] == []  # nothing stored


def test_valid_numbers_of_each_card_type_are_kept_normalised(api):
    for id_type, typed, kept in (("resident", "110105 19491231 002x", "11010519491231002X"),
                                 ("hk_mo_permit", "h12345678", "H12345678"), ("tw_permit", "12345678", "12345678"),
                                 ("foreign_2017", "USA110000000001", "USA110000000001"), ("passport", "E1234567", "E1234567")):
        case = api.case(applicant={"name": "张三丰", "id_number": typed, "id_type": id_type})
        assert api.get("li", f"/cases/{case['id']}/applicant").json()["id_number"] == kept


def test_the_ledger_has_a_site_column_and_numbers_unique_across_sites(api):
    api.case()
    api.case()
    api.case("zhao")  # the other town's own #1
    r = api.get("sup", "/cases/export.xlsx")
    rows = [list(x) for x in load_workbook(io.BytesIO(r.content))["代办台账"].iter_rows(values_only=True)][2:]
    assert [x[0] for x in rows] == [1, 2, 3]  # 序号 unique in the export
    assert sorted((x[11], x[12]) for x in rows) == [("北郊街道便民服务中心", "T2-2026-0001"),
                                                   ("南郊街道便民服务中心", "T1-2026-0001"),
                                                   ("南郊街道便民服务中心", "T1-2026-0002")]


def test_off_duty_pauses_claims_until_on_duty_again(api, client, world):
    rid = client.post("/api/v1/requests", json=world.request_body(), headers=auth(world.kiosk_tokens["k1"])).json()["id"]
    assert api.client.put("/api/v1/me/duty", json={"on_duty": False}, headers=api._h("li")).json()["on_duty"] is False
    for path in (f"/requests/{rid}/claim", "/requests/claim-next"):
        r = api.post("li", path)
        assert r.status_code == 409 and r.json()["code"] == "off_duty" and "离岗" in r.json()["detail"]
    api.client.put("/api/v1/me/duty", json={"on_duty": True}, headers=api._h("li"))
    assert api.post("li", f"/requests/{rid}/claim").status_code == 200


def test_a_tap_arriving_after_its_deadline_is_not_carried_out(api, client, world, clock):
    rid = client.post("/api/v1/requests", json=world.request_body(), headers=auth(world.kiosk_tokens["k1"])).json()["id"]
    now_ms = int(clock().timestamp() * 1000)
    late = client.post(f"/api/v1/requests/{rid}/claim", headers={**api._h("li"), "X-KQ-Not-After": str(now_ms - 1)})
    assert late.status_code == 409 and late.json()["code"] == "stale_tap" and "没有执行" in late.json()["detail"]
    assert api.get("li", f"/requests/{rid}").json()["state"] == "waiting"
    ok = client.post(f"/api/v1/requests/{rid}/claim", headers={**api._h("li"), "X-KQ-Not-After": str(now_ms + 10_000)})
    assert ok.status_code == 200


def test_a_double_tap_is_explained_without_machine_words(api, client, world):
    rid = client.post("/api/v1/requests", json=world.request_body(), headers=auth(world.kiosk_tokens["k1"])).json()["id"]
    api.post("li", f"/requests/{rid}/claim")
    api.post("li", f"/requests/{rid}/arrive")
    again = api.post("li", f"/requests/{rid}/arrive").json()
    assert again["code"] == "wrong_state" and again["state"] == "arrived"
    assert "arrived" not in again["detail"] and "arrive" not in again["detail"] and "已到场" in again["detail"]


def test_me_tells_the_session_end_and_the_server_time(api, clock):
    me = api.get("li", "/me").json()
    assert me["session_expires_at"] and me["now"]
    from datetime import datetime
    left = datetime.fromisoformat(me["session_expires_at"]) - datetime.fromisoformat(me["now"])
    assert 11.9 * 3600 < left.total_seconds() <= 12 * 3600


def test_a_helper_hands_her_request_to_a_colleague_and_a_manager_dispatches(api, client, world):
    kiosk = auth(world.kiosk_tokens["k1"])
    rid = client.post("/api/v1/requests", json=world.request_body(), headers=kiosk).json()["id"]
    api.post("li", f"/requests/{rid}/claim")
    api.post("li", f"/requests/{rid}/arrive")
    who = api.get("li", f"/requests/{rid}/assignees").json()
    names = [w["display_name"] for w in who]
    assert "李四" not in names and "王五" in names and "周经理" in names and "赵六" not in names  # her site only
    wang = next(w["id"] for w in who if w["display_name"] == "王五")
    assert api.post("zhao", f"/requests/{rid}/assign", json={"helper_id": wang}).status_code == 404  # not his site
    api.get("wang", "/me")  # (wang logged in: on duty)
    moved = api.post("li", f"/requests/{rid}/assign", json={"helper_id": wang})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["state"], moved.json()["claimed_by"]["display_name"]) == ("arrived", "王五")
    assert api.post("li", f"/requests/{rid}/assign", json={"helper_id": wang}).json()["code"] == "not_yours"
    events = [e["type"] for e in api.get("mgr", f"/requests/{rid}/events").json()]
    assert events[-1] == "request.assigned"
    # a manager dispatches a waiting call; nobody gets it while off duty
    rid2 = client.post("/api/v1/requests", json=world.request_body(), headers=kiosk).json()["id"]
    li = world.user_ids["li"]
    api.client.put("/api/v1/me/duty", json={"on_duty": False}, headers=api._h("li"))
    off = api.post("mgr", f"/requests/{rid2}/assign", json={"helper_id": li})
    assert off.status_code == 409 and off.json()["code"] == "helper_off_duty" and "李四" in off.json()["detail"]
    api.client.put("/api/v1/me/duty", json={"on_duty": True}, headers=api._h("li"))
    sent = api.post("mgr", f"/requests/{rid2}/assign", json={"helper_id": li}).json()
    assert (sent["state"], sent["claimed_by"]["display_name"]) == ("claimed", "李四")
