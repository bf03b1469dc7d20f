"""What a read returns: :class:`IdCard`, and the decoder interface for the card photo.

``IdCard`` is frozen and holds the only copies of what was read: the reader keeps no cache and zeroes
its receive buffers after parsing. ``photo_raw`` and ``fingerprint_raw`` are ``bytearray`` so
:meth:`IdCard.wipe` can overwrite them in place when the visit ends; the text fields are Python strings,
which cannot be overwritten, so the visit must drop every reference to the card.

``repr()`` and :meth:`masked` never show a full name, ID number, address or photo bytes. Full values come
out only through :meth:`as_json` (ID number only with ``reveal=True``) and the attributes themselves.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

from kiosk.devices.idcard.codes import ETHNICITIES, ethnicity_code, ethnicity_name, normal_ethnicity_code
from kiosk.hall_time import hall_today
from kiosk.privacy import mask_address, mask_id_number, mask_name

LONG_TERM = "长期"


class CardType(enum.StrEnum):
    RESIDENT = "resident"  # 居民身份证
    HK_MO_TW = "hk_mo_tw"  # 港澳台居民居住证 (J)
    FOREIGN_2017 = "foreign_2017"  # 外国人永久居留身份证 2017 (I)
    FOREIGN_2023 = "foreign_2023"  # 外国人永久居留身份证 2023 (Y)


@dataclass(frozen=True, repr=False)
class IdCard:
    """One card as read. Dates are :class:`datetime.date`; ``valid_until`` may be ``"长期"``.

    ``id_number`` is the citizen ID number (resident, J, Y) or the permit number (I).
    ``ethnicity_code`` is the code on the card and ``ethnicity`` its GB 3304 name, or ``""`` for a code
    outside GB 3304 (show the code then, with a neutral label). Type-specific fields are empty / ``None``
    on the other types: ``pass_number`` and ``issue_count`` (J); ``english_name`` and ``nationality``
    (I and Y, ISO 3166 alpha-3); ``card_version`` and ``authority_code`` (I); ``renewal_count`` and
    ``old_number_link`` (Y: the city code and sequence digit that, with the card's other fields, give the
    holder's 2017 permit number, :attr:`previous_permit_number`). For I cards without a Chinese name,
    ``name`` is the English name.
    """

    card_type: CardType
    name: str
    gender: str
    birth_date: date
    id_number: str
    valid_from: date
    valid_until: date | str
    ethnicity: str = ""
    address: str = ""
    issuer: str = ""
    appended_address: str = ""
    pass_number: str = ""
    issue_count: int | None = None
    english_name: str = ""
    nationality: str = ""
    card_version: str = ""
    authority_code: str = ""
    renewal_count: int | None = None
    ethnicity_code: str = ""
    old_number_link: str = ""
    photo_raw: bytearray = field(default_factory=bytearray, compare=False)
    fingerprint_raw: bytearray = field(default_factory=bytearray, compare=False)

    def __post_init__(self) -> None:
        # one card, however it was made: from a read (code → name) or by hand (name → code)
        code = normal_ethnicity_code(self.ethnicity_code)
        if not code and self.ethnicity:
            code = ethnicity_code(self.ethnicity) if self.ethnicity.removesuffix("族") in ETHNICITIES.values() else ""
        object.__setattr__(self, "ethnicity_code", code)
        if code and not self.ethnicity:
            object.__setattr__(self, "ethnicity", ethnicity_name(code))

    @property
    def previous_permit_number(self) -> str:
        """The holder's 2017-style permit number, derived from a 2023 card's old-number link (``""`` when
        the card carries none): nationality + the province digits of the ID number + the link's city
        code + the birth date as YYMMDD + the link's sequence digit + a check digit (weights 7 3 1,
        letters A=10 … Z=35)."""
        link = self.old_number_link
        if self.card_type is not CardType.FOREIGN_2023 or len(link) != 3 or len(self.id_number) != 18:
            return ""
        body = self.nationality + self.id_number[1:3] + link[:2] + self.id_number[8:14] + link[2]
        if len(body) != 14 or not body[3:].isdigit():
            return ""
        values = [ord(c) - 55 if c.isalpha() else int(c) for c in body]
        return body + str(sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(values)) % 10)

    @property
    def long_term(self) -> bool:
        return self.valid_until == LONG_TERM

    @property
    def current_address(self) -> str:
        """The appended (newer) address when the card carries one, else the printed one."""
        return self.appended_address or self.address

    def expired(self, today: date | None = None) -> bool:
        return not self.long_term and isinstance(self.valid_until, date) and (
            self.valid_until < (today or hall_today()))

    def photo(self, decoder: PhotoDecoder | None = None) -> bytes:
        """The photo as an image file (BMP/PNG bytes) through ``decoder`` (default: the placeholder)."""
        return (decoder or PlaceholderPhotoDecoder()).decode(bytes(self.photo_raw))

    def masked(self) -> dict[str, str]:
        """What a screen, ticket or console may show: name, ID number and address masked, birth year only."""
        return {
            "card_type": self.card_type.value,
            "name": mask_name(self.name),
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "ethnicity_code": self.ethnicity_code,
            "birth_year": str(self.birth_date.year),
            "address": mask_address(self.current_address),
            "id_number_masked": mask_id_number(self.id_number),
            "issuer": self.issuer,
            "valid_until": _iso(self.valid_until),
        }

    def as_json(self, reveal: bool = False) -> dict[str, object]:
        """A JSON-ready dict: the fields of ``kiosk devices read-id --json``.

        Always: card_type, name, gender, ethnicity, birth_date, address, id_number_masked, issuer,
        valid_from, valid_until (``YYYY-MM-DD`` or ``长期``). Without ``reveal`` the name, address and
        birth date are masked (``张*``, ``北京市东城区****``, ``1990-**-**``) like every other number; the full
        ``id_number`` (and unmasked ``pass_number``) only with ``reveal``. Type-specific keys appear only on
        the types that have them.
        """
        def keep(value: str, mask: Callable[[str], str]) -> str:
            return value if reveal else mask(value)

        out: dict[str, object] = {
            "card_type": self.card_type.value,
            "name": keep(self.name, mask_name),
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "birth_date": self.birth_date.isoformat() if reveal else f"{self.birth_date.year}-**-**",
            "address": keep(self.address, mask_address),
            "id_number_masked": mask_id_number(self.id_number),
            "issuer": self.issuer,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": _iso(self.valid_until),
        }
        if reveal:
            out["id_number"] = self.id_number
        if self.ethnicity_code:
            out["ethnicity_code"] = self.ethnicity_code
        if self.appended_address:
            out["appended_address"] = keep(self.appended_address, mask_address)
        if self.card_type is CardType.HK_MO_TW:
            out["pass_number"] = self.pass_number if reveal else mask_id_number(self.pass_number)
            out["issue_count"] = self.issue_count
        if self.card_type in (CardType.FOREIGN_2017, CardType.FOREIGN_2023):
            out["english_name"] = keep(self.english_name, mask_name)
            out["nationality"] = self.nationality
        if self.card_type is CardType.FOREIGN_2017:
            out["card_version"] = self.card_version
            out["authority_code"] = self.authority_code
        if self.card_type is CardType.FOREIGN_2023:
            out["renewal_count"] = self.renewal_count
            if self.old_number_link:
                out["old_number_link"] = self.old_number_link
                old = self.previous_permit_number
                out["previous_permit_number"] = old if reveal else mask_id_number(old)
        out["photo_bytes"] = len(self.photo_raw)
        return out

    def wipe(self) -> None:
        """Overwrites the photo and fingerprint bytes with zeros (the strings must be dropped by the owner)."""
        for buf in (self.photo_raw, self.fingerprint_raw):
            buf[:] = bytes(len(buf))

    def __repr__(self) -> str:
        return (f"IdCard(card_type={self.card_type.value}, name={mask_name(self.name)!r}, "
                f"id_number={mask_id_number(self.id_number)!r}, photo={len(self.photo_raw)} bytes)")

    __str__ = __repr__


def _iso(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else value


@runtime_checkable
class PhotoDecoder(Protocol):
    """Turns the card's 1024 WLT bytes into an image file (BMP or PNG bytes, 102×126 pixels).

    WLT decodes only through a licensed vendor library; an adapter for it implements this protocol.
    ``is_placeholder`` tells the UI whether the picture shows the real person.
    """

    is_placeholder: bool

    def decode(self, raw: bytes) -> bytes: ...


class PlaceholderPhotoDecoder:
    """Returns the same neutral 102×126 silhouette BMP for every card (no licensed decoder here)."""

    is_placeholder = True
    WIDTH, HEIGHT = 102, 126

    def decode(self, raw: bytes) -> bytes:
        return _silhouette_bmp(self.WIDTH, self.HEIGHT)


def _silhouette_bmp(width: int, height: int) -> bytes:
    """A 24-bit BMP: light background, grey head and shoulders."""
    row_len = (width * 3 + 3) & ~3
    rows = []
    for y_top in range(height - 1, -1, -1):  # BMP rows go bottom-up
        row = bytearray()
        for x in range(width):
            head = ((x - width / 2) / 22) ** 2 + ((y_top - 46) / 28) ** 2 <= 1
            body = y_top > 82 and ((x - width / 2) / 46) ** 2 + ((y_top - 126) / 44) ** 2 <= 1
            row += b"\x90\x90\x90" if head or body else b"\xee\xee\xee"
        rows.append(bytes(row) + bytes(row_len - len(row)))
    pixels = b"".join(rows)
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels
