"""The 代办台账 Excel export on SQLite and PostgreSQL: the paper-ledger columns, full names only for the
site's managers and supervisors, masked on request, helpers refused, every export audited."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kiosk.queue.ledger_export import COLUMNS
from kiosk.queue.models import case_events
from tests.queue.case_helpers import Api, handover


@pytest.fixture
def api(client, world):
    return Api(client, world)


def _sheet(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E4%BB%A3%E5%8A%9E%E5%8F%B0%E8%B4%A6" in resp.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(resp.content))["代办台账"]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_managers_get_the_paper_columns_with_full_names(api, ctx):
    first = api.case()
    api.post("li", f"/cases/{first['id']}/start", json={"department": "市场监管局窗口"})
    api.post("li", f"/cases/{first['id']}/complete")
    api.post("li", f"/cases/{first['id']}/return", json={"applicant_confirmed": True, "agent_confirmed": True})
    api.case(applicant={"name": "欧阳娜娜", "phone": "13900001111"}, matter_name="城乡居民养老保险参保登记",
             materials=[{"name": "户口簿", "form": "copy", "count": 1}], time_limit_days=0)
    api.case("zhao", applicant={"name": "赵小北"})  # another town
    rows = _sheet(api.get("mgr", "/cases/export.xlsx"))
    assert rows[0][0].startswith("帮办代办台账（")
    assert tuple(rows[1]) == COLUMNS
    body = rows[2:]
    assert [r[0] for r in body] == [1, 2]  # T1 only: the manager's site
    one, two = body
    assert one[1].date() == date(2026, 11, 28) and one[7].date() == date(2026, 12, 4)
    assert one[8].date() == date(2026, 11, 28)  # 办结日期
    assert (one[2], one[3], one[4], one[6]) == ("张三丰", "13812345678", "个体工商户设立登记", "李四")
    assert one[5] == "身份证（原件×1）；经营场所证明（复印件×2）"
    assert one[9].startswith("结果及材料已移交，双方签收") and "授权委托书已签署、已扫描" in one[10]
    assert (two[2], two[3], two[5], two[7].date(), two[8]) == ("欧阳娜娜", "13900001111", "户口簿（复印件×1）",
                                                              date(2026, 11, 28), None)
    # the district supervisor exports both towns; masked on request
    sup = _sheet(api.get("sup", "/cases/export.xlsx"))[2:]
    assert sorted(r[2] for r in sup) == ["张三丰", "欧阳娜娜", "赵小北"]
    masked = _sheet(api.get("mgr", "/cases/export.xlsx", params={"masked": True}))[2:]
    assert [(r[2], r[3]) for r in masked] == [("张**", "138****5678"), ("欧阳**", "139****1111")]  # compound surname kept
    with ctx.db.read() as conn:
        audit = conn.execute(select(case_events).where(case_events.c.type == "ledger.exported")
                             .order_by(case_events.c.id)).mappings().all()
    assert [(a["actor"], a["site_code"], a["data"]["rows"], a["data"]["full_names"]) for a in audit] == [
        ("user:mgr", "T1", 2, True), ("user:sup", "D", 0, True), ("user:sup", "T1", 2, True),
        ("user:sup", "T2", 1, True), ("user:mgr", "T1", 2, False)]


def test_helpers_cannot_export_and_ranges_are_checked(api):
    api.case()
    assert api.get("li", "/cases/export.xlsx").status_code == 403
    assert api.get("mgr", "/cases/export.xlsx", params={"site_code": "T2"}).status_code == 403
    bad = api.get("mgr", "/cases/export.xlsx", params={"since": "2026-12-01", "until": "2026-11-01"})
    assert bad.status_code == 422 and bad.json()["code"] == "date_range"
    for far in ({"until": "9999-12-31"}, {"since": "0001-01-01"}):
        assert api.get("mgr", "/cases/export.xlsx", params=far).json()["code"] == "date_range"
        assert api.get("mgr", "/figures", params=far).json()["code"] == "date_range"
    empty = _sheet(api.get("mgr", "/cases/export.xlsx", params={"since": "2026-01-01", "until": "2026-01-31"}))
    assert len(empty) == 2  # title and header only


def test_a_converted_request_keeps_no_name_in_the_export_unless_allowed(api):
    api.post("li", "/cases", json=handover(applicant={"name": "李白"}))
    masked = _sheet(api.get("sup", "/cases/export.xlsx", params={"masked": "true"}))[2:]
    assert masked[0][2] == "李*" and masked[0][3] in ("", None)
