"""The 代办台账 list in headless Chromium on a 360 px phone: a case event costs what it changes. The card of
the case that changed is redrawn, moved, added or removed; every other card keeps its DOM node (so an open
timeline, a sheet being filled in and the page under the finger stay); the order stays the server's."""

from __future__ import annotations

import httpx
import pytest

from tests.queue.case_helpers import handover
from tests.queue.conftest import auth
from tests.queue.test_console_browser import browser, db_url, server  # noqa: F401 - fixtures
from tests.queue.test_console_phone_work_browser import many_cases, open_phone

pytestmark = pytest.mark.browser
N = 40  # more than the first screenful drawn at once


def ids_on_page(page) -> list[str]:
    return page.eval_on_selector_all("#cases article", "(a) => a.map((x) => x.dataset.case)")


def ids_of_server(srv, token: str) -> list[str]:
    q = "?state=registered&state=in_progress&state=suspended&state=completed"
    return [c["id"] for c in httpx.get(f"{srv.url}/api/v1/cases{q}", headers=auth(token)).json()["items"]]


def rebuilt(page) -> list[str]:
    """Cards whose node was not there when they were tagged."""
    return page.eval_on_selector_all("#cases article", "(a) => a.filter((x) => !x.__kept).map((x) => x.dataset.case)")


def tag(page) -> None:
    page.eval_on_selector_all("#cases article", "(a) => a.forEach((x) => { x.__kept = true; })")


def test_a_case_event_redraws_its_card_alone_and_an_open_timeline_stays(server, world, ctx, browser):  # noqa: F811
    many_cases(world, ctx, N)
    li_token, wang_token = world.token("li"), world.token("wang")
    page = open_phone(browser, server.url, "li", 360, 740, "zh_CN")
    page.click("#tab-cases")
    page.wait_for_selector("#cases:not([aria-busy]) article")
    assert ids_on_page(page) == ids_of_server(server, li_token)  # drawn in chunks, in the server's order
    order = ids_on_page(page)
    watched, started, cancelled = order[1], order[N // 2], order[5]
    page.click(f"article[data-case='{watched}'] [data-cact=timeline]")
    page.wait_for_selector(f"[data-timeline='{watched}'] li")
    page.click(f"article[data-case='{order[0]}'] [data-cact=cancel]")  # a sheet half filled in
    page.fill("#cf-reason", "申请人电话改约")
    tag(page)

    r = httpx.post(f"{server.url}/api/v1/cases/{started}/start", json={"department": "市场监管局窗口"}, headers=auth(li_token))
    assert r.status_code == 200, r.text
    page.wait_for_selector(f"article[data-case='{started}'][data-state=in_progress]")
    assert rebuilt(page) == [started]
    assert page.is_visible(f"[data-timeline='{watched}']") and page.input_value("#cf-reason") == "申请人电话改约"
    assert page.is_visible("#sheet")

    r = httpx.post(f"{server.url}/api/v1/cases", json=handover(time_limit_days=3), headers=auth(wang_token))
    assert r.status_code == 201, r.text
    new = r.json()["id"]
    page.wait_for_selector(f"article[data-case='{new}']")
    assert sorted(rebuilt(page)) == sorted([started, new])
    assert ids_on_page(page) == ids_of_server(server, li_token)  # inserted where the server lists it
    assert page.inner_text("#case-summary").startswith(f"共 {N + 1} 件")

    r = httpx.post(f"{server.url}/api/v1/cases/{cancelled}/cancel", json={"reason": "申请人撤回"}, headers=auth(li_token))
    assert r.status_code == 200, r.text
    page.wait_for_selector(f"article[data-case='{cancelled}']", state="detached")  # left the open cases
    assert sorted(rebuilt(page)) == sorted([started, new])
    assert ids_on_page(page) == ids_of_server(server, li_token)
    assert page.inner_text("#case-summary").startswith(f"共 {N} 件")

    tag(page)
    lines = page.locator(f"[data-timeline='{watched}'] li").count()
    r = httpx.post(f"{server.url}/api/v1/cases/{watched}/start", json={"department": "税务窗口"}, headers=auth(li_token))
    assert r.status_code == 200, r.text
    page.wait_for_selector(f"article[data-case='{watched}'][data-state=in_progress]")
    assert rebuilt(page) == [watched]
    assert page.is_visible(f"[data-timeline='{watched}'] li")  # its own event: the card redrawn, the timeline still open
    # ... and the open timeline took the event in, without a tap (it read on from its last line)
    timeline = page.locator(f"[data-timeline='{watched}'] li").all_inner_texts()
    assert len(timeline) == lines + 1 and "税务窗口" in timeline[-1], timeline
    assert page.inner_text(f"article[data-case='{watched}'] .timeline-end") == f"以上是全部 {lines + 1} 条记录"
    assert page.input_value("#cf-reason") == "申请人电话改约"
