"""The 督查 report from the console (headless Chromium against the real server): the manager finds the
report links in the 督查 segment, downloads this month's workbook, and opens the printable page, which is
screenshotted at A4 width for a person to look at ($KIOSK_SCREENSHOTS or a temp dir)."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from tests.queue.conftest import auth
from tests.queue.test_console_browser import browser, db_url, phone, server, shots  # noqa: F401

pytestmark = pytest.mark.browser


def test_manager_downloads_and_opens_the_report(server, world, browser, shots, clock):  # noqa: F811
    body = world.request_body()
    assert httpx.post(server.url + "/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"])).status_code == 201
    mgr = phone(browser, server.url, "mgr")
    mgr.click("#tab-manage")
    mgr.click("[data-seg=figures]")
    month = f"{clock():%Y-%m}"  # the hall's month (the test clock is mid-morning in China)
    link = f"a[data-report='T1:{month}:xlsx']"
    mgr.wait_for_selector(link)
    assert "督查报告" in mgr.inner_text("#manage")
    mgr.screenshot(path=str(shots / "console_reports.png"))
    with mgr.expect_download() as got:
        mgr.click(link)
    wb = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))  # the download has no suffix
    assert wb["概况"].cell(5, 2).value == 1  # one call this month
    page = mgr.context.new_page()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.goto(server.url + mgr.get_attribute(f"a[data-report='T1:{month}:html']", "href"))
    page.wait_for_selector("svg.chart")
    assert "南郊街道便民服务中心 帮办代办督查月报" in page.inner_text("h1")
    page.screenshot(path=str(shots / "report_month.png"), full_page=True)
