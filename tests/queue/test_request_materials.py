"""What the helper receives (issue 12, item 17), through the real kiosk client, outbox and server: the
masked name always, the materials' state as bounded structured data, and a 代办's full identity only for
the helper who claimed it."""

from __future__ import annotations

import httpx
import pytest

from kiosk.queue.forwarder import Backoff
from tests.queue.conftest import auth
from tests.queue.test_outbox_forwarder import k1_client, until

MATERIALS = [
    {"id": "id_card", "name": "居民身份证", "state": "paper", "required": True},
    {"id": "hukou", "name": "户口簿", "state": "present", "required": True},
    {"id": "photo", "name": "一寸照片", "state": "missing", "required": True},
    {"id": "proof", "name": "证明 11010519491231002X", "state": "unsure", "required": False},
]


@pytest.fixture
def db_url(sqlite_url):  # the kiosk-to-console contract does not depend on the backend
    return sqlite_url


@pytest.fixture
def kiosk(live, world, tmp_path):
    client = k1_client(tmp_path, live.url, world, poll_interval_s=0.1)
    client.forwarder.backoff = Backoff(initial=0.05, maximum=0.2)
    client.start()
    yield client
    client.stop()


def listed(url: str, token: str, rid: str) -> dict:
    r = httpx.get(f"{url}/api/v1/requests", headers=auth(token), timeout=10)
    assert r.status_code == 200, r.text
    found = [i for i in r.json()["items"] if i["id"] == rid]
    assert found, f"request {rid} not listed"
    return found[0]


def test_an_assist_request_carries_the_masked_name_and_each_materials_state(live, world, kiosk):
    rid = kiosk.call_helper("assist", "materials", "m1", "城乡居民养老保险参保登记", visit_id="v1",
                            name_masked="张*", materials=MATERIALS)
    assert until(lambda: kiosk.pending_count() == 0, 10)
    view = listed(live.url, world.token("li"), rid)
    assert view["resident_masked"] == "张*" and view["has_identity"] is False
    assert [(m["id"], m["state"], m["required"]) for m in view["materials"]] == [
        ("id_card", "paper", True), ("hukou", "present", True), ("photo", "missing", True),
        ("proof", "unsure", False)]
    assert "11010519491231002X" not in str(view)  # a number in a material's name is masked
    token = world.token("li")
    assert httpx.post(f"{live.url}/api/v1/requests/{rid}/claim", headers=auth(token), timeout=10).status_code == 200
    r = httpx.get(f"{live.url}/api/v1/requests/{rid}/identity", headers=auth(token), timeout=10)
    assert r.status_code == 404  # nothing but the masked name was sent


def test_a_full_name_sent_as_the_masked_name_is_masked_by_the_server(live, world, kiosk):
    rid = kiosk.call_helper("call", "start", visit_id="v2", name_masked="张三丰")
    assert until(lambda: kiosk.pending_count() == 0, 10)
    assert listed(live.url, world.token("li"), rid)["resident_masked"] == "张**"


def test_a_proxy_identity_is_shown_only_to_the_claiming_helper(live, world, kiosk):
    rid = kiosk.call_helper("proxy", "result", "m1", "城乡居民养老保险参保登记", visit_id="v3",
                            resident={"name": "张三", "id_number": "11010519491231002X"},
                            name_masked="张*", materials=MATERIALS[:2])
    assert until(lambda: kiosk.pending_count() == 0, 10)
    assert "11010519491231002X" not in str(kiosk.outbox.get(rid).body)  # erased once delivered
    li, wang = world.token("li"), world.token("wang")
    view = listed(live.url, li, rid)
    assert view["has_identity"] is True and view["resident_masked"].startswith("张*")
    assert "张三" not in str(view) and "11010519491231002X" not in str(view)
    path = f"{live.url}/api/v1/requests/{rid}/identity"
    assert httpx.get(path, headers=auth(li), timeout=10).status_code == 403  # nobody claimed it yet
    assert httpx.post(f"{live.url}/api/v1/requests/{rid}/claim", headers=auth(li), timeout=10).status_code == 200
    assert httpx.get(path, headers=auth(wang), timeout=10).status_code == 403  # another helper
    r = httpx.get(path, headers=auth(li), timeout=10)
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["id_number"]) == ("张三", "11010519491231002X")


@pytest.mark.parametrize("materials, field", [
    ([MATERIALS[0]] * 41, "materials"),
    ([{**MATERIALS[0], "state": "maybe"}], "state"),
    ([{**MATERIALS[0], "id": "a b"}], "id"),
    ([{**MATERIALS[0], "name": "长" * 61}], "name"),
    ([{**MATERIALS[0], "name": ""}], "name"),
])
def test_bad_materials_are_refused_with_the_field_named(live, world, materials, field):
    body = world.request_body(materials=materials)
    r = httpx.post(f"{live.url}/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]), timeout=10)
    assert r.status_code == 422, r.text
    assert field in r.text


def test_a_replay_with_other_materials_is_another_request(live, world):
    body = world.request_body(materials=MATERIALS[:1])
    headers = auth(world.kiosk_tokens["k1"])
    assert httpx.post(f"{live.url}/api/v1/requests", json=body, headers=headers, timeout=10).status_code == 201
    assert httpx.post(f"{live.url}/api/v1/requests", json=body, headers=headers, timeout=10).status_code == 200
    other = {**body, "materials": [{**MATERIALS[0], "state": "missing"}]}
    r = httpx.post(f"{live.url}/api/v1/requests", json=other, headers=headers, timeout=10)
    assert r.status_code == 409 and "id_reused" in r.text
