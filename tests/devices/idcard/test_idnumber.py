from __future__ import annotations

from datetime import date

import pytest

from kiosk.devices.idcard.identities import IDENTITIES
from kiosk.devices.idcard.idnumber import (
    InvalidIdNumber,
    birth_date_of,
    check_char,
    gender_of,
    id_number_problem,
    validate_id_number,
)


def test_documented_example() -> None:
    digits = "11010519491231002"
    assert sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2),
                                          strict=True)) == 167
    assert check_char(digits) == "X"
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    assert birth_date_of("11010519491231002X") == date(1949, 12, 31)
    assert gender_of("11010519491231002X") == "女"  # 002: even


def test_every_sample_identity_with_a_citizen_number_is_valid() -> None:
    for key, card in IDENTITIES.items():
        if key != "foreign_2017":  # the 2017 permit number is not a GB 11643 number
            assert id_number_problem(card.id_number) is None, key
            assert birth_date_of(card.id_number) == card.birth_date, key
            assert gender_of(card.id_number) == card.gender, key


def test_manual_entry_is_forgiving_about_format() -> None:
    assert validate_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


@pytest.mark.parametrize(("text", "words"), [
    ("", "18位"),
    ("110105491231002", "15位"),
    ("1101051949123100", "16位"),
    ("1101051949123100AX", "数字"),
    ("11010519491231002Y", "最后一位"),
    ("99010519491231002X"[:0] + "00010519491231002X", "地区"),
    ("110105194913310021", "出生日期"),
    ("110105219912310021", "出生日期"),
    ("110105194912310021", "校验位"),
])
def test_each_problem_says_what_is_wrong(text: str, words: str) -> None:
    from kiosk.i18n import say

    problem = id_number_problem(text, today=date(2026, 1, 1))
    assert problem is not None and words in say(problem, "zh_CN")
    assert problem.code.startswith("idcard.idnumber.") and say(problem, "en") != say(problem, "zh_CN")
    with pytest.raises(InvalidIdNumber) as info:
        validate_id_number(text, today=date(2026, 1, 1))
    assert info.value.reason == problem


def test_english_messages() -> None:
    from kiosk.i18n import tr

    assert "check character" in tr("idcard.idnumber.check", language="en")
