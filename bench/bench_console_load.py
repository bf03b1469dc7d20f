"""The helpers' console on a slow phone link: first paint and login form, in headless Chromium.

    python3 bench/bench_console_load.py [--runs 5] [--latency-ms 400] [--kbps 400]

Starts the queue server (SQLite, a temporary directory) and opens ``/console/`` in Debian's chromium with
the network emulated through the DevTools protocol (default: slow-3G — 400 ms round trip, 400 kbit/s each
way; a fresh browser context each run, so nothing is cached). Prints, per run and as medians:

- first contentful paint (the page's splash: its stylesheet is inlined, so one round trip draws it),
- the login form ready (scripts, texts and ``/api/v1/me`` answered),
- the bytes sent over the wire (gzip).

Bar (printed with the figure; exit 1 when missed): median first paint ≤ 1000 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-sync"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latency-ms", type=float, default=400)
    ap.add_argument("--kbps", type=float, default=400)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from kiosk.queue.api import ServerSettings, create_app
    from kiosk.queue.db import sqlite_url
    from tests.queue.conftest import LiveServer

    with tempfile.TemporaryDirectory() as tmp:
        settings = ServerSettings(db_url=sqlite_url(Path(tmp)), state_dir=Path(tmp))
        fcps, readies, sizes = [], [], []
        with LiveServer(create_app(settings)) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for run in range(args.runs):
                context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                rate = args.kbps * 1000 / 8
                cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": args.latency_ms,
                                                              "downloadThroughput": rate, "uploadThroughput": rate})
                wire = []
                cdp.on("Network.loadingFinished", lambda e, wire=wire: wire.append(e["encodedDataLength"]))
                page.goto(server.url + "/console/", wait_until="commit")
                page.wait_for_selector("#login:not([hidden])", timeout=60000)
                fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
                ready = page.evaluate("performance.now()")
                fcps.append(fcp)
                readies.append(ready)
                sizes.append(sum(wire))
                print(f"run {run + 1}: first paint {fcp:.0f} ms, login form {ready:.0f} ms, {sum(wire) / 1024:.1f} KiB")
                context.close()
            browser.close()
    med = statistics.median(fcps)
    print(f"\nslow link ({args.latency_ms:.0f} ms, {args.kbps:.0f} kbit/s), {args.runs} runs: first paint median "
          f"{med:.0f} ms (bar ≤ 1000 ms: {'met' if med <= 1000 else 'MISSED'}), login form median "
          f"{statistics.median(readies):.0f} ms, {statistics.median(sizes) / 1024:.1f} KiB on the wire")
    return 0 if med <= 1000 else 1


if __name__ == "__main__":
    sys.exit(main())
