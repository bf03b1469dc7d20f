"""The 设置 segment on a 360 px phone (headless Chromium, the real server): sites go by their names, not their
codes (the webhook form's site picker, each site's 「… 全部终端的默认设置」, a kiosk's line, the sheet's
title), and in a kiosk's settings sheet the 添加一项设置 picker and 保存 are each a tap target of at least
44 px, apart from each other."""

from __future__ import annotations

import pytest

from tests.queue.test_console_browser import browser, db_url, server  # noqa: F401 - fixtures
from tests.queue.test_console_phone_work_browser import open_phone
from tests.queue.test_kiosk_config_browser import _beat

pytestmark = pytest.mark.browser
NAME = "南郊街道便民服务中心"  # site T1


def test_sites_go_by_name_and_the_settings_sheet_is_tappable_at_360_px(server, world, browser):  # noqa: F811
    _beat(server, world, config_version="0.0")
    mgr = open_phone(browser, server.url, "mgr", 360, 740, "zh_CN")
    mgr.click("#tab-manage")
    mgr.click("[data-seg=setup]")
    mgr.wait_for_selector("[data-webhook-form] select[name=site] option", state="attached")
    assert mgr.inner_text("[data-edit-site=T1]") == f"{NAME} 全部终端的默认设置"
    options = mgr.eval_on_selector_all("[data-webhook-form] select[name=site] option", "(o) => o.map((x) => [x.value, x.text])")
    assert options == [["T1", NAME]]  # the code is sent, the name is shown
    assert NAME in mgr.locator(".card:has([data-running=k1])").inner_text()
    mgr.click("[data-edit-site=T1]")
    mgr.wait_for_selector("#sheet:not([hidden]) [data-add-key]")
    assert NAME in mgr.inner_text("#sheet-title")

    mgr.click("#sheet-back")
    mgr.click("[data-edit-kiosk=k1]")
    mgr.wait_for_selector("#sheet:not([hidden]) [data-add-key]")
    mgr.select_option("[data-add-key]", "ui.idle_timeout_s")  # a row above the picker, as when editing
    pick, save = mgr.locator("[data-add-key]").bounding_box(), mgr.locator("[data-save-config]").bounding_box()
    assert pick["height"] >= 44 and save["height"] >= 44, (pick, save)
    assert save["y"] - (pick["y"] + pick["height"]) >= 8, (pick, save)  # not touching: a thumb hits one of them
    assert pick["x"] >= 0 and pick["x"] + pick["width"] <= 360 and save["x"] + save["width"] <= 360
