"""代办 cases that pause and move, through the HTTP API on SQLite and PostgreSQL: suspension stops the
working-day clock (also across the National Day holiday), resumption moves the promise on; transfer to
another agent or to the parent site's window changes hands only on the receiver's acceptance; every step
is on the ledger and the chains still verify."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.queue.verify import verify
from tests.queue.case_helpers import Api


@pytest.fixture
def api(client, world):
    return Api(client, world)


def at(api, clock, when: datetime) -> None:
    """Moves the injected clock to ``when``; staff log in again (sessions last 12 h)."""
    clock.advance((when - clock()).total_seconds())
    api.tokens.clear()


def types(api, user, cid) -> list[str]:
    return [e["type"] for e in api.get(user, f"/cases/{cid}/events").json()]


def test_suspension_spanning_the_national_day_holiday_moves_the_promise(api, clock):
    at(api, clock, datetime(2026, 9, 28, 2, 0, tzinfo=UTC))  # Mon 28 Sep 2026, 10:00 in the hall
    case = api.case(time_limit_days=5)
    cid = case["id"]
    assert case["promised_date"] == "2026-10-10"  # 29, 30 Sep; 1–7 Oct off; 8, 9, 10 (a worked Saturday)
    assert api.post("li", f"/cases/{cid}/suspend", json={}).status_code == 422  # a reason is required
    at(api, clock, datetime(2026, 9, 29, 3, 0, tzinfo=UTC))
    s = api.post("li", f"/cases/{cid}/suspend", json={"reason": "待申请人补交户口本"})
    assert s.status_code == 200, s.text
    s = s.json()
    assert (s["state"], s["due"], s["days_left"]) == ("suspended", "suspended", None)
    assert s["suspension"]["reason"] == "待申请人补交户口本" and s["suspension"]["from_state"] == "registered"
    assert s["actions"] == ["cancel", "resume", "withdraw", "transfer"]
    assert api.post("li", f"/cases/{cid}/start", json={"department": "公安窗口"}).json()["code"] == "case_state"
    at(api, clock, datetime(2026, 10, 12, 2, 0, tzinfo=UTC))  # past the old promise: the clock stood still
    listed = api.get("mgr", "/cases").json()
    assert listed["overdue"] == 0 and listed["items"][0]["due"] == "suspended"
    assert api.get("mgr", "/cases/overdue").json()["items"] == []
    r = api.post("li", f"/cases/{cid}/resume", json={"note": "户口本已补交"}).json()
    # stood still: 30 Sep, 8, 9 and 10 Oct (the holiday in between cost nothing) → 4 working days later
    assert (r["state"], r["promised_date"], r["paused_days"], r["due"]) == ("registered", "2026-10-15", 4, "on_track")
    assert r["suspension"] is None
    history = api.get("li", f"/cases/{cid}/events").json()
    resumed = history[-1]
    assert resumed["type"] == "case.resumed" and resumed["data"]["paused_working_days"] == 4
    assert (resumed["data"]["promised_date_before"], resumed["data"]["promised_date"]) == ("2026-10-10", "2026-10-15")
    assert [e["type"] for e in history] == ["case.registered", "case.suspended", "case.resumed"]
    # suspended and resumed the same day from in progress: back to in progress, nothing added
    api.post("li", f"/cases/{cid}/start", json={"department": "公安窗口"})
    api.post("li", f"/cases/{cid}/suspend", json={"reason": "等待部门回复"})
    again = api.post("li", f"/cases/{cid}/resume").json()
    assert (again["state"], again["promised_date"], again["paused_days"]) == ("in_progress", "2026-10-15", 4)
    at(api, clock, datetime(2026, 10, 16, 2, 0, tzinfo=UTC))
    assert api.get("li", f"/cases/{cid}").json()["due"] == "overdue"  # the clock runs again


def test_suspend_and_resume_are_the_agents_or_a_managers(api):
    cid = api.case()["id"]
    assert api.post("wang", f"/cases/{cid}/suspend", json={"reason": "x"}).json()["code"] == "case_not_yours"
    assert api.post("li", f"/cases/{cid}/resume").json()["code"] == "case_state"
    assert api.post("mgr", f"/cases/{cid}/suspend", json={"reason": "待补正"}).json()["state"] == "suspended"
    assert api.post("zhao", f"/cases/{cid}/resume").status_code == 404  # another site: it does not exist
    done = api.post("li", f"/cases/{cid}/withdraw", json={"reason": "申请人撤回"}).json()
    assert done["state"] == "withdrawn" and done["suspension"] is None


def test_transfer_to_another_agent_takes_their_acceptance(api, world):
    cid = api.case()["id"]
    wang = world.user_ids["wang"]
    assert api.post("li", f"/cases/{cid}/transfer", json={"reason": "x"}).status_code == 422  # to whom?
    both = {"agent_id": wang, "to_parent": True, "reason": "x"}
    assert api.post("li", f"/cases/{cid}/transfer", json=both).status_code == 422
    targets = api.get("li", f"/cases/{cid}/transfer-targets").json()
    assert targets["parent"] == {"code": "D", "name": "曾都区政务服务中心"}
    assert {(a["id"], a["display_name"]) for a in targets["agents"]} == {(wang, "王五"), (world.user_ids["mgr"], "周经理")}
    assert api.get("wang", f"/cases/{cid}/transfer-targets").json()["code"] == "case_not_yours"
    far = api.post("li", f"/cases/{cid}/transfer", json={"agent_id": world.user_ids["zhao"], "reason": "x"})
    assert far.status_code == 404 and far.json()["code"] == "case_agent"  # not of the case's site
    offer = api.post("li", f"/cases/{cid}/transfer", json={"agent_id": wang, "reason": "李四休假"}).json()
    assert offer["agent"]["display_name"] == "李四" and offer["transfer"]["to_agent"]["display_name"] == "王五"
    assert offer["actions"][-1] == "decline"  # the offerer may withdraw it
    assert api.post("li", f"/cases/{cid}/transfer", json={"agent_id": wang, "reason": "x"}).json()["code"] == \
        "case_transfer_pending"
    assert api.post("mgr", f"/cases/{cid}/accept").json()["code"] == "case_not_receiver"
    seen = api.get("wang", f"/cases/{cid}").json()
    assert "accept" in seen["actions"] and "decline" in seen["actions"]
    no = api.post("wang", f"/cases/{cid}/decline", json={"reason": "手上件太多"}).json()
    assert no["transfer"] is None and no["agent"]["display_name"] == "李四"
    api.post("li", f"/cases/{cid}/transfer", json={"agent_id": wang, "reason": "李四休假"})
    took = api.post("wang", f"/cases/{cid}/accept").json()
    assert took["agent"] == {"id": wang, "display_name": "王五"} and took["transfer"] is None
    assert "start" in took["actions"]
    assert api.post("li", f"/cases/{cid}/start", json={"department": "x"}).json()["code"] == "case_not_yours"
    assert types(api, "wang", cid)[1:] == ["case.transfer_offered", "case.transfer_declined",
                                           "case.transfer_offered", "case.transferred"]
    assert api.post("wang", f"/cases/{cid}/accept").json()["code"] == "case_no_transfer"


def test_transfer_to_the_parent_sites_window(api, ctx, world):
    case = api.case()
    cid = case["id"]
    api.post("li", f"/cases/{cid}/start", json={"department": "市场监管局窗口"})
    offer = api.post("li", f"/cases/{cid}/transfer", json={"to_parent": True, "reason": "需区级联办"}).json()
    assert offer["transfer"]["to_site"] == "D" and offer["state"] == "in_progress"
    assert [i["id"] for i in api.get("dh", "/cases").json()["items"]] == [cid]  # the district's window sees it
    assert api.post("wang", f"/cases/{cid}/accept").json()["code"] == "case_not_receiver"
    took = api.post("dh", f"/cases/{cid}/accept").json()
    assert (took["site_code"], took["agent"]["display_name"], took["state"]) == ("D", "区帮办", "in_progress")
    assert took["seq"] == case["seq"] and took["id"] == cid  # the case keeps its number
    assert api.get("li", f"/cases/{cid}").status_code == 404  # no longer the town's
    done = api.post("dh", f"/cases/{cid}/complete", json={"note": "已办结"}).json()
    assert done["state"] == "completed"
    with ctx.db.read() as conn:
        result = verify(conn)
    assert result.ok, result.first_failure and result.first_failure.line()
    by_site = {s.site: s for s in result.sites}
    assert by_site["D"].entries >= 4 and by_site["T1"].entries >= 4  # the hand-over is on both chains
    history = api.get("dh", f"/cases/{cid}/events").json()
    transferred = [e for e in history if e["type"] == "case.transferred"]
    assert {e["site_code"] for e in transferred} == {"T1", "D"}
    assert transferred[0]["data"]["from_agent_name"] == "李四" and transferred[0]["data"]["to_site"] == "D"


def test_an_id_number_typed_into_a_reason_is_masked_like_every_other_free_text(api, world):
    """Suspension, resumption, transfer and decline reasons are free text a helper types (待申请人补交
    11010519491231002X 的户口本); they reached the ledger, the consoles and the webhooks whole, where every
    other free text of a case is masked on the way in."""
    cid = api.case()["id"]
    number = "11010519491231002X"
    assert api.post("li", f"/cases/{cid}/suspend", json={"reason": f"待{number}补交户口本"}).status_code == 200
    assert api.post("li", f"/cases/{cid}/resume", json={"note": f"{number}已补交"}).status_code == 200
    wang = world.user_ids["wang"]
    assert api.post("li", f"/cases/{cid}/transfer", json={"agent_id": wang, "reason": f"{number}改约"}).status_code == 200
    assert api.post("wang", f"/cases/{cid}/decline", json={"reason": f"不认识{number}"}).status_code == 200
    history = str(api.get("li", f"/cases/{cid}/events").json()) + str(api.get("li", f"/cases/{cid}").json())
    assert number not in history and "110105********002X" in history
