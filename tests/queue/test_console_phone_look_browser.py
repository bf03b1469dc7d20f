"""The helpers' console on a small phone (360×740), looked at state by state as a helper on the hall floor
sees it: logged in, a call claimed and served, a 代办 case opened. In every state each visible control is a
tap target of at least 44×44 CSS px (a toast never takes a tap meant for what lies under it), nothing runs past the screen's right edge (a select's chosen words
included), no button's label leaves one character alone on its last line, and the resident's name and ID
number show masked. Screenshots go to $KIOSK_SCREENSHOTS or the test's temp dir."""

from __future__ import annotations

import pytest

from tests.queue.case_helpers import fill_case_form
from tests.queue.test_console_browser import browser, db_url, kiosk, server, shots  # noqa: F401 - fixtures
from tests.queue.test_console_link_browser import PASSWORD

pytestmark = pytest.mark.browser
MIN_TAP = 44

# Visible controls smaller than MIN_TAP in either direction (a checkbox counts with its label), and
# visible elements whose box runs past the viewport's right edge (cut off on the phone).
LOOK_JS = """(min) => {
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[hidden]'); };
  const small = [];
  for (const el of document.querySelectorAll('button, a[href], input, select, textarea, summary, [role=button]')) {
    if (!shown(el) || el.disabled) continue;
    let r = el.getBoundingClientRect();
    const label = el.closest('label');
    if (label && (el.type === 'checkbox' || el.type === 'radio')) r = label.getBoundingClientRect();
    if (r.width < min - 0.5 || r.height < min - 0.5)
      small.push(`${el.tagName.toLowerCase()}#${el.id || ''}.${el.className || ''} "${(el.innerText || el.value || el.name || '').trim().slice(0, 16)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  const vw = document.documentElement.clientWidth;
  const cut = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 && !el.closest('[style*=overflow], .scroll'))
      cut.push(`${el.tagName.toLowerCase()}#${el.id || ''}.${el.className || ''} right ${Math.round(r.right)} > ${vw}`);
  }
  const ctx = document.createElement('canvas').getContext('2d');
  for (const sel of document.querySelectorAll('select')) {  // the chosen option's words cut short
    if (!shown(sel) || sel.selectedIndex < 0) continue;
    const s = getComputedStyle(sel); ctx.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = sel.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - 20;  // the arrow
    const words = sel.options[sel.selectedIndex].text;
    if (ctx.measureText(words).width > room) cut.push(`select#${sel.id} "${words.slice(0, 16)}" cut short`);
  }
  const lonely = [];
  for (const el of document.querySelectorAll('button')) {  // a wrapped label leaving one character alone
    if (!shown(el)) continue;
    const range = document.createRange(); range.selectNodeContents(el);
    const size = parseFloat(getComputedStyle(el).fontSize);
    const lines = [];  // [bottom, width of the text on the line] (a badge or a dot shares its line)
    for (const r of [...range.getClientRects()].filter((r) => r.width > 0).sort((a, b) => a.bottom - b.bottom)) {
      const line = lines.find((l) => Math.abs(l[0] - r.bottom) < size * 0.8);
      if (line) line[1] += r.width; else lines.push([r.bottom, r.width]);
    }
    if (lines.length > 1 && lines[lines.length - 1][1] < size * 1.6) lonely.push(`"${el.innerText.trim()}"`);
  }
  return { small, cut, lonely, scrollX: document.documentElement.scrollWidth > vw };
}"""


def small_phone(browser, url: str, user: str):  # noqa: F811 - browser is the fixture
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    page.goto(url + "/console/")
    page.wait_for_selector("#login:not([hidden])")
    return page


def look(page, folder, name: str) -> list[str]:
    page.wait_for_timeout(150)  # transitions settle
    page.screenshot(path=str(folder / f"phone360_{name}.png"))
    found = page.evaluate(LOOK_JS, MIN_TAP)
    problems = [f"{name}: small {s}" for s in found["small"]] + [f"{name}: cut {c}" for c in found["cut"]]
    problems += [f"{name}: one character alone in {b}" for b in found["lonely"]]
    if found["scrollX"]:
        problems.append(f"{name}: the page scrolls sideways")
    return problems


def test_a_helpers_day_on_a_360_px_phone_fits_and_is_tappable(server, kiosk, browser, shots):  # noqa: F811
    li = small_phone(browser, server.url, "li")
    problems = look(li, shots, "login")
    li.fill("#username", "li")
    li.fill("#password", PASSWORD)
    li.click("#login-form button[type=submit]")
    li.wait_for_selector("#app:not([hidden])")
    li.wait_for_selector("#conn:not(.off)")
    rid = kiosk.call_helper(
        "proxy",
        "materials",
        matter_name="个体工商户设立登记",
        ticket_no="B003",
        priority="elderly",
        resident={"name": "张三丰", "id_number": "11010519491231002X"},
        visit_id="v-1",
        note="打印机缺纸，小票没能打印",
    )
    kiosk.call_helper("assist", "start", ticket_no="A081")
    card = f"article[data-id='{rid}']"
    li.wait_for_selector(card)
    problems += look(li, shots, "queue")
    text = li.inner_text("#queue")
    assert "张三丰" not in text and "11010519491231002X" not in text
    li.click(f"{card} [data-act=claim]")
    li.wait_for_selector(f"{card}.mine[data-state=claimed]")
    problems += look(li, shots, "claimed")
    li.click(f"{card} [data-act=arrive]")
    li.wait_for_selector(f"{card}[data-state=arrived]")
    problems += look(li, shots, "serving")
    # the toast (已到达…) lies over the card's buttons for seconds: a tap there reaches the button, not it
    under = li.evaluate(
        "(() => { window.KQ.ui.toast('已到达，请协助群众办理'); const t = document.getElementById('toast');"
        " const r = t.getBoundingClientRect();"
        " const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
        " return t.contains(e) ? 'toast' : e.tagName; })()"
    )
    assert under != "toast", under
    assert "张三丰" not in li.inner_text("#queue")
    li.click(f"{card} [data-act=convert]")
    li.wait_for_selector("#sheet:not([hidden]) #cf-submit")
    problems += look(li, shots, "case_form")
    fill_case_form(li)
    li.click("#cf-submit")
    li.wait_for_selector("#view-cases:not([hidden]) article.case[data-state=registered]")
    li.wait_for_selector("#toast", state="hidden", timeout=15000)
    problems += look(li, shots, "case_list")
    text = li.inner_text("article.case")
    assert "张三丰" not in text and "11010519491231002X" not in text and "13812345678" not in text
    li.click("#tab-me")
    li.wait_for_selector("#sound-card")
    problems += look(li, shots, "me")
    assert problems == [], "\n".join(problems)
