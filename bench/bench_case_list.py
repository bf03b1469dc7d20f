"""The 代办台账 list on a mid-range phone: first list and the cost of one case event, in headless Chromium.

    nice -n 10 python3 bench/bench_case_list.py [--cases 500] [--events 6] [--cpu 4]

Starts the queue server (SQLite, a temporary directory, the test suite's sites and staff), registers
``--cases`` cases for helper li, opens the console at 360×740 (touch) with Chromium's CPU slowed ``--cpu``
times through the DevTools protocol (4: a mid-range phone), opens 代办台账 and prints:

- the first card drawn and the whole list drawn (ms from the tap on the tab), the page's element count;
- per live case event (another console starts one case, registers one, cancels one, in turn): the time from
  the pushed event to its card changed on screen, and the main thread's long tasks (> 50 ms: the phone
  does not answer a tap meanwhile) in that time, the longest and their sum; and how many other cards'
  DOM nodes were rebuilt (0 when an event costs what it changes).

Not a timed test: figures vary with the machine; run it before and after a change to the list's drawing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-sync"]
PASSWORD = "correct-horse-1"
WATCH = """() => {
  window.__lt = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([e.startTime, e.duration]); })
    .observe({ type: "longtask", buffered: false });
  const cases = window.KQ.cases, changed = cases.changed;
  cases.changed = (type, c) => { window.__ev = performance.now(); return changed(type, c); };
}"""
TAG = "() => { document.querySelectorAll('#cases article').forEach((a) => { a.__kept = true; }); }"
UNTIL = """(sel) => { window.__p = new Promise((done) => {
  const seen = () => { if (document.querySelector(sel)) { ob.disconnect(); done(performance.now()); return true; } };
  const ob = new MutationObserver(seen);
  if (!seen()) ob.observe(document.body, { subtree: true, childList: true, attributes: true });
}); }"""


def seed(ctx, n: int) -> None:
    from kiosk.queue.case_schemas import CaseIn
    from kiosk.queue.provision import add_site, add_user
    from tests.queue.case_helpers import handover

    now = ctx.settings.clock()
    add_site(ctx.db, "D", "曾都区政务服务中心", "district", now)
    add_site(ctx.db, "T1", "南郊街道便民服务中心", "town", now, parent="D")
    for name, role, display in (("li", "helper", "李四"), ("wang", "helper", "王五")):
        add_user(ctx.db, name, role, ["T1"], PASSWORD, now, display_name=display)
    li = ctx.auth.principal(ctx.auth.login("li", PASSWORD)[0])
    for i in range(n):
        ctx.cases.create(li, CaseIn(**handover(time_limit_days=1 + i % 30)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--events", type=int, default=6)
    ap.add_argument("--cpu", type=float, default=4)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from kiosk.queue.api import ServerSettings, build_context, create_app
    from kiosk.queue.console.routes import mount_console
    from kiosk.queue.db import sqlite_url
    from tests.queue.case_helpers import handover
    from tests.queue.conftest import FakeClock, LiveServer

    with tempfile.TemporaryDirectory() as tmp:
        settings = ServerSettings(db_url=sqlite_url(Path(tmp)), state_dir=Path(tmp), clock=FakeClock())
        ctx = build_context(settings)
        ctx.db.migrate()
        seed(ctx, args.cases)
        app = create_app(settings, ctx)
        mount_console(app)
        with LiveServer(app) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                       locale="zh-CN").new_page()
            page.set_default_timeout(20000)
            page.goto(server.url + "/console/")
            page.fill("#username", "li")
            page.fill("#password", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("#conn:not(.off)")
            page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": args.cpu})
            page.evaluate(WATCH)
            t0 = page.evaluate("performance.now()")
            page.evaluate(UNTIL, "#cases article")
            page.evaluate("document.getElementById('tab-cases').click()")
            t_first = page.evaluate("window.__p")
            page.wait_for_function("(n) => document.querySelectorAll('#cases article').length >= n"
                                   " && !document.getElementById('cases').hasAttribute('aria-busy')", arg=args.cases)
            t_all = page.evaluate("performance.now()")
            elements = page.evaluate("document.querySelectorAll('*').length")
            print(f"first list ({args.cases} cases, CPU ÷{args.cpu:g}): first card {t_first - t0:.0f} ms, "
                  f"whole list {t_all - t0:.0f} ms, {elements} elements")
            page.wait_for_timeout(1000)
            head = {"Authorization": "Bearer " + ctx.auth.login("wang", PASSWORD)[0]}
            li = {"Authorization": "Bearer " + ctx.auth.login("li", PASSWORD)[0]}
            open_ids = [a.get_attribute("data-case") for a in page.locator("#cases article[data-state=registered]").all()]
            walls, longest, sums, rebuilt = [], [], [], []
            for k in range(args.events):
                page.evaluate(TAG)
                page.evaluate("window.__lt = []; window.__ev = null")
                kind = ("start", "register", "cancel")[k % 3]
                if kind == "start":
                    cid = open_ids.pop(len(open_ids) // 2)
                    want = f"article[data-case='{cid}'][data-state=in_progress]"
                    page.evaluate(UNTIL, want)
                    r = httpx.post(f"{server.url}/api/v1/cases/{cid}/start", json={"department": "窗口"}, headers=li)
                elif kind == "register":
                    r = httpx.post(f"{server.url}/api/v1/cases", json=handover(time_limit_days=15), headers=head)
                    want = f"article[data-case='{r.json()['id']}']"
                    page.evaluate(UNTIL, want)
                else:
                    cid = open_ids.pop(len(open_ids) // 3)
                    want = f"article[data-case='{cid}']"
                    r = httpx.post(f"{server.url}/api/v1/cases/{cid}/cancel", json={"reason": "申请人撤回"}, headers=li)
                    page.evaluate(f"""() => {{ window.__p = new Promise((ok) => {{ const f = () =>
                      document.querySelector("{want}") ? setTimeout(f, 5) : ok(performance.now()); f(); }}); }}""")
                assert r.status_code in (200, 201), r.text
                t_done = page.evaluate("window.__p")
                page.wait_for_timeout(600)  # the badge's read and anything after it
                ev = page.evaluate("window.__ev")
                tasks = page.evaluate("window.__lt")
                inside = [d for s, d in tasks if s + d >= ev]
                walls.append(t_done - ev)
                longest.append(max(inside, default=0))
                sums.append(sum(inside))
                rebuilt.append(page.evaluate("[...document.querySelectorAll('#cases article')].filter((a) => !a.__kept).length"))
                print(f"event {k + 1} ({kind}): on screen {t_done - ev:.0f} ms after the event, long tasks max "
                      f"{longest[-1]:.0f} ms / sum {sums[-1]:.0f} ms, cards rebuilt {rebuilt[-1]}")
            browser.close()
    print(f"\nmedians over {args.events} events: on screen {statistics.median(walls):.0f} ms, longest task "
          f"{statistics.median(longest):.0f} ms, long tasks {statistics.median(sums):.0f} ms, "
          f"cards rebuilt {statistics.median(rebuilt):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
