"""The 代办台账 view in headless Chromium against the real server: a helper turns a kiosk's call into a
代办 case with the handover form, advances it and hands it back with both confirmations; the manager
sees it and exports the ledger. Screenshots (390×844) go to $KIOSK_SCREENSHOTS or the test's temp dir."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import load_workbook

from kiosk.queue.ledger_export import COLUMNS
from tests.queue.case_helpers import fill_case_form
from tests.queue.test_console_browser import browser, db_url, kiosk, phone, server, shots  # noqa: F401
from tests.queue.test_outbox_forwarder import until

pytestmark = pytest.mark.browser


def test_register_advance_and_return_a_case_then_export(server, kiosk, world, browser, shots):  # noqa: F811
    li = phone(browser, server.url, "li")
    rid = kiosk.call_helper("proxy", "result", matter_name="个体工商户设立登记", ticket_no="B003",
                            resident={"name": "张三丰", "id_number": "11010519491231002X"}, visit_id="v-1")
    card = f"article[data-id='{rid}']"
    li.click(f"{card} [data-act=claim]")
    li.wait_for_selector(f"{card}.mine[data-state=claimed]")
    li.click(f"{card} [data-act=arrive]")
    li.click(f"{card}[data-state=arrived] [data-act=convert]")
    li.wait_for_selector("#sheet:not([hidden]) #cf-submit")
    assert li.input_value("#cf-matter") == "个体工商户设立登记"
    li.click("#cf-submit")  # nothing filled in: told what is missing, nothing sent
    assert li.inner_text("#cf-error") == "请先让申请人签署授权委托书"
    fill_case_form(li)
    li.click("#cf-add-mat")
    li.fill("#cf-mats .mat:nth-child(2) [name=mname]", "经营场所证明")
    li.select_option("#cf-mats .mat:nth-child(2) [name=mform]", "copy")
    li.fill("#cf-mats .mat:nth-child(2) [name=mcount]", "2")
    li.screenshot(path=str(shots / "cases_register_form.png"))
    li.click("#cf-submit")
    li.wait_for_selector("#view-cases:not([hidden]) article.case[data-state=registered]")
    assert "已登记，序号 1" in li.inner_text("#toast")
    text = li.inner_text("article.case")
    assert "个体工商户设立登记" in text and "张** 110105********002X · 138****5678" in text
    assert "张三丰" not in text and "承诺 2026-12-04 前办结（5 个工作日）" in text
    assert "身份证（原件×1）；经营场所证明（复印件×2）" in text
    li.screenshot(path=str(shots / "cases_list_registered.png"))
    assert until(lambda: li.locator(card).count() == 0)  # the call left the queue: converted

    li.click("article.case [data-cact=identity]")
    li.wait_for_selector("article.case >> text=张三丰 11010519491231002X 13812345678")
    li.click("article.case [data-cact=start]")
    li.fill("#cf-dept", "市场监管局窗口")
    li.click("#cf-dept-ok")
    li.wait_for_selector("article.case[data-state=in_progress] >> text=市场监管局窗口")
    li.click("article.case [data-cact=complete]")
    li.click("#cf-confirm")
    li.wait_for_selector("article.case[data-state=completed]")
    li.click("article.case [data-cact=return]")
    assert li.is_disabled("#rt-confirm")  # both sides must confirm
    li.check("#rt-applicant")
    assert li.is_disabled("#rt-confirm")
    li.check("#rt-agent")
    li.screenshot(path=str(shots / "cases_return_sheet.png"))
    li.click("#rt-confirm")
    li.wait_for_selector("article.case", state="detached")  # no longer open
    assert "双方签收完成" in li.inner_text("#toast")
    li.click("[data-cseg=all]")
    li.wait_for_selector("article.case[data-state=returned]")

    mgr = phone(browser, server.url, "mgr")
    mgr.click("#tab-cases")
    mgr.click("[data-cseg=all]")
    mgr.wait_for_selector("article.case[data-state=returned]")
    assert mgr.is_visible("#case-export") and not li.is_visible("#case-export")
    mgr.screenshot(path=str(shots / "cases_manager_all.png"))
    with mgr.expect_download() as dl:
        mgr.click("#case-export")
    assert dl.value.suggested_filename == "代办台账_20251129-20261128.xlsx"
    with open(dl.value.path(), "rb") as fh:  # playwright keeps downloads without a suffix
        ws = load_workbook(io.BytesIO(fh.read()))["代办台账"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1] == COLUMNS and rows[2][2] == "张三丰" and rows[2][9].startswith("结果及材料已移交")
    token = world.token("li")
    got = httpx.get(f"{server.url}/api/v1/requests/{rid}", headers={"Authorization": f"Bearer {token}"}).json()
    assert got["state"] == "converted" and got["case_id"].startswith("DB-")


def test_manager_sees_overdue_cases_flagged(server, world, ctx, clock, browser, shots):  # noqa: F811
    token = world.token("li")
    body = {"matter_name": "不动产登记", "time_limit_days": 1, "applicant": {"name": "钱多多", "phone": "13700001234"},
            "authorization": {"signed": True}, "materials": [{"name": "房产证", "form": "original", "count": 1}]}
    late = httpx.post(f"{server.url}/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"}).json()
    httpx.post(f"{server.url}/api/v1/cases", json=body | {"time_limit_days": 30},
               headers={"Authorization": f"Bearer {token}"})
    clock.advance(3 * 86400)  # Tue 1 Dec: the 1-day case (due Mon 30 Nov) is overdue
    mgr = phone(browser, server.url, "mgr")
    mgr.wait_for_selector("#case-badge:not([hidden])")
    assert mgr.inner_text("#case-badge") == "1"
    mgr.click("#tab-cases")
    first = mgr.locator("article.case").first
    mgr.wait_for_selector("article.case.escalated")
    assert first.get_attribute("data-case") == late["id"]  # overdue first
    assert "已超期" in first.inner_text() and "超期 1 天" in first.inner_text()
    assert "共 2 件　超期 1　即将到期 0" in mgr.inner_text("#case-summary")
    mgr.screenshot(path=str(shots / "cases_manager_overdue.png"))


def test_cases_and_overdue_flags_arrive_live_without_reloading(server, world, ctx, clock, browser, shots):  # noqa: F811
    li = phone(browser, server.url, "li")
    li.click("#tab-cases")
    li.wait_for_selector("#cases >> text=暂无")
    mgr = phone(browser, server.url, "mgr")
    assert mgr.is_hidden("#case-badge")  # nothing open yet
    body = {"matter_name": "开具无犯罪记录证明", "time_limit_days": 0, "applicant": {"name": "钱多多"},  # 即办
            "authorization": {"signed": True}, "materials": [{"name": "身份证", "form": "original", "count": 1}]}
    r = httpx.post(f"{server.url}/api/v1/cases", json=body, headers={"Authorization": f"Bearer {world.token('wang')}"})
    assert r.status_code == 201, r.text
    card = f"article.case[data-case='{r.json()['id']}']"
    li.wait_for_selector(f"{card}.waiting", timeout=3000)  # wang's case, due today, appears live
    mgr.wait_for_selector("#case-badge:not([hidden])", timeout=3000)  # no 60 s poll: pushed
    assert mgr.inner_text("#case-badge") == "1"
    assert li.is_hidden(f"{card}.escalated")
    clock.advance(11 * 3600)  # past midnight in the hall (sessions last 12 h)
    ctx.cases.sweep()
    li.wait_for_selector(f"{card}.escalated", timeout=3000)  # the overdue flag, live
    assert "已超期" in li.inner_text(card)
    li.screenshot(path=str(shots / "cases_live_overdue.png"))
