"""The 设置 segment in headless Chromium against the real server: a manager sees each kiosk's running config
and software version, edits a kiosk's settings (a new audited version the kiosk gets in its heartbeat answer),
adds a signed 钉钉 robot that then receives a new request, and sees a dead webhook's last error. Screenshots
go to $KIOSK_SCREENSHOTS (or a temp dir)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.queue.conftest import auth
from tests.queue.test_console_browser import browser, db_url, phone, server, shots  # noqa: F401
from tests.queue.webhook_receiver import Receiver

pytestmark = pytest.mark.browser


def _beat(srv, world, **extra):
    body = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": world.ctx.settings.clock().isoformat(),
            "devices": [], "software_version": "0.1.0", "catalog_version": "sample-2026.1", **extra}
    answer = httpx.post(srv.url + "/api/v1/heartbeats", json=body, headers=auth(world.kiosk_tokens["k1"]))
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]


def test_manager_sets_up_kiosks_and_webhooks(server, world, browser, shots, ctx):  # noqa: F811
    ctx.webhooks.retry_s = 0.2
    _beat(server, world, config_version="0.0")
    mgr = phone(browser, server.url, "mgr")
    mgr.click("#tab-manage")
    mgr.click("[data-seg=setup]")
    mgr.wait_for_selector("[data-running=k1]")
    running = mgr.inner_text("[data-running=k1]")
    assert "运行配置 0.0" in running and "软件 0.1.0" in running and "事项目录 sample-2026.1" in running

    mgr.click("[data-edit-kiosk=k1]")
    mgr.wait_for_selector("#sheet:not([hidden])")
    mgr.select_option("[data-add-key]", "ui.idle_timeout_s")
    mgr.fill("input[data-key='ui.idle_timeout_s']", "150")
    mgr.select_option("[data-add-key]", "ui.elderly_mode_default")
    mgr.check("input[data-key='ui.elderly_mode_default']")
    mgr.screenshot(path=str(shots / "console_config_edit.png"))
    mgr.click("[data-save-config]")
    mgr.wait_for_selector("#toast:has-text('已保存第 1 版')")
    shown = httpx.get(server.url + "/api/v1/kiosk-config", params={"site_code": "T1", "kiosk_id": "k1"},
                      headers=auth(world.token("mgr"))).json()
    assert shown["settings"] == {"ui.idle_timeout_s": 150, "ui.elderly_mode_default": True}
    assert shown["history"][0]["author"] == "user:mgr"
    assert _beat(server, world, config_version="0.0")["version"] == "0.1"  # delivered in the heartbeat answer
    _beat(server, world, config_version="0.1")

    with Receiver() as receiver:
        mgr.click("[data-seg=requests]")
        mgr.click("[data-seg=setup]")
        mgr.wait_for_selector("[data-running=k1]:has-text('运行配置 0.1')")
        mgr.select_option("[data-webhook-form] select[name=kind]", "dingtalk")
        mgr.fill("[data-webhook-form] input[name=url]", receiver.base + "/ding/robot/send?access_token=abcdef0123456789")
        mgr.fill("[data-webhook-form] input[name=secret]", "SECtopsecret0042")
        mgr.click("[data-webhook-form] button[type=submit]")
        mgr.wait_for_selector("[data-webhook]")
        mgr.fill("[data-webhook-form] input[name=url]", "http://127.0.0.1:9/nothing-here")
        mgr.select_option("[data-webhook-form] select[name=kind]", "json")
        mgr.fill("[data-webhook-form] input[name=secret]", "")
        mgr.click("[data-webhook-form] button[type=submit]")
        mgr.wait_for_selector("[data-webhook]:nth-of-type(2)", timeout=8000)
        body = world.request_body(resident={"name": "王小明", "id_number": "11010519491231002X"})
        assert httpx.post(server.url + "/api/v1/requests", json=body,
                          headers=auth(world.kiosk_tokens["k1"])).status_code == 201
        post = receiver.wait("ding", 1, timeout=10)[0]
        assert "王小明" not in post["body"].decode() and "王**" in post["body"].decode() and post["query"]["sign"]
        for _ in range(100):  # the dead one's first failure recorded
            mgr.click("[data-seg=requests]")
            mgr.click("[data-seg=setup]")
            mgr.wait_for_selector("[data-webhook]")
            if mgr.locator("[data-last-error]").count():
                break
            mgr.wait_for_timeout(200)
    text = mgr.inner_text("#manage")
    assert "已发送 1" in text and "最近错误" in text and "ConnectError" in text
    assert "SECtopsecret0042" not in text and "abcdef0123456789" not in text and "…6789" in text
    mgr.wait_for_selector("#toast", state="hidden", timeout=15000)
    mgr.screenshot(path=str(shots / "console_setup.png"), full_page=True)
