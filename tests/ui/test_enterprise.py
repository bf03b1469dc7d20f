"""为企业办事 (issue 12 item 10) with real touches: the credit code is checked by its GB 32100 check
character, the catalogue's enterprise matters are offered with 代办 suggested where recommended, the
经办人 identifies with their own card, and the help request and every slip name the enterprise."""

from pathlib import Path

import pytest

from kiosk.visit.enterprise import InvalidCreditCode, check_character, validate_credit_code
from tests.ui.kit import ID_NUMBER, requests

CODE = "91350100M000100Y43"  # a published valid example
SAMPLE = Path(__file__).resolve().parents[2] / "kiosk" / "config" / "enterprises_sample.csv"
INDIVIDUAL = "92421303MA4B1C2D3K"  # a 个体工商户 in the sample register
COMPANY = "91421303MA4AP7TQ54"


@pytest.mark.parametrize("code", [CODE, "91110000600037341L", "91420000177570439L"])
def test_real_codes_pass_the_check(code):
    assert validate_credit_code(code.lower()) == code and check_character(code[:17]) == code[17]


@pytest.mark.parametrize("bad, key", [("91350100M000100Y44", "check"), ("91350100M000100Y4", "length"),
                                      ("91350100M000100I43", "chars"), ("B1350100M000100Y43", "authority")])
def test_bad_codes_say_why(bad, key):
    with pytest.raises(InvalidCreditCode) as err:
        validate_credit_code(bad)
    assert err.value.key == key


@pytest.fixture
def make(shot_kiosks):
    return lambda: shot_kiosks(queue=True)


def test_an_enterprise_visit_checks_the_code_suggests_proxy_and_carries_the_enterprise(make):
    h = make()
    h.tap(h.screen("start").ids.enterprise)
    assert h.current == "enterprise"
    s = h.screen("enterprise")
    h.keys(s.ids.keypad, CODE[:17] + "4")  # one character wrong
    h.tap(s.ids.confirm)
    assert "有一位不对" in s.message and s.message == s.ids.who.text and s.stage == "code"
    h.tap([b for b in s.ids.keypad.children if b.key == "back"][0])  # 退格
    h.keys(s.ids.keypad, "3")
    h.tap(s.ids.confirm)
    assert s.stage == "matter"
    names = [b.text for b in s.ids.matters.children]
    assert any("企业开办" in n and "推荐代办" in n for n in names)
    h.press("企业开办")
    assert s.stage == "kind" and "推荐" in s.ids.proxy.text and not s.ids.proxy.outline
    h.tap(s.ids.proxy)
    assert s.notice is not None and h.current == "enterprise"  # 代办: the PIPL notice first
    h.tap(s.notice.ids.agree)
    assert h.current == "identify" and h.controller.kind == "proxy"
    h.type_id(ID_NUMBER)  # the 经办人's own card
    h.pump(6)
    assert h.current == "materials" and h.controller.visit.matter.id == "business-startup"
    h.press("呼叫")
    h.settle()
    reqs = requests(h)
    assert len(reqs) == 1 and CODE in reqs[0].body["note"] and "企业" in reqs[0].body["note"]
    h.mark_all("paper")
    h.press("检查材料")
    h.settle()
    printed = [line for slip in h.devices.printed for line in slip.lines()] if h.devices.printed else []
    assert any(CODE in line for line in printed)


def test_a_company_being_founded_goes_on_without_a_code(make):
    h = make()
    h.tap(h.screen("start").ids.enterprise)
    s = h.screen("enterprise")
    h.tap(s.ids.no_code)
    assert s.stage == "matter" and "开办中" in s.ids.who.text
    h.press("其他事项")
    assert s.suggested == "assist"
    h.tap(s.ids.assist)
    h.type_id(ID_NUMBER)
    h.pump(6)
    assert h.current == "matter"  # no matter chosen yet: the full list
    assert h.controller.visit.enterprise is not None and h.controller.visit.enterprise.founding


def test_a_code_in_the_halls_register_shows_the_name_to_confirm_and_the_slips_carry_it(shot_kiosks):
    from kiosk.terminal import slips

    h = shot_kiosks(queue=True, access={"enterprise_directory": str(SAMPLE)})
    h.tap(h.screen("start").ids.enterprise)
    s = h.screen("enterprise")
    h.keys(s.ids.keypad, INDIVIDUAL)
    h.tap(s.ids.confirm)
    assert s.stage == "name" and s.ids.found_name.text == "曾都区张记热干面馆"
    h.tap(s.ids.name_yes)
    assert s.stage == "matter" and "曾都区张记热干面馆" in s.ids.who.text and s.ids.name_note.text == ""
    h.press("企业开办")
    h.tap(s.ids.assist)
    assert h.controller.visit.enterprise.name == "曾都区张记热干面馆"
    h.type_id(ID_NUMBER)
    h.pump(6)
    h.press("呼叫")
    h.settle()
    assert "曾都区张记热干面馆" in requests(h)[0].body["note"]  # the helper gets the whole name
    h.mark_all("paper")
    h.press("检查材料")
    h.settle()
    ticket = slips.build("ticket", h.controller.visit).to_text()
    assert "曾都**干面馆" in ticket and "张记" not in ticket  # a 个体工商户's name is masked on paper


def test_not_this_enterprise_leaves_the_name_to_a_helper(make, tmp_path):
    from kiosk.terminal.enterprise import load_directory

    assert load_directory(SAMPLE)[COMPANY] == "湖北随州编钟文化传媒有限公司"
    broken = tmp_path / "e.csv"
    broken.write_text("统一社会信用代码,企业名称\n91421303MA4AP7TQ55,错的代码\n\n" + COMPANY + ",某公司\n", "utf-8")
    assert load_directory(broken) == {COMPANY: "某公司"}  # a code failing its check is skipped
    h = make()
    h.controller.enterprise.directory = load_directory(SAMPLE)
    h.tap(h.screen("start").ids.enterprise)
    s = h.screen("enterprise")
    h.keys(s.ids.keypad, COMPANY)
    h.tap(s.ids.confirm)
    assert s.stage == "name"
    h.tap(s.ids.name_no)
    assert s.stage == "matter" and s.company == "" and "营业执照" in s.ids.name_note.text
    h.press("企业开办")
    h.tap(s.ids.assist)
    assert h.controller.visit.enterprise.name == "" and h.controller.visit.enterprise.code == COMPANY
