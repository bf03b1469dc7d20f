"""Suspend, resume and hand over a 代办 case in the console (headless Chromium against the real server):
the agent stops the clock with a reason, resumes, offers the case to a colleague who accepts it on their
phone, and previews the 代办受理回执. Screenshots (390×844) go to $KIOSK_SCREENSHOTS or a temp dir."""

from __future__ import annotations

import httpx
import pytest

from tests.queue.case_helpers import handover
from tests.queue.test_console_browser import browser, db_url, phone, server, shots  # noqa: F401
from tests.queue.test_outbox_forwarder import until

pytestmark = pytest.mark.browser


def test_suspend_resume_transfer_accept_and_receipt(server, world, browser, shots):  # noqa: F811
    token = world.token("li")
    r = httpx.post(server.url + "/api/v1/cases", json=handover(), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    li = phone(browser, server.url, "li")
    li.click("[data-tab=cases]")
    card = "article.case"
    li.wait_for_selector(f"{card}[data-state=registered]")
    li.click(f"{card} [data-cact=suspend]")
    li.click("#mv-ok")  # no reason: told, nothing sent
    assert li.inner_text("#toast") == "请填写原因"
    li.fill("#mv-reason", "待申请人补交户口本")
    li.click("#mv-ok")
    li.wait_for_selector(f"{card}[data-state=suspended] >> text=中止计时：待申请人补交户口本")
    li.screenshot(path=str(shots / "case_suspended.png"))
    li.click(f"{card} [data-cact=resume]")
    li.wait_for_selector(f"{card}[data-state=registered]")
    li.click(f"{card} [data-cact=transfer]")
    li.wait_for_selector("#mv-target")
    assert "王五" in li.inner_text("#mv-target") and "曾都区政务服务中心 代办窗口" in li.inner_text("#mv-target")
    li.select_option("#mv-target", label="王五")
    li.fill("#mv-reason", "李四休假")
    li.click("#mv-ok")
    li.wait_for_selector(f"{card} >> text=待移交给 王五：李四休假")
    wang = phone(browser, server.url, "wang")
    wang.click("[data-tab=cases]")
    wang.wait_for_selector(f"{card} [data-cact=accept]")
    wang.screenshot(path=str(shots / "case_offered.png"))
    wang.click(f"{card} [data-cact=accept]")
    wang.wait_for_selector(f"{card} >> text=代办员 王五")
    assert "已接收该代办件" in wang.inner_text("#toast")
    wang.click(f"{card} [data-cact=receipt]")
    wang.wait_for_selector("#sheet:not([hidden]) img.slip")
    assert until(lambda: wang.evaluate("() => document.querySelector('img.slip').naturalWidth") == 576)
    wang.screenshot(path=str(shots / "case_receipt_sheet.png"), full_page=True)
