"""The paper of a 代办 case: 代办受理回执 printed at the window printer when the case is registered, the
材料归还单 when it is returned — real ESC/POS over tcp:// to the printer simulator, parsed back — and both
as PNG through the API; failures of the printer on the ledger."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.devices.printer.simulator import PrinterSimulator
from tests.queue.case_helpers import Api


@pytest.fixture
def api(client, world):
    return Api(client, world)


@pytest.fixture
def printer(ctx, capsys):
    with PrinterSimulator() as sim:
        code = main(["queue", "set-printer", "--db", ctx.db.url, "--state-dir", str(ctx.settings.state_dir),
                     "--site", "T1", "--printer", sim.uri])
        assert code == 0, capsys.readouterr().err
        yield sim


def history(api, cid) -> list[dict]:
    return api.get("li", f"/cases/{cid}/events").json()


def printed(api, cid, count: int) -> list[dict]:
    """The case's ``case.slip_printed`` entries, once there are ``count`` (the print thread writes it
    just after the printer took the bytes)."""
    deadline = time.monotonic() + 30
    while True:
        found = [e for e in history(api, cid) if e["type"] == "case.slip_printed"]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_receipt_and_return_slip_print_at_the_window(api, printer):
    case = api.case()
    cid = case["id"]
    assert printer.wait_for_slips(1, timeout=30)
    text = printer.slips[0].to_text()
    for expected in ("代办受理回执", cid, "张**", "110105********002X", "138****5678", "个体工商户设立登记",
                     "1. 身份证（原件×1）", "2. 经营场所证明（复印件×2）", "李四", "2026-12-04", "5个工作日",
                     f"[QR: BBDB1|C|{cid}]", "申请人签字"):
        assert expected in text, (expected, text)
    assert "张三丰" not in text and "11010519491231002X" not in text and "13812345678" not in text
    api.post("li", f"/cases/{cid}/start", json={"department": "市场监管局窗口"})
    api.post("li", f"/cases/{cid}/complete", json={"note": "营业执照已领取"})
    api.post("li", f"/cases/{cid}/return", json={"applicant_confirmed": True, "agent_confirmed": True})
    assert printer.wait_for_slips(2, timeout=30)
    back = printer.slips[1].to_text()
    for expected in ("材料归还单", cid, "√ 身份证（原件×1）", "√ 经营场所证明（复印件×2）", "营业执照已领取",
                     "申请人签字", "代办员签字"):
        assert expected in back, (expected, back)
    assert [e["data"]["kind"] for e in printed(api, cid, 2)] == ["receipt", "return"]
    again = api.post("li", f"/cases/{cid}/slips/receipt/print")  # a reprint from the console
    assert again.status_code == 200 and again.json()["printer"] == printer.uri
    assert printer.wait_for_slips(3, timeout=30)


def test_printer_trouble_is_said_and_on_the_ledger(api, printer, ctx, capsys):
    printer.set_state("out")
    cid = api.case()["id"]
    r = api.post("li", f"/cases/{cid}/slips/receipt/print")
    assert r.status_code == 503 and r.json()["code"] == "printer_failed" and printer.uri in r.json()["detail"]
    failed = [e for e in history(api, cid) if e["type"] == "case.slip_failed"]
    assert failed and failed[-1]["data"]["kind"] == "receipt"
    assert api.post("li", f"/cases/{cid}/slips/return/print").json()["code"] == "case_state"  # not returned yet
    assert main(["queue", "set-printer", "--db", ctx.db.url, "--state-dir", str(ctx.settings.state_dir),
                 "--site", "T1", "--printer", "none"]) == 0
    assert main(["queue", "set-printer", "--db", ctx.db.url, "--site", "T1", "--printer", "lpt1"]) == 2
    capsys.readouterr()
    r = api.post("li", f"/cases/{cid}/slips/receipt/print")
    assert r.status_code == 409 and r.json()["code"] == "no_window_printer"


def test_slips_as_png(api):
    cid = api.case()["id"]
    r = api.get("li", f"/cases/{cid}/slips/receipt.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(r.content))
    assert image.width == 576 and image.height > 900  # 80 mm paper, a long slip
    assert api.get("li", f"/cases/{cid}/slips/return.png").json()["code"] == "case_state"
    assert api.get("li", f"/cases/{cid}/slips/other.png").status_code == 422
    assert api.get("zhao", f"/cases/{cid}/slips/receipt.png").status_code == 404  # another site's case
    api.post("li", f"/cases/{cid}/withdraw", json={"reason": "申请人自行办理"})
    assert api.get("li", f"/cases/{cid}/slips/return.png").status_code == 200


def test_a_promised_date_in_a_year_without_its_schedule_is_printed_as_one_that_may_change(no_holidays_file,
                                                                                          api, printer):
    api.case()  # registered 2026-12-04, 5 working days: 2026-12-11, a year whose schedule is known
    api.case(time_limit_days=30)  # into January 2027: its 调休 are not published
    assert printer.wait_for_slips(2, timeout=30)
    texts = sorted(s.to_text().replace("\n", "") for s in printer.slips[:2])  # two print threads: any order
    known, guessed = texts if "5个工作日" in texts[0] else texts[::-1]
    assert "2026-12-" in known and "公告为准" not in known, known
    assert "2027-01-" in guessed and "节假日安排以本中心公告为准" in guessed, guessed


def test_the_halls_phone_is_on_both_slips_once_the_site_has_one(api, printer, ctx, capsys):
    """A resident who left materials with the hall could only ask about progress by coming back: the
    site's public number (``kiosk queue add-site --phone``) is printed on the 受理回执 and the 归还单."""
    common = ["--db", ctx.db.url, "--state-dir", str(ctx.settings.state_dir), "--code", "T1",
              "--name", "南郊街道便民服务中心", "--level", "town", "--parent", "D"]
    assert main(["queue", "add-site", *common, "--phone", "0722-3251234 转 8001"]) == 0
    assert main(["queue", "add-site", *common]) == 0  # updated without --phone: the number is kept
    assert main(["queue", "add-site", *common, "--phone", "call me"]) == 2
    assert "site phone 'call me' must be" in capsys.readouterr().err
    cid = api.case()["id"]
    assert printer.wait_for_slips(1, timeout=30)
    line = [x for x in printer.slips[0].to_text().splitlines() if x.startswith("咨询电话")]
    assert line and line[0].endswith(" 0722-3251234 转 8001"), line
    api.post("li", f"/cases/{cid}/start", json={"department": "市场监管局窗口"})
    api.post("li", f"/cases/{cid}/complete", json={"note": "营业执照已领取"})
    api.post("li", f"/cases/{cid}/return", json={"applicant_confirmed": True, "agent_confirmed": True})
    assert printer.wait_for_slips(2, timeout=30)
    assert "0722-3251234 转 8001" in printer.slips[1].to_text()
    assert main(["queue", "add-site", *common, "--phone", ""]) == 0  # removed
    api.post("li", f"/cases/{cid}/slips/receipt/print")
    assert printer.wait_for_slips(3, timeout=30)
    assert "咨询电话" not in printer.slips[2].to_text()
