"""The client and its forwarder over real HTTP: offline, 5xx, 4xx, lost replies, status, heartbeats."""

from __future__ import annotations

import time

import pytest

from kiosk.config.settings import parse_config
from kiosk.queue.client import HelpQueueClient
from kiosk.queue.forwarder import Backoff
from tests.queue.test_outbox_stub import TOKEN, QueueStub


def make_config(tmp_path, url: str, token: str = TOKEN):
    catalog = tmp_path / "matters.toml"
    catalog.write_text("")
    return parse_config({"kiosk_id": "zd-qj-01", "state_dir": str(tmp_path / "state"), "catalog": str(catalog),
                         "site": {"level": "district", "code": "421303", "name": "曾都区政务服务中心"},
                         "queue": {"url": url, "token": token, "timeout_s": 2}})


def k1_client(tmp_path, url: str, world, poll_interval_s: float):
    """The real kiosk-side client of kiosk ``k1`` (site T1) talking to the server at ``url``."""
    from kiosk.queue.client import HelpQueueClient

    cfg = make_config(tmp_path, url, world.kiosk_tokens["k1"])
    cfg.kiosk_id, cfg.site.code = "k1", "T1"
    return HelpQueueClient(cfg, poll_interval_s=poll_interval_s)


def until(predicate, timeout: float = 30.0) -> bool:
    """True as soon as ``predicate()`` holds; the generous default is for a loaded 2-core machine (it costs
    nothing when the predicate holds at once)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def stub():
    s = QueueStub()
    yield s
    s.stop()


@pytest.fixture
def client_for(tmp_path):
    made = []

    def make(url: str, token: str = TOKEN) -> HelpQueueClient:
        c = HelpQueueClient(make_config(tmp_path, url, token), poll_interval_s=0.1)
        c.forwarder.backoff = Backoff(initial=0.05, maximum=0.2)
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()


def test_a_call_is_delivered_once_and_its_status_followed(stub, client_for):
    client = client_for(stub.url)
    client.start()
    rid = client.call_helper("assist", "matter", matter_id="m1", matter_name="养老保险", ticket_no="A017",
                             resident={"name": "张三", "id_number": "11010519491231002X"}, visit_id="v1")
    assert client.call_helper("assist", "result", visit_id="v1") == rid  # pressed again: the same request
    assert until(lambda: client.status(rid)["state"] == "waiting")
    assert stub.created == {rid: 1}
    body = stub.requests[rid]["body"]
    assert (body["kiosk_id"], body["site_code"], body["ticket_no"]) == ("zd-qj-01", "421303", "A017")
    assert client.online and client.notice() is None and client.pending_count() == 0
    assert client.outbox.get(rid).body["resident"] is None  # gone from the kiosk once the server has it
    stub.requests[rid]["state"] = "claimed"
    assert until(lambda: client.status(rid)["helper_display"] == "帮办员 李*")
    assert client.status_text(rid) == "帮办员 李* 正在赶来"


def test_offline_calls_wait_and_go_when_the_network_returns(tmp_path, client_for):
    stub = QueueStub()
    port = stub.url.rsplit(":", 1)[1]
    stub.stop()  # the network is down before the kiosk starts
    client = client_for(f"http://127.0.0.1:{port}")
    client.start()
    ids = [client.call_helper("call", "start", visit_id=f"v{i}") for i in range(5)]
    assert until(lambda: client.last_error is not None)
    assert not client.online and client.notice() == "已记录，网络恢复后自动发送"
    assert client.pending_count() == 5 and client.status(ids[0])["state"] == "queued"
    assert client.status_text(ids[0]) == "已记录，网络恢复后自动发送"
    stub._port = int(port)
    stub.start()  # the network is back
    try:
        assert until(lambda: client.pending_count() == 0, 10)
        assert list(stub.created) == ids and set(stub.created.values()) == {1}  # in order, once each
        assert client.online and client.notice() is None
    finally:
        stub.stop()


def test_server_errors_are_retried_and_a_lost_reply_makes_no_duplicate(stub, client_for):
    stub.fail = [500, 503, 429, 408]
    stub.lose_reply = 1
    client = client_for(stub.url)
    client.start()
    rid = client.call_helper("consult", "start")
    assert until(lambda: client.status(rid)["delivered"])
    assert stub.created == {rid: 1}
    assert stub.posts == 6  # four failures, one stored-but-lost reply, one replay answered 200
    assert client.outbox.get(rid).attempts == 5


def test_a_refused_request_is_kept_dead_with_the_servers_message(stub, client_for):
    client = client_for(stub.url)
    bad = client.call_helper("call", "start")
    # a body the server refuses (as if an older kiosk version sent a kind the server no longer knows)
    item = client.outbox.get(bad)
    client.outbox._db.execute("DELETE FROM items WHERE id=?", (bad,))
    client.outbox.enqueue("request", "POST", "/api/v1/requests", {**item.body, "kind": "bogus"}, item_id=bad)
    good = client.call_helper("call", "start")
    client.start()
    assert until(lambda: client.status(good)["delivered"])
    st = client.status(bad)
    assert st["state"] == "failed"
    assert "HTTP 422" in st["error"] and "kind: Input should be" in st["error"]
    assert "11010519491231002X" not in st["error"]  # echoed personal data never kept in clear
    assert client.outbox.counts()["dead"] == 1
    assert client.outbox.retry_dead() == 1  # visible and retryable, never silently dropped


def test_a_wrong_token_is_permanent(stub, client_for):
    client = client_for(stub.url, token="wrong")
    client.start()
    rid = client.call_helper("call", "start")
    assert until(lambda: client.status(rid)["state"] == "failed")
    assert "HTTP 401" in client.status(rid)["error"]


def test_cancel_follows_its_request_and_frees_the_visit(stub, client_for):
    client = client_for(stub.url)
    rid = client.call_helper("assist", "identify", visit_id="v1")
    client.cancel(rid, "resident_left")
    assert client.call_helper("assist", "identify", visit_id="v1") != rid
    client.start()
    assert until(lambda: client.pending_count() == 0)
    assert stub.cancels == [rid] and stub.requests[rid]["state"] == "cancelled"
    with pytest.raises(ValueError, match="reason"):
        client.cancel(rid, "bored")


def test_heartbeats_coalesce_while_offline(tmp_path, client_for):
    client = client_for("http://127.0.0.1:9")  # nothing listens there
    from kiosk.devices.base import Health, HealthState

    for n in range(4):
        client.heartbeat([Health("printer", HealthState.ERROR, "缺纸", {"paper": "out", "n": n})])
    items = client.outbox.items()
    assert len(items) == 1 and items[0].body["devices"][0]["detail"]["n"] == 3
    assert items[0].body["devices"][0]["state"] == "error"


def test_stop_is_prompt_even_while_backing_off(tmp_path, client_for):
    client = client_for("http://127.0.0.1:9")
    client.forwarder.backoff = Backoff(initial=30, maximum=60)
    client.start()
    client.call_helper("call", "start")
    assert until(lambda: client.last_error is not None)
    started = time.monotonic()
    client.forwarder.stop()
    assert time.monotonic() - started < 1.0 and not client.forwarder.running


def test_bad_arguments_are_refused_before_anything_is_stored(stub, client_for):
    client = client_for(stub.url)
    with pytest.raises(ValueError, match="kind: 'help' is not one of"):
        client.call_helper("help", "start")
    with pytest.raises(ValueError, match="priority"):
        client.call_helper("call", "start", priority="vip")
    assert client.pending_count() == 0


def test_an_idle_kiosk_finds_out_it_is_online(stub, client_for):
    client = client_for(stub.url)
    client.forwarder.probe_interval_s = 0.1
    assert client.notice() == "已记录，网络恢复后自动发送"  # nothing known yet
    client.start()
    assert until(lambda: client.online)
    assert client.notice() is None and stub.posts == 0
    stub.stop()
    client.call_helper("call", "start")
    assert until(lambda: not client.online)  # the next exchange tells it the server went away
