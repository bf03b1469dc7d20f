"""Text layouts of the four card types, the code tables, masking and the photo decoder."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date

import pytest

from kiosk.devices.idcard.card import LONG_TERM, CardType, IdCard, PhotoDecoder, PlaceholderPhotoDecoder
from kiosk.devices.idcard.codes import ETHNICITIES, ethnicity_code, ethnicity_name, gender_name
from kiosk.devices.idcard.identities import IDENTITIES
from kiosk.devices.idcard.layout import CardDataError, encode_text, parse_appended_address, parse_text
from kiosk.privacy import mask_address, mask_name

JSON_KEYS = {"card_type", "name", "gender", "ethnicity", "birth_date", "address", "id_number_masked", "issuer",
             "valid_from", "valid_until"}


def utf16(text: str, size: int) -> bytes:
    raw = text.encode("utf-16-le")
    return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def hand_made_resident_block() -> bytes:
    """Built field by field from the table in DEVICES.md, independently of encode_text."""
    return (utf16("𠮷桂芳", 30) + utf16("2", 2) + utf16("15", 4) + utf16("19851123", 16)
            + utf16("湖北省随州市曾都区", 70) + utf16("11010519491231002X", 36) + utf16("随州市公安局", 30)
            + utf16("20160210", 16) + b"\x7f\x95\x1f\x67" + utf16("", 12) + utf16("", 36))


def test_resident_block_from_the_documented_offsets() -> None:
    card = parse_text(hand_made_resident_block())
    assert card.card_type is CardType.RESIDENT
    assert (card.name, card.gender, card.ethnicity) == ("𠮷桂芳", "女", "土家")
    assert card.birth_date == date(1985, 11, 23)
    assert card.address == "湖北省随州市曾都区" and card.issuer == "随州市公安局"
    assert card.id_number == "11010519491231002X"
    assert card.valid_from == date(2016, 2, 10)
    assert card.valid_until == LONG_TERM and card.long_term and not card.expired(date(2099, 1, 1))


@pytest.mark.parametrize("key", list(IDENTITIES))
def test_every_identity_survives_encode_and_parse(key: str) -> None:
    card = IDENTITIES[key]
    back = parse_text(encode_text(card), card.photo_raw, card.fingerprint_raw)
    assert back == dataclasses.replace(card, appended_address="")
    assert back.photo_raw == card.photo_raw


def test_type_specific_fields() -> None:
    j = parse_text(encode_text(IDENTITIES["hk_resident"]))
    assert j.card_type is CardType.HK_MO_TW and j.pass_number == "H12345678" and j.issue_count == 1
    assert j.ethnicity == ""
    block = encode_text(IDENTITIES["hk_resident"])
    assert block[248:250] == "J".encode("utf-16-le") and block[220:238] == utf16("H12345678", 18)

    i = parse_text(encode_text(IDENTITIES["foreign_2017"]))
    assert i.card_type is CardType.FOREIGN_2017
    assert (i.english_name, i.nationality, i.card_version, i.authority_code) == ("SMITH, JOHN WILLIAM", "USA", "02",
                                                                               "1500")
    assert i.name == "史密斯" and i.birth_date == date(1990, 8, 10)
    block = encode_text(IDENTITIES["foreign_2017"])
    assert block[0:120] == utf16("SMITH, JOHN WILLIAM", 120) and block[152:158] == utf16("USA", 6)

    y = parse_text(encode_text(IDENTITIES["foreign_2023"]))
    assert y.card_type is CardType.FOREIGN_2023
    assert y.english_name == "MONTGOMERY-WHITTAKER, ALEXANDRA ELIZABETH"  # spans both name slots
    assert y.nationality == "ESP" and y.renewal_count == 0 and y.id_number.startswith("9")
    block = encode_text(IDENTITIES["foreign_2023"])
    assert block[52:122] == utf16("MONTGOMERY-WHITTAKER, ALEXANDRA ELI", 70)
    assert block[220:242] == utf16("ZABETH", 22) and block[242:248] == utf16("ESP", 6)


def test_english_name_split_at_a_word_keeps_the_space() -> None:
    card = dataclasses.replace(IDENTITIES["foreign_2023"], english_name="A" * 34 + " BCDEF")
    assert parse_text(encode_text(card)).english_name == "A" * 34 + " BCDEF"


@pytest.mark.parametrize("english", ["A" * 35 + " SMITH", "A" * 35 + "SMITH", "B" * 34 + " C", "ORTIZ, ANA",
                                     "A" * 35, "WOLFESCHLEGELSTEINHAUSENBERGERDORFF, HUBERT BLAINE"[:46]])
def test_long_english_names_come_back_as_written(english: str) -> None:
    card = dataclasses.replace(IDENTITIES["foreign_2023"], english_name=english)
    assert parse_text(encode_text(card)).english_name == english


def test_foreign_2023_without_chinese_name_uses_the_english_one() -> None:
    english = "MONTGOMERY-WHITTAKER, ALEXANDRA ELIZABETH"
    card = dataclasses.replace(IDENTITIES["foreign_2023"], name=english, english_name=english)
    parsed = parse_text(encode_text(card))
    assert parsed.name == english and parsed.english_name == english and parsed.as_json(reveal=True)["name"] == english


def test_foreign_2017_without_chinese_name_uses_the_english_one() -> None:
    card = dataclasses.replace(IDENTITIES["foreign_2017"], name="SMITH, JOHN WILLIAM")
    assert parse_text(encode_text(card)).name == "SMITH, JOHN WILLIAM"


def test_bad_card_data_gives_a_card_data_error_without_the_data() -> None:
    block = bytearray(encode_text(IDENTITIES["zhang_san"]))
    block[36:52] = utf16("19901399", 16)
    with pytest.raises(CardDataError) as info:
        parse_text(bytes(block))
    assert "birth_date" in str(info.value) and "19901399" not in str(info.value)
    block = bytearray(encode_text(IDENTITIES["zhang_san"]))
    block[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(CardDataError, match="card type"):
        parse_text(bytes(block))
    with pytest.raises(CardDataError):
        parse_text(bytes(100))


def test_ethnicity_table_is_complete() -> None:
    assert len(ETHNICITIES) == 58
    assert [ETHNICITIES[f"{i:02d}"] for i in (1, 2, 5, 15, 29, 43, 56)] == ["汉", "蒙古", "维吾尔", "土家",
                                                                           "柯尔克孜", "乌孜别克", "基诺"]
    assert ETHNICITIES["97"] == "其他" and ETHNICITIES["98"] == "外国血统中国籍人士"
    assert ethnicity_name("1") == "汉" and ethnicity_name("") == "" and ethnicity_name("77") == ""
    assert ethnicity_code("土家族") == "15" and ethnicity_code("汉") == "01"


def test_an_ethnicity_code_outside_gb3304_is_kept_as_the_code_not_called_unknown() -> None:
    block = bytearray(encode_text(IDENTITIES["zhang_san"]))
    block[32:36] = utf16("59", 4)  # 穿青人 on one vendor's readers, 61 or 57 on others
    card = parse_text(bytes(block))
    assert (card.ethnicity, card.ethnicity_code) == ("", "59")
    assert card.as_json()["ethnicity_code"] == "59" and card.masked()["ethnicity_code"] == "59"
    assert "未知" not in json.dumps(card.as_json(), ensure_ascii=False)
    assert parse_text(encode_text(card)) == card  # the simulator sends the code back as it came
    assert IDENTITIES["zhang_san"].ethnicity_code == "01" and parse_text(encode_text(IDENTITIES["zhang_san"])) == (
        IDENTITIES["zhang_san"])


def test_2023_card_reserved_bytes_are_not_the_issuer_and_its_old_number_link_is_read() -> None:
    block = bytearray(encode_text(IDENTITIES["foreign_2023"]))
    assert block[158:188] == utf16("", 30)  # reserved: written as padding
    assert block[250:256] == utf16("091", 6)
    block[158:188] = utf16("RESERVED-DATA-X", 30)  # whatever a card keeps there
    card = parse_text(bytes(block))
    assert card.issuer == "中华人民共和国国家移民管理局" and "RESERVED" not in json.dumps(card.as_json())
    assert card.old_number_link == "091"
    # nationality + province digits + city code + birth YYMMDD + sequence + check (weights 7 3 1, A=10):
    # E14·7 + S28·3 + P25·1 + 4·7 2·3 0·1 9·7 8·3 8·1 0·7 5·3 1·1 2·7 1·3 = 369 → 9
    assert card.id_number[1:3] == "42" and card.id_number[8:14] == "880512"
    assert card.previous_permit_number == "ESP420988051219"
    assert card.as_json()["previous_permit_number"] == "ESP420*****1219"
    assert card.as_json(reveal=True)["previous_permit_number"] == "ESP420988051219"
    block[250:256] = utf16("", 6)
    plain = parse_text(bytes(block))
    assert plain.old_number_link == "" and plain.previous_permit_number == "" and "old_number_link" not in (
        plain.as_json())
    block[250:256] = utf16("9A1", 6)
    with pytest.raises(CardDataError, match="old_number_link"):
        parse_text(bytes(block))


def test_gender_codes() -> None:
    assert [gender_name(c) for c in "0129"] == ["未知", "男", "女", "未说明"]
    assert gender_name("5") == "未知(5)"


def test_repr_and_str_never_show_full_personal_data() -> None:
    for card in IDENTITIES.values():
        card = dataclasses.replace(card, appended_address="湖北省随州市曾都区某某路1号")
        for text in (repr(card), str(card), f"{card}", repr([card])):
            assert card.id_number not in text
            assert card.name not in text
            assert card.address[6:] not in text if card.address else True
            assert "湖北省随州市曾都区某某路1号" not in text
            assert card.photo_raw.hex()[:16] not in text


def test_masked_view() -> None:
    card = IDENTITIES["elder_long_term"]
    view = card.masked()
    assert view["name"] == "欧阳**" and view["id_number_masked"] == "421303********0045"
    assert view["address"] == "湖北省随州市****"  # the appended (current) address, masked
    assert view["birth_year"] == "1950" and view["valid_until"] == "长期"
    assert card.id_number not in json.dumps(view, ensure_ascii=False)


def test_as_json_keys_and_reveal() -> None:
    card = IDENTITIES["zhang_san"]
    data = card.as_json()
    assert set(data) >= JSON_KEYS and "id_number" not in data
    assert data["birth_date"] == "1990-**-**" and data["valid_until"] == "2035-06-01"
    assert (data["name"], data["address"]) == (mask_name(card.name), mask_address(card.address))
    for secret in (card.id_number, card.name, card.address, "1990-03-07"):
        assert secret not in json.dumps(data, ensure_ascii=False)
    revealed = card.as_json(reveal=True)
    assert (revealed["id_number"], revealed["name"], revealed["address"], revealed["birth_date"]) == (
        card.id_number, card.name, card.address, "1990-03-07")
    assert IDENTITIES["elder_long_term"].as_json()["valid_until"] == "长期"
    assert IDENTITIES["hk_resident"].as_json()["pass_number"] != "H12345678"


def test_wipe_zeroes_photo_and_fingerprint() -> None:
    source = IDENTITIES["zhang_san"]
    card = parse_text(encode_text(source), source.photo_raw, source.fingerprint_raw)
    photo, fingerprint = card.photo_raw, card.fingerprint_raw
    card.wipe()
    assert photo == bytes(1024) and fingerprint == bytes(1024)
    assert source.photo_raw != bytes(1024)  # the card held its own copy


def test_placeholder_photo_decoder_gives_a_102x126_bmp() -> None:
    from PIL import Image

    decoder = PlaceholderPhotoDecoder()
    assert isinstance(decoder, PhotoDecoder) and decoder.is_placeholder
    image = Image.open(io.BytesIO(IDENTITIES["zhang_san"].photo(decoder)))
    assert image.format == "BMP" and image.size == (102, 126)
    assert image.getpixel((51, 46)) != image.getpixel((2, 2))  # a silhouette on a background


def test_appended_address_data() -> None:
    from kiosk.devices.idcard.layout import encode_appended_address

    assert parse_appended_address(encode_appended_address("湖北省随州市𠮷家湾")) == "湖北省随州市𠮷家湾"
    with pytest.raises(CardDataError):
        parse_appended_address(b"\x00")


def test_id_card_is_frozen() -> None:
    card: IdCard = IDENTITIES["zhang_san"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.name = "x"  # type: ignore[misc]
