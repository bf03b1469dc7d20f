"""Retention on SQLite and PostgreSQL: a closed 代办 case's personal data is erased after the period —
the case row keeps the masked name, the ledger entries keep commitments instead of free text, the chain
still verifies, the erasure is itself on the ledger — and open or recent cases are left alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from kiosk.cli import main
from kiosk.queue.models import case_events, cases
from kiosk.queue.verify import verify
from tests.queue.case_helpers import Api


@pytest.fixture
def api(client, world):
    return Api(client, world)


def dump(ctx, case_id: str) -> str:
    """Every stored byte of the case and its ledger entries as text (what a database thief reads)."""
    with ctx.db.read() as conn:
        row = dict(conn.execute(select(cases).where(cases.c.id == case_id)).mappings().one())
        entries = [dict(r) for r in conn.execute(select(case_events).where(case_events.c.case_id == case_id)).mappings()]
    row["applicant_enc"] = ctx.queue.box.open_record(row["applicant_enc"])
    return json.dumps([row, entries], ensure_ascii=False, default=str)


def test_closed_case_is_erased_after_the_period_and_the_chain_verifies(api, ctx, clock):
    old = api.case(note="申请人张三丰，电话13812345678", authorization={"signed": True, "note": "张三丰本人签字"})["id"]
    api.post("li", f"/cases/{old}/start", json={"department": "市场监管局窗口", "note": "张三丰电话 13812345678"})
    api.post("li", f"/cases/{old}/suspend", json={"reason": "等张三丰补交户口本"})
    api.post("li", f"/cases/{old}/withdraw", json={"reason": "张三丰本人来电撤回"})
    assert "13812345678" in dump(ctx, old) and "张三丰" in dump(ctx, old)
    still_open = api.case(applicant={"name": "李四光", "phone": "13900001111"})["id"]
    days = ctx.cases.retention.days
    clock.advance((days - 1) * 86400)
    api.tokens.clear()
    recent = api.case(applicant={"name": "王小二", "phone": "13700002222"})["id"]
    api.post("li", f"/cases/{recent}/cancel", json={"reason": "王小二登记重复"})
    assert ctx.cases.retention.erase_due() == 0  # not yet: closed 1 day short of the period
    clock.advance(2 * 86400)
    api.tokens.clear()
    assert ctx.cases.retention.erase_due() == 1
    assert ctx.cases.retention.erase_due() == 0  # once
    text = dump(ctx, old)
    for gone in ("张三丰", "13812345678", "110105", "户口本", "本人来电撤回"):
        assert gone not in text, gone
    view = api.get("li", f"/cases/{old}").json()
    assert (view["applicant_masked"], view["phone_masked"], view["note"], view["close_reason"]) == ("张**", "", None, None)
    assert view["state"] == "withdrawn" and view["materials"][0]["name"] == "身份证"  # the ledger row still reads
    gone = api.get("li", f"/cases/{old}/applicant")
    assert gone.status_code == 410 and gone.json()["code"] == "case_erased"
    history = api.get("li", f"/cases/{old}/events").json()
    started = next(e for e in history if e["type"] == "case.started")
    assert set(started["data"]["note"]) == {"$erased"} and started["data"]["department"] == "市场监管局窗口"
    erased = history[-1]
    assert erased["type"] == "case.erased" and erased["actor"] == "system:retention" and erased["data"]["entries"] == 3
    assert "13900001111" in dump(ctx, still_open) and "13700002222" in dump(ctx, recent)  # untouched
    with ctx.db.read() as conn:
        result = verify(conn)
    assert result.ok, result.first_failure and result.first_failure.line()
    export = api.get("mgr", "/cases/export.xlsx", params={"since": "2026-11-01"})
    assert export.status_code == 200


def test_an_erased_text_cannot_be_swapped_for_another(api, ctx, clock):
    cid = api.case()["id"]
    api.post("li", f"/cases/{cid}/start", json={"department": "税务窗口", "note": "原件已核"})
    api.post("li", f"/cases/{cid}/cancel", json={"reason": "登记重复"})
    clock.advance((ctx.cases.retention.days + 1) * 86400)
    assert ctx.cases.retention.erase_due() == 1
    with ctx.db.write() as conn:
        row = conn.execute(select(case_events).where(case_events.c.case_id == cid,
                                                     case_events.c.type == "case.started")).mappings().one()
        data = {**row["data"], "note": {"$erased": "0" * 64}}  # a forged commitment
        conn.execute(update(case_events).where(case_events.c.id == row["id"]).values(data=data))
    with ctx.db.read() as conn:
        failure = verify(conn, "T1").first_failure
    assert failure is not None and failure.code == "edited" and failure.row_id == row["id"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_erase_closed_command(api, ctx, clock, capsys):
    cid = api.case()["id"]
    api.post("li", f"/cases/{cid}/cancel", json={"reason": "登记重复"})
    args = ["queue", "erase-closed", "--db", ctx.db.url, "--state-dir", str(ctx.settings.state_dir), "--days", "1"]
    with ctx.db.write() as conn:  # the command runs on the real clock: closed just now, by it
        conn.execute(update(cases).where(cases.c.id == cid).values(closed_at=datetime.now(UTC)))
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == "" and "would erase the personal data of 0 case(s)" in out.err  # closed just now
    with ctx.db.write() as conn:  # closed three days ago
        conn.execute(update(cases).where(cases.c.id == cid).values(closed_at=datetime.now(UTC) - timedelta(days=3)))
    assert main([*args, "--dry-run"]) == 0 and capsys.readouterr().out.strip() == cid
    assert main(args) == 0
    assert "erased the personal data of 1 case(s)" in capsys.readouterr().err
    assert api.get("li", f"/cases/{cid}").json()["applicant_masked"] == "张**"
    assert main([*args[:-2], "--days", "0"]) == 2
