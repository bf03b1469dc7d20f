"""The daily and monthly 督查 report on SQLite and PostgreSQL: its numbers equal the API's /figures for the
same range (xlsx from ``kiosk queue report``, HTML and xlsx from the API), kiosks' downtime from
heartbeats, the day's ledger anchors verify, and no cell of the workbook starts a formula."""

from __future__ import annotations

import io
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.cli import main
from kiosk.queue.provision import add_user
from tests.queue.case_helpers import Api
from tests.queue.conftest import PASSWORD, auth


@pytest.fixture
def api(client, world):
    return Api(client, world)


def _request(client, world, kiosk="k1") -> str:
    r = client.post("/api/v1/requests", json=world.request_body(kiosk), headers=auth(world.kiosk_tokens[kiosk]))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _heartbeat(client, world, clock, kiosk="k1") -> None:
    body = {"id": str(uuid.uuid4()), "kiosk_id": kiosk, "sent_at": clock().isoformat(), "interval_s": 30}
    assert client.post("/api/v1/heartbeats", json=body, headers=auth(world.kiosk_tokens[kiosk])).status_code == 200


def november(api, client, world, clock, ctx) -> None:
    """Two days of work in T1 and T2 (28 and 29 Nov 2026), a helper with a formula-like name."""
    add_user(ctx.db, "evil", "helper", ["T1"], PASSWORD, clock(), display_name='=HYPERLINK("http://x.test","点我")')
    for kiosk, helper, wait in (("k1", "li", 30), ("k1", "evil", 90), ("k2", "zhao", 200), ("k1", None, 0)):
        rid = _request(client, world, kiosk)
        clock.advance(wait)
        if helper:
            api.post(helper, f"/requests/{rid}/claim")
            api.post(helper, f"/requests/{rid}/arrive")
            if helper != "evil":
                clock.advance(120)
                api.post(helper, f"/requests/{rid}/resolve", json={"outcome": "led_to_window"})
    body = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "created_at": clock().isoformat(), "missing": 3,
            "matter_name": "养老保险"}
    assert client.post("/api/v1/notices", json=body, headers=auth(world.kiosk_tokens["k1"])).status_code == 201
    done = api.case(time_limit_days=1)["id"]
    api.post("li", f"/cases/{done}/start", json={"department": "社保窗口"})
    api.post("li", f"/cases/{done}/complete")
    api.case(time_limit_days=1)  # runs late
    clock.advance(86400)  # Sun 29 Nov
    api.tokens.clear()
    _request(client, world, "k2")


def _sheet(wb, name) -> list[list]:
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def test_monthly_report_equals_the_figures(api, client, world, clock, ctx, tmp_path, capsys):
    november(api, client, world, clock, ctx)
    clock.advance(3 * 86400)  # 2 Dec: November is over, its anchors exist
    api.tokens.clear()
    ctx.queue.escalate()  # the waiting call escalates now, not between the two readings (background tick)
    figs = api.get("sup", "/figures", params={"since": "2026-11-01", "until": "2026-11-30"}).json()
    out = tmp_path / "nov.xlsx"
    assert main(["queue", "report", "--db", ctx.db.url, "--site", "D", "--period", "2026-11", "--out", str(out)]) == 0
    capsys.readouterr()
    wb = load_workbook(out)
    by_site = {row[0]: row for row in _sheet(wb, "站点")[1:]}
    for s in figs["sites"]:
        row = by_site[f"{s['site_name']}（{s['site_code']}）"]
        assert row[1:7] == [s["requests"], s["claimed"], s["resolved"], s["converted"], s["cancelled"], s["escalated"]]
        assert row[7:11] == [None if v is None else round(v) for v in (
            s["response"]["p50_s"], s["response"]["p90_s"], s["completion"]["p50_s"], s["completion"]["p90_s"])]
        c = s["cases"]
        assert row[11:17] == [c["total"], c["on_time"], c["late"], c["overdue"], c["open"], s["notices"]["printed"]]
    total = _sheet(wb, "概况")[4]
    t = figs["total"]
    assert total[1:3] == [t["requests"], t["claimed"]] == [5, 3]
    assert total[11:17] == [2, 1, 0, 1, 2, 1]  # 代办: total, on time, late, overdue, open; one notice
    helpers = {row[0]: row for row in _sheet(wb, "帮办员")[1:]}
    assert helpers["李四"][1:3] == [next(h for h in figs["helpers"] if h["username"] == "li")[k]
                                  for k in ("requests", "claimed")]
    evil = next(r for r in wb["帮办员"].iter_rows(min_row=2) if "HYPERLINK" in str(r[0].value))[0]
    assert evil.value.startswith("'=") and evil.data_type == "s"  # text, never a formula
    assert [r[1] for r in _sheet(wb, "每日")[1:] if r[0].day in (28, 29)] == [4, 1]
    anchors = _sheet(wb, "台账锚点")[1:]
    assert {a[0] for a in anchors} == {"T1", "T2"}
    t1 = next(a for a in anchors if a[0] == "T1")
    code = main(["queue", "verify-ledger", "--db", ctx.db.url, "--site", "T1", "--anchor", f"#{t1[3]}:{t1[4]}"])
    assert code == 0, capsys.readouterr().err
    # the API's download: the same numbers on the page
    page = api.get("sup", "/reports", params={"site_code": "D", "period": "2026-11"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script" not in page.text.lower() and "<svg" in page.text and t1[4] in page.text
    assert "曾都区政务服务中心 帮办代办督查月报" in page.text
    if os.environ.get("KIOSK_SCREENSHOTS"):  # to look at: render it with Chromium
        (Path(os.environ["KIOSK_SCREENSHOTS"]) / "report-month.html").write_text(page.text, encoding="utf-8")
    assert "=HYPERLINK(&quot;http://x.test&quot;" in page.text  # escaped, shown as text
    xl = api.get("sup", "/reports", params={"site_code": "D", "period": "2026-11", "format": "xlsx"})
    assert _sheet(load_workbook(io.BytesIO(xl.content)), "概况")[4][1:3] == [5, 3]


def test_daily_report_downtime_and_access(api, client, world, clock, ctx):
    for _ in range(3):  # k1 beats every 30 s, then falls silent for 10 minutes, then beats again
        _heartbeat(client, world, clock)
        clock.advance(30)
    clock.advance(600)
    _heartbeat(client, world, clock)
    first = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    r = api.get("mgr", "/reports", params={"site_code": "T1", "period": "2026-11-28", "format": "xlsx"})
    assert r.status_code == 200, r.text
    rows = {row[0]: row for row in _sheet(load_workbook(io.BytesIO(r.content)), "终端离线")[1:]}
    watched = (clock() - first).total_seconds()
    assert rows["k1"][3] == 630 and rows["k1"][4] == watched  # the silence from the last beat to the next
    assert "k2" not in rows  # another site's kiosk
    assert api.get("li", "/reports", params={"site_code": "T1", "period": "2026-11"}).json()["code"] == "role"
    assert api.get("mgr", "/reports", params={"site_code": "D", "period": "2026-11"}).json()["code"] == "site"
    bad = api.get("mgr", "/reports", params={"site_code": "T1", "period": "2026-13"})
    assert bad.status_code == 422 and bad.json()["code"] == "report_period"
    page = api.get("mgr", "/reports", params={"site_code": "T1", "period": "2026-11-28"}).text
    assert "帮办代办督查日报" in page and "暂无锚点" in page  # the day is not over yet


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_pdf_by_chromium_and_bad_arguments(api, client, world, clock, ctx, tmp_path, capsys):
    _request(client, world)
    out = tmp_path / "day.pdf"
    assert main(["queue", "report", "--db", ctx.db.url, "--site", "T1", "--period", "2026-11-28", "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 10_000
    assert main(["queue", "report", "--db", ctx.db.url, "--site", "T1", "--period", "11/2026", "--out", "x.pdf"]) == 2
    assert main(["queue", "report", "--db", ctx.db.url, "--site", "T9", "--period", "2026-11", "--out", "x.pdf"]) == 2
    assert main(["queue", "report", "--db", ctx.db.url, "--site", "T1", "--period", "2026-11", "--out", "x.doc"]) == 2
    err = capsys.readouterr().err
    assert "neither a month" in err and "T9" in err and ".xlsx, .html or .pdf" in err
