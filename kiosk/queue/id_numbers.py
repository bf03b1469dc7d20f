"""证件号码 typed at the window when registering a 代办 case: checked on the server, as the kiosk checks it.

Contract: :func:`check_id_number` returns the number normalised (spaces and dashes gone, full-width digits
and ``x`` mapped, upper case) or raises :class:`~kiosk.queue.errors.Invalid` ``case_id_number`` whose
message says what is wrong in plain words. ``resident`` (the default) is the 18-character number of GB
11643 — resident ID cards, the HK/Macau/Taiwan residence permits and the 2023 foreign permanent resident
card — checked for area, birth date and check character by :mod:`kiosk.devices.idcard.idnumber`. The other
card types are checked for their printed format only (they carry no check character).
"""

from __future__ import annotations

import re
from datetime import date

from kiosk.devices.idcard.idnumber import id_number_problem, normalize
from kiosk.i18n import say
from kiosk.queue.errors import Invalid

ID_TYPES = ("resident", "hk_mo_permit", "tw_permit", "foreign_2017", "passport")
FORMATS = {
    "hk_mo_permit": re.compile(r"^[HM]\d{8}(\d{2})?$"),  # 港澳居民来往内地通行证
    "tw_permit": re.compile(r"^\d{8}(\d{2})?$"),  # 台湾居民来往大陆通行证
    "foreign_2017": re.compile(r"^[A-Z]{3}\d{12}$"),  # 外国人永久居留身份证 (2017, 15 characters)
    "passport": re.compile(r"^[A-Z0-9]{5,17}$"),
}


def check_id_number(value: str, id_type: str = "resident", today: date | None = None,
                    language: str | None = None) -> str:
    """``value`` normalised, or Invalid ``case_id_number`` saying what is wrong."""
    v = normalize(value)
    if id_type == "resident":
        problem = id_number_problem(v, today)
        if problem is not None:
            raise Invalid("case_id_number", reason=say(problem, language))
        return v
    if not FORMATS[id_type].match(v):
        raise Invalid("case_id_number", reason=say_format(id_type, language))
    return v


def say_format(id_type: str, language: str | None = None) -> str:
    from kiosk.i18n import tr

    return tr(f"queue.id_format.{id_type}", language)
