"""Citizen ID numbers (GB 11643): check character, birth date, gender, and checks for manual entry.

An 18-character number is a 6-digit area code, the birth date ``YYYYMMDD``, a 3-digit sequence (odd for
men, even for women) and a check character. The same scheme covers Hong Kong / Macau / Taiwan residence
permits (areas 81, 82, 83) and the 2023 foreign permanent resident card (first digit 9).
"""

from __future__ import annotations

from datetime import date

from kiosk.devices.base import Reason
from kiosk.hall_time import hall_today

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Province-level area codes (GB/T 2260), 81–83 for HK/Macau/Taiwan residence permits.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})
_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


class InvalidIdNumber(ValueError):
    """The number is not a valid 18-character ID number; ``reason`` says what is wrong and what to do."""

    def __init__(self, reason: Reason):
        self.reason = reason
        super().__init__(str(reason))


def check_char(first17: str) -> str:
    """The check character for 17 digits: ``"11010519491231002"`` → ``"X"``."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need exactly 17 digits, got {len(first17)} characters")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(text: str) -> str:
    """Strips spaces and dashes, maps full-width digits and ``x`` to ``0-9`` and ``X``."""
    return "".join(text.split()).replace("-", "").translate(_FULLWIDTH).upper()


def id_number_problem(text: str, today: date | None = None) -> Reason | None:
    """``None`` when ``text`` is a valid 18-character ID number, else what is wrong and what to do (a
    :class:`~kiosk.devices.base.Reason`; :func:`kiosk.i18n.say` words it)."""
    v = normalize(text)
    if not v:
        return Reason("idcard.idnumber.empty")
    if len(v) == 15 and v.isdigit():
        return Reason("idcard.idnumber.old15")
    if len(v) != 18:
        return Reason("idcard.idnumber.length", count=len(v))
    if not v[:17].isdigit():
        return Reason("idcard.idnumber.digits")
    if not (v[17].isdigit() or v[17] == "X"):
        return Reason("idcard.idnumber.last")
    if v[0] != "9" and v[:2] not in PROVINCES:
        return Reason("idcard.idnumber.area", area=v[:2])
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return Reason("idcard.idnumber.date", digits=v[6:14])
    if born.year < 1880 or born > (today or hall_today()):
        return Reason("idcard.idnumber.date_range", date=born.isoformat())
    if check_char(v[:17]) != v[17]:
        return Reason("idcard.idnumber.check")
    return None


def validate_id_number(text: str, today: date | None = None) -> str:
    """The normalized number (``X`` upper-case, no spaces); raises :class:`InvalidIdNumber` otherwise."""
    problem = id_number_problem(text, today)
    if problem:
        raise InvalidIdNumber(problem)
    return normalize(text)


def birth_date_of(number: str) -> date:
    """The birth date encoded at positions 7–14 of a valid number."""
    v = validate_id_number(number)
    return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def gender_of(number: str) -> str:
    """``"男"`` when the 17th digit is odd, ``"女"`` when it is even."""
    v = validate_id_number(number)
    return "男" if int(v[16]) % 2 else "女"
