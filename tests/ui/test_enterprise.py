"""为企业办事 (issue 12 item 10) with real touches: the credit code is checked by its GB 32100 check
character, the catalogue's enterprise matters are offered with 代办 suggested where recommended, the
经办人 identifies with their own card, and the help request and every slip name the enterprise."""

import pytest

from kiosk.visit.enterprise import InvalidCreditCode, check_character, validate_credit_code
from tests.ui.kit import ID_NUMBER, requests

CODE = "91350100M000100Y43"  # a published valid example


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
