"""What a real console reads: GETs a minute by endpoint, in headless Chromium against a busy server.

    python3 bench/bench_console_reads.py [--seconds 120] [--calls-per-minute 60] [--drop-s 20]

Starts the queue server (SQLite, a temporary directory, the console mounted) and a busy hall: five kiosks
call for help at ``--calls-per-minute`` (Poisson), a helper's script claims, arrives and resolves each
call after a few seconds, a manager registers a 代办 case every 10 s (``case.*`` events). Meanwhile five
consoles run as helpers and managers use them, each in its own browser context, and every answer each
receives under ``/api/v1/`` is counted by endpoint (ids folded):

- ``helper``: a helper on the queue tab;
- ``helper-cases``: a helper on the 代办台账 tab (the list follows every case event);
- ``manager``: a manager on 管理 (kiosks and staff, every 15 s);
- ``supervisor``: a supervisor on 管理 → 督查 (the figures);
- ``flaky``: a helper whose link drops for ``--drop-s`` every minute (``context.set_offline``), then
  comes back and reconnects.

Prints per console the answers a minute by endpoint and the units of the read budget it spent
(kiosk/queue/reads.py, recorded by the server: a minute's mean and the busiest minute's), the figures
behind the budget's default.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-sync"]
PASSWORD = "bench-password-1"
_ID = re.compile(r"/(?:[0-9a-f-]{36}|DB[0-9A-Za-z-]+|k\d+)(?=/|$)")


def endpoint(url: str) -> str:
    path, _, query = url.partition("/api/v1")[2].partition("?")
    path = _ID.sub("/{id}", path)
    limit = re.search(r"(?:^|&)limit=(\d+)", query)
    return path + (f"?limit={limit.group(1)}" if limit else "")


def recorder():
    """A read budget that refuses nothing and records the units each session spent, a minute at a time."""
    from kiosk.queue.reads import ReadBudget

    class Recorder(ReadBudget):
        def __init__(self):
            super().__init__(10**9)
            self.units: dict[str, Counter] = {}
            self.t0 = time.monotonic()

        def _add(self, key: str, cost: int) -> None:
            self.units.setdefault(key, Counter())[int((time.monotonic() - self.t0) // 60)] += cost

        def take(self, key: str, cost: int):
            self._add(key, cost)
            return super().take(key, cost)

        def charge(self, key: str, cost: int) -> None:
            self._add(key, cost)
            super().charge(key, cost)

    return Recorder()


def drive(url: str, kiosks: list[str], helper: str, manager: str, per_minute: float, case_every: float,
          stop: threading.Event, done: Counter) -> None:
    """Kiosks call, a helper's script claims/arrives/resolves, a manager registers a case every ``case_every``."""
    import httpx

    pending: list[tuple[float, str]] = []
    next_case = time.monotonic() + case_every
    with httpx.Client(base_url=url, timeout=10) as http:
        while not stop.is_set():
            time.sleep(random.expovariate(per_minute / 60))
            i = random.randrange(len(kiosks))
            body = {"id": str(uuid.uuid4()), "kind": "assist", "kiosk_id": f"k{i}", "site_code": "T1",
                    "step": "matter", "created_at": datetime.now(UTC).isoformat()}
            done["calls"] += http.post("/api/v1/requests", json=body,
                                       headers={"Authorization": f"Bearer {kiosks[i]}"}).status_code == 201
            pending.append((time.monotonic() + random.uniform(3, 8), body["id"]))
            bearer = {"Authorization": f"Bearer {helper}"}
            for due, rid in [p for p in pending if p[0] <= time.monotonic()]:
                pending.remove((due, rid))
                for step, json in (("claim", None), ("arrive", None), ("resolve", {"outcome": "answered"})):
                    http.post(f"/api/v1/requests/{rid}/{step}", json=json, headers=bearer)
            if time.monotonic() >= next_case:
                next_case += case_every
                case = {"time_limit_days": 5, "matter_name": "养老保险", "applicant": {"name": "王五"},
                        "authorization": {"signed": True, "scanned": False},
                        "materials": [{"name": "身份证", "form": "copy"}]}
                done["cases"] += http.post("/api/v1/cases", json=case,
                                           headers={"Authorization": f"Bearer {manager}"}).status_code == 201


def console(browser, url: str, user: str, counts: Counter, opens: list):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20000)

    def seen(response) -> None:
        if "/api/v1/" in response.url and response.request.method == "GET":
            counts[endpoint(response.url)] += 1
            if "/events/stream" in response.url:
                opens.append(time.monotonic())

    page.on("response", seen)
    page.goto(url + "/console/")
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")
    return context, page


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--calls-per-minute", type=float, default=60)
    ap.add_argument("--drop-s", type=float, default=20)
    ap.add_argument("--case-every", type=float, default=10, metavar="S")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    from sqlalchemy import select

    from kiosk.queue.api import ServerSettings, create_app
    from kiosk.queue.db import sqlite_url
    from kiosk.queue.models import sessions, users
    from kiosk.queue.provision import add_kiosk, add_site, add_user
    from tests.queue.conftest import LiveServer

    with tempfile.TemporaryDirectory() as tmp:
        settings = ServerSettings(db_url=sqlite_url(Path(tmp)), state_dir=Path(tmp))
        app = create_app(settings)
        ctx, now = app.state.ctx, datetime.now(UTC)
        ctx.reads = spent = recorder()
        add_site(ctx.db, "D", "曾都区政务服务中心", "district", now)
        add_site(ctx.db, "T1", "南郊街道便民服务中心", "town", now, parent="D")
        kiosks = [add_kiosk(ctx.db, f"k{i}", "T1", now, location=f"大厅{i}") for i in range(5)]
        roles = {"helper": "helper", "helper-cases": "helper", "flaky": "helper", "bot": "helper",
                 "manager": "manager", "supervisor": "supervisor", "boss": "manager"}
        for name, role in roles.items():
            add_user(ctx.db, name, role, ["D" if role == "supervisor" else "T1"], PASSWORD, now)
        bot, boss = ctx.auth.login("bot", PASSWORD)[0], ctx.auth.login("boss", PASSWORD)[0]
        names = ["helper", "helper-cases", "manager", "supervisor", "flaky"]
        counts = {n: Counter() for n in names}
        opens: dict[str, list] = {n: [] for n in names}
        stop = threading.Event()
        with LiveServer(app) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            pages = {n: console(browser, server.url, n, counts[n], opens[n]) for n in names}
            pages["helper-cases"][1].click("[data-tab=cases]")
            for n in ("manager", "supervisor"):
                pages[n][1].click("[data-tab=manage]")
            pages["manager"][1].click("[data-seg=kiosks]")
            pages["supervisor"][1].click("[data-seg=figures]")
            for n in names:  # the login's own reads are counted apart: a minute's figures start here
                counts[n].clear()
            done: Counter = Counter()
            driver = threading.Thread(target=drive, args=(server.url, kiosks, bot, boss, args.calls_per_minute,
                                                          args.case_every, stop, done))
            spent.units.clear()
            spent.t0 = time.monotonic()
            driver.start()
            start = time.monotonic()
            while (t := time.monotonic() - start) < args.seconds:
                flaky = pages["flaky"][0]
                offline = t % 60 < args.drop_s
                flaky.set_offline(offline)
                pages["helper"][1].wait_for_timeout(500)
            pages["flaky"][0].set_offline(False)
            pages["helper"][1].wait_for_timeout(3000)
            stop.set()
            driver.join()
            minutes = (time.monotonic() - start) / 60
            browser.close()
        with ctx.db.read() as conn:
            owner = dict(conn.execute(select(sessions.c.token_hash, users.c.username)
                                      .join(users, users.c.id == sessions.c.user_id)).all())
    print(f"{minutes * 60:.0f} s: {done['calls'] / minutes:.0f} calls a minute (+ claim, arrive, resolve each), "
          f"{done['cases'] / minutes:.0f} cases registered a minute; GETs answered a minute, by endpoint, and the "
          f"read budget's units spent (a minute's mean / the busiest minute):")
    for n in names:
        units = Counter()
        for key, by_minute in spent.units.items():
            if owner.get(key) == n:
                units.update(by_minute)
        total = sum(counts[n].values())
        line = ", ".join(f"{e} {k / minutes:.1f}" for e, k in counts[n].most_common())
        print(f"  {n:13s} {total / minutes:5.1f} GETs/min, units {sum(units.values()) / minutes:5.1f} / "
              f"{max(units.values(), default=0):3d}: {line or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
