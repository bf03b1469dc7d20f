"""Webhooks: each format received by a real local HTTP server within 2 s of a request, masked data only,
signatures verified; failures retried and shown to managers; escalation announced; hostile input refused."""

from __future__ import annotations

import hashlib
import hmac
import os
import time

import httpx
import pytest

from kiosk.queue.webhook_formats import dingtalk_sign, feishu_sign, json_signature
from tests.queue.conftest import auth
from tests.queue.webhook_receiver import Receiver

NAME, ID_NUMBER = "张三丰", "11010519491231002X"
SECRETS = {"dingtalk": "SECdd0123456789abcdef", "feishu": "fs-secret-42", "json": "json-secret-7"}


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def _add(http, token, kind, url, secret=None, site="T1"):
    body = {"site_code": site, "kind": kind, "url": url, **({"secret": secret} if secret else {})}
    return http.post("/api/v1/webhooks", json=body, headers=auth(token))


def _request(http, world, **over):
    body = world.request_body(resident={"name": NAME, "id_number": ID_NUMBER}, **over)
    answer = http.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]))
    assert answer.status_code == 201, answer.text
    return body


def _listed(http, token, done, timeout=30.0) -> list[dict]:
    """The webhooks list once ``done(list)`` holds (the sender records a result just after the post)."""
    deadline = time.monotonic() + timeout
    while True:
        listed = http.get("/api/v1/webhooks", headers=auth(token)).json()
        if done(listed) or time.monotonic() > deadline:
            return listed
        time.sleep(0.05)


def _assert_masked(post):
    text = post["body"].decode()
    assert NAME not in text and ID_NUMBER not in text and ID_NUMBER[:6] not in text and "002X" not in text
    assert "张**" in text and "A017" in text and "城乡居民养老保险参保登记" in text


def test_each_format_arrives_within_2s_masked_and_signed(world, live, receiver):
    token = world.token("mgr")
    with httpx.Client(base_url=live.url, timeout=10) as http:
        urls = {"wecom": f"{receiver.base}/wecom/cgi-bin/webhook/send?key=abcd-1234-secret-key",
                "dingtalk": f"{receiver.base}/dingtalk/robot/send?access_token=tok0123456789",
                "feishu": f"{receiver.base}/feishu/open-apis/bot/v2/hook/0a1b2c3d",
                "json": f"{receiver.base}/json/hook"}
        for kind, url in urls.items():
            answer = _add(http, token, kind, url, SECRETS.get(kind))
            assert answer.status_code == 201, answer.text
        _request(http, world)
        sent_at = time.monotonic()
        posts = {kind: receiver.wait(kind, timeout=30)[0] for kind in urls}
        listed = _listed(http, token, lambda rows: all(w["sent"] for w in rows))
    overloaded = os.getloadavg()[0] > 2 * (os.cpu_count() or 1)  # then every process waits its turn
    for kind, post in posts.items():  # the bar: 2 s (bench/bench_webhooks.py measures it: p90 ~0.5 s)
        took = post["at"] - sent_at
        assert took < 2.0 or (overloaded and took < 6.0), (kind, took, os.getloadavg())
        _assert_masked(post)
    assert posts["wecom"]["json"]["msgtype"] == "markdown" and "【新求助】" in posts["wecom"]["json"]["markdown"]["content"]
    assert posts["wecom"]["query"] == {"key": "abcd-1234-secret-key"}
    ding = posts["dingtalk"]
    assert ding["json"]["msgtype"] == "markdown" and ding["json"]["markdown"]["title"]
    ts = int(ding["query"]["timestamp"])
    assert abs(ts / 1000 - time.time()) < 60 and ding["query"]["access_token"] == "tok0123456789"
    assert ding["query"]["sign"] == dingtalk_sign(SECRETS["dingtalk"], ts)  # as 钉钉 checks it
    expected = hmac.new(SECRETS["dingtalk"].encode(), f"{ts}\n{SECRETS['dingtalk']}".encode(), hashlib.sha256)
    import base64

    assert ding["query"]["sign"] == base64.b64encode(expected.digest()).decode()
    fs = posts["feishu"]["json"]
    assert fs["msg_type"] == "text" and fs["sign"] == feishu_sign(SECRETS["feishu"], int(fs["timestamp"]))
    js = posts["json"]
    assert js["json"]["site"] == "T1" and js["json"]["events"][0]["type"] == "request.created"
    assert js["headers"]["x-kiosk-signature"] == json_signature(SECRETS["json"], int(js["headers"]["x-kiosk-timestamp"]),
                                                                js["body"])
    # managers see what was sent, never a secret or a robot's whole token
    text = str(listed)
    assert all(w["sent"] == 1 and w["last_error"] is None for w in listed)
    assert all(s not in text for s in SECRETS.values()) and "abcd-1234-secret-key" not in text
    assert "tok0123456789" not in text and {w["secret_set"] for w in listed} == {True, False}


def test_failures_are_retried_and_shown(world, live, receiver, ctx):
    ctx.webhooks.retry_s = 0.3
    receiver.fail("wecom", 200, b'{"errcode":45009,"errmsg":"api freq out of limit"}')
    receiver.fail("json", 503, b"busy")
    token = world.token("mgr")
    with httpx.Client(base_url=live.url, timeout=10) as http:
        assert _add(http, token, "wecom", f"{receiver.base}/wecom/send?key=k1234567").status_code == 201
        assert _add(http, token, "json", f"{receiver.base}/json/hook").status_code == 201
        _request(http, world)
        for name in ("wecom", "json"):
            first, second = receiver.wait(name, 2, timeout=40)[:2]
            assert first["body"] == second["body"]  # the same message again
            assert second["at"] - first["at"] >= 0.25
        deadline = time.monotonic() + 30
        while True:
            listed = {w["kind"]: w for w in http.get("/api/v1/webhooks", headers=auth(token)).json()}
            if all(w["sent"] == 1 for w in listed.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert listed["wecom"]["failed"] == 1 and "45009" in listed["wecom"]["last_error"]
    assert listed["json"]["failed"] == 1 and "HTTP 503" in listed["json"]["last_error"]
    assert all(w["sent"] == 1 and not w["retrying"] and w["last_ok_at"] for w in listed.values())


def test_a_dead_receiver_is_given_up_and_others_still_sent(world, live, receiver, ctx):
    ctx.webhooks.retry_s, ctx.webhooks.max_attempts = 0.1, 3
    token = world.token("mgr")
    with httpx.Client(base_url=live.url, timeout=10) as http:
        dead = _add(http, token, "json", "http://127.0.0.1:9/nothing-listens").json()
        assert _add(http, token, "json", f"{receiver.base}/json/ok").status_code == 201
        _request(http, world)
        receiver.wait("json", 1, timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = next(w for w in http.get("/api/v1/webhooks", headers=auth(token)).json() if w["id"] == dead["id"])
            if row["dropped"]:
                break
            time.sleep(0.05)
    assert row["dropped"] == 1 and row["failed"] == 3 and row["sent"] == 0 and "Connect" in row["last_error"]


def test_escalation_is_announced_to_the_site_and_the_parent(world, live, receiver, clock):
    with httpx.Client(base_url=live.url, timeout=10) as http:
        assert _add(http, world.token("mgr"), "json", f"{receiver.base}/town/hook").status_code == 201
        assert _add(http, world.token("sup"), "json", f"{receiver.base}/district/hook", site="D").status_code == 201
        _request(http, world)
        receiver.wait("town", 1, timeout=30)
        clock.advance(11 * 60)  # past the town's 10 minutes: escalated up to the district
        lines = lambda name: [e["line"] for p in receiver.of(name) for e in p["json"]["events"]]  # noqa: E731
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (any("无人认领" in x for x in lines("district"))
                                                   and any("已上报上级站点" in x for x in lines("town"))):
            time.sleep(0.05)  # (each hook is sent on its own: either may come first)
    assert any("【无人认领】" in x and "已上报上级站点" in x for x in lines("town"))
    assert any("【无人认领】" in x for x in lines("district"))
    assert not any("新求助" in x for x in lines("district"))  # the town's own new requests are not the district's


def test_rate_limit_batches_what_waits(world, live, receiver, ctx):
    ctx.webhooks.burst, ctx.webhooks.per_minute = 1, 30  # one message, then one each 2 s
    with httpx.Client(base_url=live.url, timeout=10) as http:
        assert _add(http, world.token("mgr"), "json", f"{receiver.base}/json/hook").status_code == 201
        ids = [_request(http, world, ticket_no=f"A{n:03d}")["id"] for n in range(6)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            seen = [e for p in receiver.of("json") for e in p["json"]["events"]]
            if len(seen) >= 6:
                break
            time.sleep(0.05)
    posts = receiver.of("json")
    assert len(seen) == 6 and len(posts) < 6 and len(ids) == 6  # every event, in fewer messages
    gaps = [b["at"] - a["at"] for a, b in zip(posts, posts[1:], strict=False)]
    assert all(g >= 1.5 for g in gaps), gaps


@pytest.mark.parametrize("body, status", [
    ({"kind": "wecom", "url": "ftp://example.com/x"}, 422),
    ({"kind": "wecom", "url": "javascript:alert(1)"}, 422),
    ({"kind": "wecom", "url": "http://"}, 422),
    ({"kind": "wecom", "url": "http://a b.example/x"}, 422),
    ({"kind": "wecom", "url": "http://example.com/" + "x" * 600}, 422),
    ({"kind": "wecom", "url": "http://example.com:99999/x"}, 422),
    ({"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send", "secret": "S" * 10_000}, 422),
    ({"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send", "secret": "密钥"}, 422),
    ({"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send", "secret": "a\nb"}, 422),
    ({"kind": "sms", "url": "https://example.com/"}, 422),
    ({"kind": "json", "url": "https://example.com/", "extra": 1}, 422),
])
def test_hostile_input_is_refused(world, client, body, status):
    answer = client.post("/api/v1/webhooks", json={"site_code": "T1", **body}, headers=auth(world.token("mgr")))
    assert answer.status_code == status, answer.text
    assert client.get("/api/v1/webhooks", headers=auth(world.token("mgr"))).json() == []


def test_only_managers_of_the_site(world, client):
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"
    body = {"site_code": "T1", "kind": "wecom", "url": url}
    assert client.post("/api/v1/webhooks", json=body, headers=auth(world.token("li"))).status_code == 403
    assert client.post("/api/v1/webhooks", json=body | {"site_code": "T2"},
                       headers=auth(world.token("mgr"))).status_code == 403
    made = client.post("/api/v1/webhooks", json=body, headers=auth(world.token("mgr"))).json()
    assert client.get("/api/v1/webhooks", headers=auth(world.token("li"))).status_code == 403
    assert [w["id"] for w in client.get("/api/v1/webhooks", headers=auth(world.token("sup"))).json()] == [made["id"]]
    assert client.delete(f"/api/v1/webhooks/{made['id'] + 1000}", headers=auth(world.token("mgr"))).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{made['id']}", headers=auth(world.token("mgr"))).status_code == 204
    assert client.get("/api/v1/webhooks", headers=auth(world.token("mgr"))).json() == []


def test_case_lines_name_no_one():
    from kiosk.queue.webhook_formats import describe

    event = {"type": "case.overdue", "site_code": "T1",
             "data": {"case": {"id": "DB-20261206-0A1B2C3D", "matter_name": "社保卡补办", "promised_date": "2026-12-10"}}}
    assert describe(event, {"T1": "南郊"}) == "【代办超期】南郊：代办件 DB-20261206-0A1B2C3D（社保卡补办）承诺 2026-12-10 办结，已超期"
    soon = describe({**event, "type": "case.due_soon"}, {})
    assert soon.startswith("【代办将到期】T1") and "超期" not in soon
    created = {"type": "request.created", "site_code": "T1",
               "data": {"request": {"resident_masked": "张** 110105********002X", "kind": "assist", "note": "电话 13800138000"}}}
    line = describe(created, {})
    assert "张**" in line and "110105" not in line and "138" not in line


def test_cli_add_list_remove(tmp_path, monkeypatch, capsys):
    import io
    import sys

    from kiosk.cli import main

    def run(*argv):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        code = main(["queue", *argv, "--state-dir", str(tmp_path / "st")])
        return (code, *capsys.readouterr())

    assert run("add-site", "--code", "T1", "--name", "南郊", "--level", "town")[0] == 0
    code, _, err = run("add-webhook", "--site", "T1", "--kind", "dingtalk", "--secret", "SECabc123456",
                       "--url", "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef")
    assert code == 0 and "webhook 1 added" in err and "0123456789abcdef" not in err and "…cdef" in err
    code, out, _ = run("list-webhooks")
    assert code == 0 and "dingtalk" in out and "(signed)" in out and "SECabc" not in out
    code, _, err = run("add-webhook", "--site", "T1", "--kind", "wecom", "--url", "file:///etc/passwd")
    assert code == 2 and "http://" in err
    code, _, err = run("add-webhook", "--site", "NOPE", "--kind", "wecom", "--url", "https://x.example/")
    assert code == 2 and "NOPE" in err
    assert run("remove-webhook", "--id", "1")[0] == 0
    assert run("remove-webhook", "--id", "1")[0] == 2
    code, out, err = run("list-webhooks")
    assert code == 0 and out == "" and "no webhooks" in err and "add-webhook" in err  # said, not a blank line


def test_two_server_processes_send_each_event_once(world, ctx, receiver, db_url):
    """Two servers on one PostgreSQL database, both sending: each event reaches the robot once (the lease)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("several server processes share PostgreSQL only")
    from kiosk.queue.api import build_context, create_app
    from tests.queue.conftest import LiveServer

    other = build_context(ctx.settings)
    try:
        with LiveServer(create_app(ctx.settings, ctx)) as one, LiveServer(create_app(other.settings, other)) as two, \
                httpx.Client(base_url=one.url, timeout=10) as http1, httpx.Client(base_url=two.url, timeout=10) as http2:
            assert _add(http1, world.token("mgr"), "json", f"{receiver.base}/json/hook").status_code == 201
            tickets = [f"P{n:03d}" for n in range(8)]
            for n, ticket in enumerate(tickets):
                _request(http1 if n % 2 else http2, world, ticket_no=ticket)
                time.sleep(0.3)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                lines = [e["line"] for p in receiver.of("json") for e in p["json"]["events"]]
                if all(any(t in x for x in lines) for t in tickets):
                    break
                time.sleep(0.05)
            time.sleep(1.5)  # a second sender would have sent by now
    finally:
        other.db.dispose()
    lines = [e["line"] for p in receiver.of("json") for e in p["json"]["events"]]
    assert sorted(x.split("票号 ")[1] for x in lines) == tickets  # each once, none twice


def test_a_case_falling_due_is_announced_without_the_applicant(world, live, receiver, clock, ctx):
    from tests.queue.case_helpers import handover

    with httpx.Client(base_url=live.url, timeout=10) as http:
        assert _add(http, world.token("mgr"), "wecom", f"{receiver.base}/wecom/send?key=k").status_code == 201
        made = http.post("/api/v1/cases", json=handover(), headers=auth(world.token("li")))
        assert made.status_code == 201, made.text
        for _day in range(1, 30):  # until the deadline sweep flags it overdue
            clock.advance(86400)
            ctx.cases.sweep()
            texts = [p["json"]["markdown"]["content"] for p in receiver.of("wecom")]
            if any("代办超期" in x for x in texts):
                break
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("代办超期" in x for x in texts):
            time.sleep(0.05)
            texts = [p["json"]["markdown"]["content"] for p in receiver.of("wecom")]
    case_id = made.json()["id"]
    assert any("【代办将到期】" in x and case_id in x for x in texts), texts
    assert any("【代办超期】" in x and case_id in x and "个体工商户设立登记" in x for x in texts), texts
    raw = b"".join(p["body"] for p in receiver.of("wecom")).decode()
    assert "张三丰" not in raw and "13812345678" not in raw and "11010519491231002X" not in raw
