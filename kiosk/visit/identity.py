"""Who the resident is: the typed ID number's check, the :class:`Identity` and its copy from a card."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from kiosk.devices.idcard.idnumber import PROVINCES, check_char, normalize
from kiosk.hall_time import hall_today
from kiosk.privacy import mask_id_number, mask_name
from kiosk.visit.erase import zero
from kiosk.visit.steps import VisitError


class InvalidIdNumber(VisitError):
    """A typed ID number failed its format or check digit; ``key`` is the i18n key of the reason."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


def validate_id_number(value: str, today: date | None = None) -> str:
    """Normalises and checks an 18-character ID number (GB 11643: area, birth date, check character;
    also HK/Macau/Taiwan residence permits and the 2023 foreign permanent residence card).

    Full-width digits, spaces and dashes are accepted. Returns the number upper-cased; raises
    :class:`InvalidIdNumber` whose ``key`` is one of ``visit.id.length|chars|birth|check`` (the screens
    map these to their texts). The rules are ``kiosk.devices.idcard.idnumber``'s; an unknown area code
    counts as a check failure (a typo to re-check digit by digit).
    """
    v = normalize(value)
    if len(v) != 18:
        raise InvalidIdNumber("visit.id.length")
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise InvalidIdNumber("visit.id.chars")
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise InvalidIdNumber("visit.id.birth") from None
    if born.year < 1880 or born > (today or hall_today()):
        raise InvalidIdNumber("visit.id.birth")
    if (v[0] != "9" and v[:2] not in PROVINCES) or check_char(v[:17]) != v[17]:
        raise InvalidIdNumber("visit.id.check")
    return v


@dataclass(eq=False)
class Identity:
    """Who the resident is. ``source`` is ``card`` or ``manual``; ``photo`` is a private copy."""

    name: str
    id_number: str
    card_type: str = "resident"  # resident | hk_mo_tw | foreign_2017 | foreign_2023 | manual
    source: Literal["card", "manual"] = "card"
    gender: str = ""
    birth_date: str = ""
    address: str = ""
    photo: bytearray | None = field(default=None, repr=False)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    def __repr__(self) -> str:  # never a full name or number in logs or tracebacks
        return f"Identity({self.masked_name!r}, {self.masked_id!r}, {self.card_type!r}, {self.source!r})"

    @classmethod
    def from_card(cls, card: Any) -> Identity:
        """Copies a card's fields (see :meth:`Visit.identify_with_card` for what ``card`` may be); the
        photo goes into a new bytearray, so wiping the identity never depends on the card."""
        photo = getattr(card, "photo_raw", None)
        if not isinstance(photo, (bytes, bytearray, memoryview)):
            photo = getattr(card, "photo", None)
        card_type = getattr(card, "card_type", "resident")
        born = getattr(card, "birth_date", "") or ""
        return cls(
            name=str(card.name), id_number=str(card.id_number),
            card_type=str(getattr(card_type, "value", card_type)),
            source="card", gender=str(getattr(card, "gender", "") or ""),
            birth_date=born.isoformat() if hasattr(born, "isoformat") else str(born),
            address=str(getattr(card, "current_address", None) or getattr(card, "address", "") or ""),
            photo=bytearray(photo) if isinstance(photo, (bytes, bytearray, memoryview)) else None)

    def clear(self) -> None:
        """Zeroes the photo and drops the name, number and address (strings cannot be overwritten)."""
        if self.photo is not None:
            zero(self.photo)
        self.name = self.id_number = self.address = ""
        self.photo = None


def consume_card(card: Any) -> None:
    """Zeroes a card's own buffers once its fields are copied: ``card.wipe()`` when it has one, else
    its ``photo_raw`` / ``fingerprint_raw`` bytearrays."""
    if callable(getattr(card, "wipe", None)):
        card.wipe()
    else:
        for name in ("photo_raw", "fingerprint_raw"):
            zero(getattr(card, name, None))
