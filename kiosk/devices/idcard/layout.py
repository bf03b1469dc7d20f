"""Byte layouts: the 256-byte text block of the four card types and the read replies that carry it.

Text is UTF-16LE padded with spaces (``20 00``); offsets and sizes are in bytes (see DEVICES.md §1).
``parse_text`` turns a block into an :class:`IdCard`; ``encode_text`` is its inverse (the simulator
uses it). Malformed card data raises :class:`CardDataError`, whose message never carries the data.
"""

from __future__ import annotations

from datetime import date

from kiosk.devices.base import Reason
from kiosk.devices.idcard.card import LONG_TERM, CardType, IdCard
from kiosk.devices.idcard.codes import GENDERS, ethnicity_name, gender_name, normal_ethnicity_code
from kiosk.devices.idcard.protocol import SamProtocolError

TEXT_LEN, PHOTO_LEN, ADDRESS_LEN = 256, 1024, 70
FINGERPRINT_LENS = (0, 512, 1024)
TYPE_OFFSET = 248
TYPE_CHARS = {" ": CardType.RESIDENT, "J": CardType.HK_MO_TW, "I": CardType.FOREIGN_2017,
              "Y": CardType.FOREIGN_2023}
_TYPE_CHAR = {v: k for k, v in TYPE_CHARS.items()}
Y_DEFAULT_ISSUER = "中华人民共和国国家移民管理局"

# field -> (offset, size) per layout
RESIDENT = {"name": (0, 30), "gender": (30, 2), "ethnicity": (32, 4), "birth": (36, 16), "address": (52, 70),
            "id_number": (122, 36), "issuer": (158, 30), "valid_from": (188, 16), "valid_until": (204, 16)}
HK_MO_TW = {**RESIDENT, "pass_number": (220, 18), "issue_count": (238, 4)}
FOREIGN_2017 = {"english_name": (0, 120), "gender": (120, 2), "id_number": (122, 30), "nationality": (152, 6),
                "name": (158, 30), "valid_from": (188, 16), "valid_until": (204, 16), "birth": (220, 16),
                "card_version": (236, 4), "authority_code": (240, 8)}
# 2023 card: bytes 158–187 are reserved (not the issuer: that is always the National Immigration
# Administration); bytes 250–255 link to the holder's 2017 permit number (city code + sequence digit).
FOREIGN_2023 = {"name": (0, 30), "gender": (30, 2), "renewal_count": (32, 4), "birth": (36, 16),
                "english_1": (52, 70), "id_number": (122, 36), "valid_from": (188, 16),
                "valid_until": (204, 16), "english_2": (220, 22), "nationality": (242, 6),
                "old_number_link": (250, 6)}
LAYOUTS = {CardType.RESIDENT: RESIDENT, CardType.HK_MO_TW: HK_MO_TW, CardType.FOREIGN_2017: FOREIGN_2017,
           CardType.FOREIGN_2023: FOREIGN_2023}


class CardDataError(SamProtocolError):
    """The text block or read reply does not hold what the layout says (bad date, odd lengths…)."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(Reason("idcard.reader.card_data", detail=detail))


def _text(block: bytes, spot: tuple[int, int], what: str, strip: str = "both") -> str:
    offset, size = spot
    try:
        text = block[offset:offset + size].decode("utf-16-le")
        return text.rstrip(" \x00") if strip == "right" else text.strip(" \x00")
    except UnicodeDecodeError:
        raise CardDataError(f"field {what} is not valid UTF-16") from None


def _date(text: str, what: str) -> date:
    if len(text) == 8 and text.isascii() and text.isdigit():
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise CardDataError(f"field {what} is not a YYYYMMDD date")


def _count(text: str, what: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise CardDataError(f"field {what} is not a number")
    return int(text)


def card_type_of(block: bytes) -> CardType:
    char = _text(block, (TYPE_OFFSET, 2), "card type") or " "
    if char not in TYPE_CHARS:
        raise CardDataError(f"unknown card type character U+{ord(char[0]):04X}")
    return TYPE_CHARS[char]


def parse_text(block: bytes, photo: bytes | bytearray = b"", fingerprint: bytes | bytearray = b"") -> IdCard:
    """The card in a 256-byte text block (any of the four layouts). Raises CardDataError."""
    if len(block) != TEXT_LEN:
        raise CardDataError(f"text block has {len(block)} bytes, expected {TEXT_LEN}")
    kind = card_type_of(block)
    lay = LAYOUTS[kind]
    f = {key: _text(block, spot, key) for key, spot in lay.items()}
    until = LONG_TERM if f["valid_until"] == LONG_TERM else _date(f["valid_until"], "valid_until")
    common = dict(card_type=kind, gender=gender_name(f["gender"]), birth_date=_date(f["birth"], "birth_date"),
                  id_number=f["id_number"], valid_from=_date(f["valid_from"], "valid_from"), valid_until=until,
                  photo_raw=bytearray(photo), fingerprint_raw=bytearray(fingerprint))
    if kind in (CardType.RESIDENT, CardType.HK_MO_TW):
        extra: dict = {}
        if kind is CardType.HK_MO_TW:
            extra = dict(pass_number=f["pass_number"], issue_count=_count(f["issue_count"], "issue_count"))
        code = normal_ethnicity_code(f["ethnicity"])
        return IdCard(name=f["name"], ethnicity=ethnicity_name(code), ethnicity_code=code, address=f["address"],
                      issuer=f["issuer"], **extra, **common)
    if kind is CardType.FOREIGN_2017:
        return IdCard(name=f["name"] or f["english_name"], english_name=f["english_name"],
                      nationality=f["nationality"], card_version=f["card_version"],
                      authority_code=f["authority_code"], issuer=f["authority_code"], **common)
    # A long English name continues in the second slot: straight on when the first slot is full, else
    # after a word break that the padding swallowed.
    # (the second slot keeps its leading space: "…35 chars" + " SMITH" is a word break, not padding)
    first, second = f["english_1"], _text(block, lay["english_2"], "english_2", strip="right")
    if len(first) < 35 and second:
        second = " " + second.lstrip()
    english = first + second
    link = f["old_number_link"]
    if link and not (len(link) == 3 and link.isascii() and link.isdigit()):
        raise CardDataError("field old_number_link is not three digits")
    return IdCard(name=f["name"] or english, english_name=english, nationality=f["nationality"],
                  renewal_count=_count(f["renewal_count"], "renewal_count"), old_number_link=link,
                  issuer=Y_DEFAULT_ISSUER, **common)


def _put(buf: bytearray, spot: tuple[int, int], text: str, what: str) -> None:
    offset, size = spot
    raw = text.encode("utf-16-le")
    if len(raw) > size:
        raise ValueError(f"{what} needs {len(raw)} bytes, its slot holds {size}")
    buf[offset:offset + size] = raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def _gender_code(name: str) -> str:
    return next((code for code, value in GENDERS.items() if value == name), "0")


def _ymd(value: date | str) -> str:
    return value.strftime("%Y%m%d") if isinstance(value, date) else value


def encode_text(card: IdCard) -> bytes:
    """The 256-byte text block of ``card`` (inverse of :func:`parse_text`). Raises ValueError if a field
    does not fit its slot."""
    buf = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    kind = card.card_type
    lay = LAYOUTS[kind]
    values = {"gender": _gender_code(card.gender), "birth": _ymd(card.birth_date), "id_number": card.id_number,
              "valid_from": _ymd(card.valid_from), "valid_until": _ymd(card.valid_until),
              "nationality": card.nationality}
    if kind in (CardType.RESIDENT, CardType.HK_MO_TW):
        values.update(name=card.name, ethnicity=card.ethnicity_code, address=card.address, issuer=card.issuer)
        if kind is CardType.HK_MO_TW:
            values.update(pass_number=card.pass_number, issue_count=f"{card.issue_count or 0:02d}")
    elif kind is CardType.FOREIGN_2017:
        values.update(english_name=card.english_name, name="" if card.name == card.english_name else card.name,
                      card_version=card.card_version, authority_code=card.authority_code)
    else:
        first, rest = card.english_name[:35], card.english_name[35:]
        values.update(name="" if card.name == card.english_name else card.name, english_1=first, english_2=rest,
                      renewal_count=f"{card.renewal_count or 0:02d}", old_number_link=card.old_number_link)
    for key, spot in lay.items():
        _put(buf, spot, values.get(key, ""), key)
    _put(buf, (TYPE_OFFSET, 2), _TYPE_CHAR[kind], "card type")
    return bytes(buf)


def split_read_data(data: bytes | memoryview, with_fingerprint: bool) -> tuple[bytes, bytes, bytes]:
    """(text, photo, fingerprint) from the DATA of a 30 01 / 30 10 reply; raises CardDataError."""
    head = 6 if with_fingerprint else 4
    if len(data) < head:
        raise CardDataError(f"read reply DATA has {len(data)} bytes, shorter than its length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    fp_len = int.from_bytes(data[4:6], "big") if with_fingerprint else 0
    if text_len != TEXT_LEN:
        raise CardDataError(f"read reply announces {text_len} text bytes, expected {TEXT_LEN}")
    if head + text_len + photo_len + fp_len != len(data):
        raise CardDataError(f"read reply lengths {text_len}+{photo_len}+{fp_len} do not add up to its "
                            f"{len(data) - head} bytes")
    text_end = head + text_len
    photo_end = text_end + photo_len
    return data[head:text_end], data[text_end:photo_end], data[photo_end:]


def build_read_data(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """DATA of a read reply: 30 01 when ``fingerprint`` is None, else 30 10 (with its length field)."""
    out = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    if fingerprint is not None:
        out += len(fingerprint).to_bytes(2, "big")
    return out + text + photo + (fingerprint or b"")


def parse_appended_address(data: bytes) -> str:
    """The appended address in the DATA of a 30 03 reply (UTF-16LE, space padded)."""
    if len(data) % 2:
        raise CardDataError(f"appended address has an odd length {len(data)}")
    return _text(data, (0, len(data)), "appended_address")


def encode_appended_address(address: str) -> bytes:
    buf = bytearray(ADDRESS_LEN)
    _put(buf, (0, ADDRESS_LEN), address, "appended address")
    return bytes(buf)
