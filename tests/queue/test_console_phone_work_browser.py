"""A helper and a manager at work on small phones (360×740 and 390×844, touch, device scale 3), in Chinese and
English, with a hall's worth of data: eight calls waiting, more than 500 代办 cases, a case whose timeline is
longer than one page. Asserted on the page's geometry, as the screenshots showed it:

- a toast (已认领…, a sheet's 请填写…) never lies over a card, a sheet, 认领下一个 or the bars: it covers the
  header for its seconds, and the screen reader hears it from a live region that stays in the page;
- past 500 cases the list says so, under the counts and after the last card, in words that fit the screen,
  and the manager's date range for the export fits 360 px (no sideways scrolling);
- a timeline longer than a page shows "show more" and reads on to its end, its numbers inside the card;
- a tab's badge does not sit over its label;
- when the link drops, the bar says it is reconnecting and that the claimed calls stay hers, and they do.
Screenshots go to $KIOSK_SCREENSHOTS or the test's temp dir."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest

from tests.queue.case_helpers import handover
from tests.queue.conftest import auth
from tests.queue.test_console_browser import browser, db_url, server, shots  # noqa: F401 - fixtures
from tests.queue.test_console_link_browser import phone
from tests.queue.test_console_look_browser import low
from tests.queue.test_console_phone_look_browser import look

pytestmark = pytest.mark.browser
PHONES = [(360, 740, "zh_CN"), (390, 844, "en")]

# Boxes (viewport coordinates, clipped to the screen) of what the helper works on, that a toast must not cover.
WORK_JS = """() => {
  const vh = innerHeight, out = [];
  const head = document.querySelector('.top').getBoundingClientRect();
  for (const el of document.querySelectorAll('article, .sheet-card, #claim-next, #bars > *, .tabs')) {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (!r.width || !r.height || el.closest('[hidden]') || s.display === 'none') continue;
    const top = Math.max(r.top, el.tagName === 'ARTICLE' ? head.bottom : 0), bottom = Math.min(r.bottom, vh);  // a card scrolled under the header is not seen
    if (bottom > top) out.push({ what: el.id || el.className || el.tagName, top, bottom, left: r.left, right: r.right });
  }
  const t = document.getElementById('toast').getBoundingClientRect();
  return { toast: { top: t.top, bottom: t.bottom, left: t.left, right: t.right }, head: head.bottom, work: out };
}"""


def open_phone(browser, url: str, user: str, width: int, height: int, lang: str):  # noqa: F811 - the fixture
    return phone(browser, url, user, width, height=height, scale=3, lang=lang)


def covered(page) -> list[str]:
    """What the visible toast lies over (nothing but the header)."""
    found = page.evaluate(WORK_JS)
    t = found["toast"]
    assert t["bottom"] <= found["head"] + 0.5, found  # two lines fit in the header
    return [w["what"] for w in found["work"]
            if w["top"] < t["bottom"] - 0.5 and w["bottom"] > t["top"] + 0.5 and w["left"] < t["right"] and w["right"] > t["left"]]


def calls(world, server, n: int = 8) -> None:  # noqa: F811 - the fixture passed on
    for i in range(n):
        body = world.request_body(ticket_no=f"A0{10 + i}", kind=["assist", "proxy", "consult", "call"][i % 4],
                                  priority=["normal", "elderly", "disabled", "normal"][i % 4],
                                  matter_name="城乡居民基本养老保险参保登记（含补缴及转移接续）" if i % 2 else "个体工商户设立登记")
        answer = httpx.post(f"{server.url}/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"]))
        assert answer.status_code in (200, 201), answer.text


@pytest.mark.parametrize(("width", "height", "lang"), PHONES)
def test_a_toast_never_covers_the_card_or_sheet_being_worked_on(server, world, browser, shots, width, height, lang):  # noqa: F811
    calls(world, server)
    li = open_phone(browser, server.url, "li", width, height, lang)
    li.wait_for_selector("#queue article >> nth=7")
    rid = li.locator("#queue article").nth(3).get_attribute("data-id")
    card = f"article[data-id='{rid}']"
    li.click(f"{card} [data-act=claim]")  # 已认领，请前往 一楼大厅东侧 南郊街道便民服务中心: two lines at 360 px
    li.wait_for_selector(f"{card}.mine")
    li.wait_for_selector("#toast:not([hidden])")
    assert covered(li) == []
    li.wait_for_selector(f"#say:has-text('{li.inner_text('#toast')[:6]}')")  # read out, not only drawn
    assert li.get_attribute("#toast", "aria-hidden") == "true"  # …and not twice
    li.locator(card).scroll_into_view_if_needed()
    li.click(f"{card} [data-act=arrive]")
    li.wait_for_selector(f"{card}[data-state=arrived]")
    li.evaluate("window.scrollBy(0, 220)")  # the card's buttons low on the screen, the next card under them
    li.evaluate("window.KQ.ui.toast(window.KQ.t('done_arrived'))")
    assert covered(li) == []
    li.screenshot(path=str(shots / f"phone{width}_{lang}_toast_over_header.png"))
    li.click(f"{card} [data-act=cancel]")  # a sheet: its own complaint stays off it
    li.wait_for_selector("#sheet:not([hidden]) [data-reason]")
    li.evaluate("window.KQ.ui.toast(window.KQ.t('cases.need_reason'), true)")
    li.wait_for_selector("#say-alert:not(:empty)")
    assert covered(li) == []
    assert [x for x in low(li) if x["text"] in li.inner_text("#toast")] == []  # readable: ≥ 4.5:1
    li.screenshot(path=str(shots / f"phone{width}_{lang}_toast_over_sheet.png"))


IN_VIEW_JS = """(id) => {
  const r = document.querySelector(`#queue article[data-id="${id}"]`).getBoundingClientRect();
  const head = document.querySelector('.top').getBoundingClientRect().bottom;
  const foot = document.querySelector('.tabs').getBoundingClientRect().top;
  return r.top >= head - 1 && r.top <= foot - 120;
}"""


def test_a_call_claimed_low_on_the_screen_is_brought_into_view_at_the_top(server, world, browser):  # noqa: F811
    """Claimed, a call moves up to 我的, off the screen of a helper who had scrolled down to it: she saw the
    toast, not the card with 已到达. The card is scrolled into view, between the header and the tabs."""
    calls(world, server)
    li = open_phone(browser, server.url, "li", 360, 740, "zh_CN")
    li.wait_for_selector("#queue article >> nth=7")
    rid = li.locator("#queue article").nth(7).get_attribute("data-id")
    card = f"article[data-id='{rid}']"
    li.locator(f"{card} [data-act=claim]").scroll_into_view_if_needed()
    assert not li.evaluate(IN_VIEW_JS.replace("r.top >= head - 1 && ", ""), rid) or li.evaluate("scrollY") > 300
    li.click(f"{card} [data-act=claim]")
    li.wait_for_selector(f"{card}.mine")
    assert li.locator("#queue article").first.get_attribute("data-id") == rid  # 我的 heads the list
    end = time.monotonic() + 5  # a smooth scroll
    while not li.evaluate(IN_VIEW_JS, rid):
        assert time.monotonic() < end, (li.evaluate("scrollY"), li.locator(card).bounding_box())
        time.sleep(0.1)
    assert li.locator(f"{card} [data-act=arrive]").is_visible()


def many_cases(world, ctx, n: int = 501) -> None:
    from kiosk.queue.case_schemas import CaseIn

    li = world.user("li")
    for i in range(n):
        ctx.cases.create(li, CaseIn(**handover(time_limit_days=1 + i % 30)))


@pytest.mark.parametrize(("width", "height", "lang"), PHONES)
def test_past_500_cases_the_list_says_so_and_fits_the_phone(server, world, ctx, browser, shots, width, height, lang):  # noqa: F811
    many_cases(world, ctx)
    words = {"zh_CN": ("列出 500 件", "只列出前 500 件", "管理员导出台账", "页面底部的“导出台账”"),
             "en": ("500 cases listed", "Only the first 500 cases", "a manager finds the rest", "at the bottom of this page")}[lang]
    problems = []
    for user, role_words in (("li", words[2]), ("mgr", words[3])):
        page = open_phone(browser, server.url, user, width, height, lang)
        page.click("#tab-cases")
        page.wait_for_selector("#case-more:not([hidden])")
        assert page.inner_text("#case-summary").startswith(words[0])
        for where in ("#case-more", "#case-more-end"):  # under the counts, and where 500 cards of scrolling end
            text = page.inner_text(where)
            assert words[1] in text and role_words in text, text
        page.wait_for_selector("#cases:not([aria-busy]) article")  # the cards past the first screen are drawn when idle
        assert page.locator("#cases article").count() == 500
        page.screenshot(path=str(shots / f"phone{width}_{lang}_{user}_cases_more.png"))
        page.locator("#case-more-end").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        problems += look(page, shots, f"{width}_{lang}_{user}_cases_end")
        assert [x for x in low(page) if x["text"] in page.inner_text("#case-more-end")] == []
        box = page.locator("#case-more-end").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert problems == [], "\n".join(problems)


def test_a_long_timeline_shows_more_on_demand_to_its_end(server, world, ctx, clock, browser, shots):  # noqa: F811
    from kiosk.queue.api_cases import case_service
    from kiosk.queue.case_schemas import CaseIn

    li_user = world.user("li")
    cid = ctx.cases.create(li_user, CaseIn(**handover()))["id"]
    ctx.cases.act(li_user, cid, "start", department="市场监管局窗口")
    with ctx.db.write() as conn:  # a case stopped and resumed 310 times (waiting for papers): 622 entries
        for i in range(620):
            case_service(ctx)._event(conn, cid, "T1", "case.resumed" if i % 2 else "case.suspended", "user:li",
                                     clock() + timedelta(seconds=i), state="in_progress",
                                     reason=None if i % 2 else "等待补正材料")
    li = open_phone(browser, server.url, "li", 360, 740, "zh_CN")
    li.click("#tab-cases")
    card = f"article[data-case='{cid}']"
    li.click(f"{card} [data-cact=timeline]")
    li.wait_for_selector(f"{card} [data-cact=timeline-more]")
    assert li.locator(f"{card} [data-timeline] li").count() == 500
    assert li.inner_text(f"{card} [data-cact=timeline-more]") == "显示更多（已显示 500 条）"
    li.locator(f"{card} [data-cact=timeline-more]").scroll_into_view_if_needed()
    li.screenshot(path=str(shots / "phone360_timeline_more.png"))
    li.click(f"{card} [data-cact=timeline-more]")
    li.wait_for_selector(f"{card} .timeline-end")
    lines = li.locator(f"{card} [data-timeline] li").all_inner_texts()
    assert len(lines) == 622 and "登记交接" in lines[0] and "开始办理（市场监管局窗口）" in lines[1]
    assert "中止计时（等待补正材料）" in lines[500] and "恢复办理" in lines[621]  # in order, none twice
    assert li.inner_text(f"{card} .timeline-end") == "以上是全部 622 条记录"
    assert li.locator(f"{card} [data-cact=timeline-more]").count() == 0
    li.locator(f"{card} .timeline-end").scroll_into_view_if_needed()
    li.screenshot(path=str(shots / "phone360_timeline_end.png"))
    # the list's numbers ("622.") stay inside the card: the list's indent holds the widest one
    room, need = li.evaluate("""(sel) => { const ol = document.querySelector(sel + ' [data-timeline]');
      const s = getComputedStyle(ol), ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
      return [parseFloat(s.paddingLeft), ctx.measureText(ol.children.length + '. ').width]; }""", card)
    assert need <= room, (need, room)
    assert look(li, shots, "timeline") == []
    assert low(li) == []  # the end line and "show more" at ≥ 4.5:1


def test_tab_badges_sit_beside_their_labels_not_over_them(server, world, ctx, browser, shots):  # noqa: F811
    calls(world, server, 3)
    from kiosk.queue.case_schemas import CaseIn

    ctx.cases.create(world.user("li"), CaseIn(**handover(time_limit_days=1)))  # due soon: the 代办台账 tab's badge
    mgr = open_phone(browser, server.url, "mgr", 360, 740, "zh_CN")  # four tabs, 90 px each
    mgr.wait_for_selector("#case-badge:not([hidden])")
    mgr.wait_for_selector("#badge:not([hidden])")
    overlaps = mgr.evaluate("""() => [...document.querySelectorAll('.tabs .badge:not([hidden])')].map((b) => {
      const label = b.parentElement.querySelector('[data-t]').getBoundingClientRect(), r = b.getBoundingClientRect();
      return Math.min(r.bottom, label.bottom) - Math.max(r.top, label.top) > 0.5
        && Math.min(r.right, label.right) - Math.max(r.left, label.left) > 0.5 ? b.id : null; }).filter(Boolean)""")
    assert overlaps == []
    mgr.screenshot(path=str(shots / "phone360_manager_tabs.png"))


def test_a_dropped_link_says_it_is_reconnecting_and_the_claim_stays(server, world, browser, shots):  # noqa: F811
    calls(world, server, 2)
    li = open_phone(browser, server.url, "li", 360, 740, "zh_CN")
    rid = li.locator("#queue article").first.get_attribute("data-id")
    li.click(f"article[data-id='{rid}'] [data-act=claim]")
    li.wait_for_selector(f"article[data-id='{rid}'].mine")
    li.wait_for_selector("#toast", state="hidden", timeout=15000)  # the header's 未连接 in the screenshot
    li.context.set_offline(True)
    li.wait_for_selector("#offline:not([hidden])")
    bar = li.inner_text("#offline")
    assert "正在自动重连" in bar and "已认领的呼叫仍归您" in bar, bar
    li.screenshot(path=str(shots / "phone360_link_down.png"))
    assert li.locator(f"article[data-id='{rid}'].mine").count() == 1  # on screen the whole time
    li.context.set_offline(False)
    li.wait_for_selector("#conn:not(.off)", timeout=20000)
    li.wait_for_selector(f"article[data-id='{rid}'].mine[data-state=claimed]")  # and on the server
    assert httpx.get(f"{server.url}/api/v1/requests/{rid}", headers=auth(world.token("li"))).json()["claimed_by"]["display_name"] == "李四"


@pytest.mark.parametrize(("width", "height", "lang"), PHONES)
def test_a_managers_pages_are_tappable_and_fit_the_phone(server, world, browser, shots, width, height, lang):  # noqa: F811
    calls(world, server, 3)
    problems = []
    for user in ("mgr", "sup"):  # a town's manager; the district's supervisor (several sites)
        page = open_phone(browser, server.url, user, width, height, lang)
        page.click("#tab-manage")
        page.wait_for_selector("#manage article")
        for seg, ready in (("kiosks", "#manage article"), ("staff", "#manage article"),
                           ("figures", "[data-report]"), ("setup", "[data-webhook-form]")):
            page.click(f"[data-seg={seg}]")
            page.wait_for_selector(ready)
            problems += look(page, shots, f"{width}_{lang}_{user}_{seg}")  # the 督查 report's links; the webhook form
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            problems += look(page, shots, f"{width}_{lang}_{user}_{seg}_end")
        page.click("[data-edit-site]")  # the sites' kiosk settings: a sheet of inputs
        page.wait_for_selector("#sheet:not([hidden]) [data-save-config]")
        problems += look(page, shots, f"{width}_{lang}_{user}_config")
    assert problems == [], "\n".join(problems)


def test_a_screen_reader_hears_a_new_call_once_not_every_second(server, world, browser):  # noqa: F811
    li = open_phone(browser, server.url, "li", 360, 740, "zh_CN")
    calls(world, server, 2)
    li.wait_for_selector("#banner:not([hidden]) [data-act=banner-claim]")
    li.wait_for_selector("#queue [data-wait] >> nth=1")
    # the waits tick every second: inside a live region each tick would be read out
    assert li.evaluate("document.querySelectorAll('[aria-live] [data-wait], [role=status] [data-wait], [role=alert] [data-wait]').length") == 0
    redrawn = li.evaluate("""() => new Promise((done) => {
      let n = 0; const seen = new MutationObserver((m) => { n += m.length; });
      seen.observe(document.getElementById('banner'), { childList: true, subtree: true, characterData: true });
      for (let i = 0; i < 3; i++) window.KQ.queue.render();  // as every event and link change does
      setTimeout(() => { seen.disconnect(); done(n); }, 1500); })""")
    assert redrawn == 0  # the banner (role=alert) says the same call once
    calls(world, server, 1)  # a third call: the banner's words change, and are said
    li.wait_for_selector("#banner >> text=另有 2 人等待")


@pytest.mark.parametrize(("width", "height", "lang"), PHONES)
def test_claim_next_never_floats_over_the_call_she_is_serving(server, world, browser, shots, width, height, lang):  # noqa: F811
    calls(world, server, 4)
    li = open_phone(browser, server.url, "li", width, height, lang)
    li.wait_for_selector("#claim-next:not([hidden])")
    assert li.evaluate("getComputedStyle(document.getElementById('claim-next')).position") == "fixed"  # nothing held: at the thumb
    rid = li.locator("#queue article").first.get_attribute("data-id")
    card = f"article[data-id='{rid}']"
    li.click(f"{card} [data-act=claim]")
    li.click(f"{card}.mine [data-act=arrive]")
    li.wait_for_selector(f"{card}[data-state=arrived]")
    overlaps = []
    for y in range(0, 700, 50):  # her card's 已引导到窗口 / 已解答 / 转为代办 at every height on the screen
        li.evaluate(f"window.scrollTo(0, {y})")
        a, b = li.locator(card).bounding_box(), li.locator("#claim-next").bounding_box()
        if a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]:
            overlaps.append(y)
    assert overlaps == []
    li.evaluate("window.scrollTo(0, 0)")
    li.screenshot(path=str(shots / f"phone{width}_{lang}_serving_claim_next.png"))
    li.click("#claim-next")  # still there, heading the waiting calls: she takes the next when she is done
    li.wait_for_selector("#queue article.mine >> nth=1")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_toast_text_fits_the_header_on_a_360_px_phone(server, world, browser, lang):  # noqa: F811
    """The toasts' texts of the translation layer, their placeholders filled with long real values: two lines,
    within the header, so no toast ever reaches down over the list."""
    page = open_phone(browser, server.url, "li", 360, 740, lang)
    checked, tall = page.evaluate("""async (lang) => {
      const data = await (await fetch('/console/i18n.json?lang=' + lang)).json();
      const head = document.querySelector('.top').getBoundingClientRect().bottom, tall = [];
      let checked = 0;
      const fill = { where: '一楼大厅东侧 南郊街道便民服务中心', ticket: 'A015', action: lang === 'en' ? 'show identity' : '查看身份',
        name: '欧阳建国', id: 'DB-T1-2026-000123' };
      const walk = (node, path) => { for (const [k, v] of Object.entries(node)) {
        const key = path ? path + '.' + k : k;
        if (typeof v === 'object') { walk(v, key); continue; }
        if (!/^(net\\.(tap|offline|timeout|server)|errors\\.|done_|cases\\.done\\.|cases\\.need_|handover\\.to_me|setup\\.saved|session\\.renewed)/.test(key)) continue;
        checked += 1;
        window.KQ.ui.toast(v.replace(/\\{([a-z_]+)\\}/g, (m, p) => fill[p] || '1234'), true);
        const r = document.getElementById('toast').getBoundingClientRect();
        if (r.bottom > head + 0.5) tall.push(key + ' ' + Math.round(r.height) + ' px');
      } };
      walk(data.texts, '');
      return [checked, tall]; }""", lang)
    assert checked > 30 and tall == [], (checked, tall)
