"""The kiosk client against the real help-queue server (FastAPI app under uvicorn, SQLite)."""

from __future__ import annotations

import httpx
import pytest

from kiosk.devices.base import Health, HealthState
from kiosk.queue.forwarder import Backoff
from tests.queue.conftest import auth
from tests.queue.test_outbox_forwarder import k1_client, until


@pytest.fixture
def db_url(sqlite_url):  # the outbox's contract with the server does not depend on the backend
    return sqlite_url


@pytest.fixture
def kiosk(world, live, tmp_path):
    client = k1_client(tmp_path, live.url, world, poll_interval_s=0.1)
    client.forwarder.backoff = Backoff(initial=0.05, maximum=0.2)
    yield client
    client.stop()


def staff_get(live, world, path: str, user: str = "li") -> httpx.Response:
    return httpx.get(live.url + path, headers=auth(world.token(user)))


def test_a_call_reaches_the_server_once_and_the_claim_comes_back(kiosk, world, live):
    resident = {"name": "张三", "id_number": "11010519491231002X"}
    rid = kiosk.call_helper("assist", "matter", matter_name="城乡居民养老保险参保登记", ticket_no="A017",
                            priority="elderly", resident=resident, visit_id="v1")
    kiosk.start()
    assert until(lambda: kiosk.status(rid)["state"] == "waiting")
    # as if the kiosk died after the server stored it but before the outbox marked it: sent again
    kiosk.outbox._db.execute("UPDATE items SET state='pending' WHERE id=?", (rid,))
    kiosk.forwarder.wake()
    assert until(lambda: kiosk.pending_count() == 0)
    listed = staff_get(live, world, "/api/v1/requests").json()["items"]
    assert [r["id"] for r in listed] == [rid]
    assert listed[0]["resident_masked"] and "张三" not in str(listed[0])
    token = world.token("li")
    assert httpx.post(f"{live.url}/api/v1/requests/{rid}/claim", headers=auth(token)).status_code == 200
    assert until(lambda: kiosk.status(rid)["state"] == "claimed")
    assert kiosk.status_text(rid) == f"{kiosk.status(rid)['helper_display']} 正在赶来"
    assert "李" in kiosk.status(rid)["helper_display"]


def test_a_refused_call_is_dead_with_the_servers_words(kiosk):
    rid = kiosk.call_helper("call", "start", ticket_no="X" * 40)  # longer than the server accepts
    kiosk.start()
    assert until(lambda: kiosk.status(rid)["state"] == "failed")
    assert "HTTP 422" in kiosk.status(rid)["error"] and "ticket_no" in kiosk.status(rid)["error"]


def test_cancel_and_heartbeat_reach_the_server(kiosk, world, live):
    rid = kiosk.call_helper("call", "result", visit_id="v2")
    kiosk.cancel(rid, "resident_left")
    kiosk.heartbeat([Health("printer", HealthState.CONNECTED, "", {"paper": "near_end"}),
                     Health("idcard", HealthState.ERROR, "读卡器无响应")])
    kiosk.start()
    assert until(lambda: kiosk.pending_count() == 0)
    assert kiosk.outbox.counts()["dead"] == 0
    got = staff_get(live, world, f"/api/v1/requests/{rid}").json()
    assert (got["state"], got["cancel_reason"]) == ("cancelled", "resident_left")
    assert kiosk.status(rid)["state"] == "cancelled"
    k1 = [k for k in staff_get(live, world, "/api/v1/kiosks", "mgr").json() if k["kiosk_id"] == "k1"][0]
    assert {d["device"] for d in k1["devices"]} == {"printer", "idcard"}
    assert "paper_near_end" in k1["problems"]
