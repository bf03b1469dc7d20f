"""The console shows what the resident has of each material on the request's card (issue 12, item 17):
missing and unsure first, then what was brought or photographed; text only, never markup (headless
Chromium against the real server, the request from the real kiosk client)."""

from __future__ import annotations

import pytest

from tests.queue.test_console_browser import browser, db_url, kiosk, phone, server, shots  # noqa: F401

pytestmark = pytest.mark.browser

MATERIALS = [
    {"id": "id_card", "name": "居民身份证", "state": "paper", "required": True},
    {"id": "hukou", "name": "户口簿", "state": "present", "required": True},
    {"id": "photo", "name": "<b>一寸照片</b>", "state": "missing", "required": True},
    {"id": "proof", "name": "居住证明", "state": "unsure", "required": False},
]


def test_the_materials_state_shows_on_the_card_missing_first(server, kiosk, browser, shots):  # noqa: F811
    rid = kiosk.call_helper("assist", "materials", matter_name="城乡居民养老保险参保登记", ticket_no="A017",
                            name_masked="张*", materials=MATERIALS)
    plain = kiosk.call_helper("call", "start", ticket_no="A018")
    page = phone(browser, server.url, "li")
    card = f"article[data-id='{rid}']"
    page.click(f"{card} [data-act=more]")  # the list is compact: details open on 详情
    page.wait_for_selector(f"{card} [data-materials='4']")
    lines = page.eval_on_selector_all(f"{card} [data-mat]", "els => els.map((e) => [e.dataset.mat, e.textContent])")
    assert [state for state, _ in lines] == ["missing", "unsure", "paper", "present"]
    assert lines[0][1] == "没有：<b>一寸照片</b>" and page.locator(f"{card} .materials b").count() == 0
    assert lines[1][1] == "不确定，请帮忙看：居住证明（非必需）"
    assert "张*" in page.inner_text(card)
    page.wait_for_selector(f"article[data-id='{plain}']")
    assert page.locator(f"article[data-id='{plain}'] .materials").count() == 0
    page.screenshot(path=str(shots / "console_materials.png"))
    page.context.close()
