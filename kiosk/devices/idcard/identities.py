"""Sample identities the simulator can present: every card type, rare characters, a 长期 card.

All invented; every ID number carries a correct GB 11643 check character (computed, not typed).
The photo bytes are a stand-in for WLT data and deliberately contain the frame preamble, so a parser
that re-synchronises inside a frame is caught.
"""

from __future__ import annotations

import hashlib
from datetime import date

from kiosk.devices.idcard.card import LONG_TERM, CardType, IdCard
from kiosk.devices.idcard.idnumber import check_char
from kiosk.devices.idcard.protocol import PREAMBLE


def _number(first17: str) -> str:
    return first17 + check_char(first17)


def fake_blob(seed: str, size: int) -> bytearray:
    """Deterministic bytes standing in for WLT photo / fingerprint data (``PREAMBLE`` included)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    out[100:100 + len(PREAMBLE)] = PREAMBLE
    return out[:size]


def _card(key: str, fingerprint: int = 0, **fields: object) -> IdCard:
    return IdCard(photo_raw=fake_blob(key + ":photo", 1024),
                  fingerprint_raw=fake_blob(key + ":fp", fingerprint) if fingerprint else bytearray(),
                  **fields)  # type: ignore[arg-type]


IDENTITIES: dict[str, IdCard] = {
    "zhang_san": _card(
        "zhang_san", fingerprint=1024, card_type=CardType.RESIDENT, name="张三", gender="男", ethnicity="汉",
        birth_date=date(1990, 3, 7), address="湖北省随州市曾都区西城街道烈山大道88号",
        id_number=_number("42130319900307001"), issuer="随州市公安局曾都分局",
        valid_from=date(2015, 6, 1), valid_until=date(2035, 6, 1)),
    "rare_ext_b": _card(
        "rare_ext_b", fingerprint=512, card_type=CardType.RESIDENT, name="𠮷桂芳", gender="女", ethnicity="土家",
        birth_date=date(1985, 11, 23), address="湖北省随州市曾都区南郊街道𠮷家湾村三组12号",
        id_number=_number("42130319851123002"), issuer="随州市公安局曾都分局",
        valid_from=date(2016, 2, 10), valid_until=date(2036, 2, 10)),
    "rare_ext_a": _card(
        "rare_ext_a", card_type=CardType.RESIDENT, name="刘䶮", gender="男", ethnicity="回",
        birth_date=date(2001, 8, 15), address="湖北省随州市曾都区东城街道舜井大道6号",
        id_number=_number("42130320010815003"), issuer="随州市公安局曾都分局",
        valid_from=date(2019, 9, 1), valid_until=date(2029, 9, 1)),
    "elder_long_term": _card(
        "elder_long_term", card_type=CardType.RESIDENT, name="欧阳秀英", gender="女", ethnicity="汉",
        birth_date=date(1950, 1, 20), address="湖北省随州市曾都区何店镇何店村五组",
        id_number=_number("42130319500120004"), issuer="随州市公安局曾都分局",
        valid_from=date(2012, 5, 10), valid_until=LONG_TERM,
        appended_address="湖北省随州市曾都区东城街道解放路12号附3号"),
    "hk_resident": _card(
        "hk_resident", card_type=CardType.HK_MO_TW, name="陈大文", gender="男",
        birth_date=date(1988, 7, 1), address="湖北省随州市曾都区北郊街道文峰大道1号",
        id_number=_number("81000019880701001"), issuer="随州市公安局",
        valid_from=date(2023, 3, 1), valid_until=date(2028, 3, 1), pass_number="H12345678", issue_count=1),
    "foreign_2017": _card(
        "foreign_2017", card_type=CardType.FOREIGN_2017, name="史密斯", english_name="SMITH, JOHN WILLIAM",
        gender="男", birth_date=date(1990, 8, 10), id_number="USA420900810114", nationality="USA",
        valid_from=date(2017, 6, 1), valid_until=date(2027, 6, 1), card_version="02", authority_code="1500",
        issuer="1500"),
    "foreign_2023": _card(
        "foreign_2023", card_type=CardType.FOREIGN_2023, name="加西亚",
        english_name="MONTGOMERY-WHITTAKER, ALEXANDRA ELIZABETH", gender="女", birth_date=date(1988, 5, 12),
        id_number=_number("94272419880512002"), nationality="ESP", renewal_count=0,
        issuer="中华人民共和国国家移民管理局", valid_from=date(2023, 12, 1), valid_until=date(2033, 12, 1),
        old_number_link="091"),
    # an ethnicity code outside GB 3304, as readers in Guizhou return for 穿青人 (vendors differ on the number)
    "unlisted_ethnicity": _card(
        "unlisted_ethnicity", card_type=CardType.RESIDENT, name="龙应芬", gender="女", ethnicity_code="59",
        birth_date=date(1979, 4, 2), address="贵州省毕节市织金县城关镇双堰街道3号",
        id_number=_number("52242519790402002"), issuer="织金县公安局",
        valid_from=date(2018, 5, 9), valid_until=date(2038, 5, 9)),
}
DEFAULT_IDENTITY = "zhang_san"
