"""The console shows a kiosk's notes on the request's card: live as they come, and again after a reload
(headless Chromium against the real server; text only, never markup)."""

from __future__ import annotations

import pytest

from tests.queue.test_console_browser import browser, db_url, kiosk, phone, server, shots  # noqa: F401
from tests.queue.test_outbox_forwarder import until

pytestmark = pytest.mark.browser


def test_a_kiosks_note_appears_on_the_card_live_and_after_reload(server, kiosk, browser, shots):  # noqa: F811
    rid = kiosk.call_helper("assist", "materials", matter_name="城乡居民养老保险参保登记", ticket_no="A017")
    page = phone(browser, server.url, "li")
    card = f"article[data-id='{rid}']"
    page.wait_for_selector(card)
    first = kiosk.add_note(rid, "打印机缺纸，请带上号码 11010519491231002X")
    page.wait_for_selector(f"{card} [data-note='{first}']")
    text = page.inner_text(f"{card} [data-note='{first}']")
    assert text.startswith("终端补充（") and "打印机缺纸，请带上号码" in text
    assert "11010519491231002X" not in page.content()
    second = kiosk.add_note(rid, "<b>居民已补拍材料</b>")  # shown as typed, never as markup
    page.wait_for_selector(f"{card} [data-note='{second}']")
    assert page.inner_text(f"{card} [data-note='{second}']").endswith("<b>居民已补拍材料</b>")
    assert page.locator(f"{card} [data-note] b").count() == 0
    page.click(f"{card} [data-act='claim']")  # a later event without notes keeps them on the card
    page.wait_for_selector(f"{card}[data-state='claimed']")
    assert page.locator(f"{card} [data-note]").count() == 2
    page.screenshot(path=str(shots / "console_note.png"))
    page.reload()
    page.wait_for_selector("#app:not([hidden])")
    page.wait_for_selector(f"{card} [data-note='{second}']")
    order = page.eval_on_selector_all(f"{card} [data-note]", "els => els.map((e) => e.dataset.note)")
    assert order == [first, second]
    assert until(lambda: kiosk.pending_count() == 0)
    page.context.close()
