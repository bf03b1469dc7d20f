"""我的 → 今日已办 of a helper with two weeks of work behind her (201 calls closed before today, one today): the
list shows today's one, not 0 (it read the oldest 200 she ever closed and kept today's)."""

from __future__ import annotations

import pytest

from tests.queue.test_console_browser import browser, db_url, server, shots  # noqa: F401 - fixtures
from tests.queue.test_console_phone_work_browser import open_phone
from tests.queue.test_today_done import closed_requests

pytestmark = pytest.mark.browser


def test_today_shows_todays_calls_after_weeks_of_work(server, world, ctx, clock, browser, shots):  # noqa: F811
    closed_requests(world, ctx, 201, "A001")
    clock.advance(2 * 86400)
    today = closed_requests(world, ctx, 1, "B777")
    li = open_phone(browser, server.url, "li", 360, 740, "zh_CN")
    li.click("#tab-me")
    li.wait_for_selector("#me-done h2 >> text=今日已办 1 条")
    rows = li.locator("#me-done .done-row").all()
    assert len(rows) == 1 and rows[0].get_attribute("data-done") == today[0] and "B777" in rows[0].inner_text()
    li.locator("#me-done").scroll_into_view_if_needed()
    li.screenshot(path=str(shots / "phone360_today_done.png"))
