"""为企业办事: the enterprise a visit is for, and its 统一社会信用代码 checked by GB 32100-2015.

The code has 18 characters from ``0-9`` and ``ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z): the registering
authority (1), the kind of organisation (1), the area code (6), the organisation number (9) and a check
character computed from the other 17 with the weights below (mod 31). Plain Python, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
AUTHORITIES = "123456789ANY"  # 1 机构编制, 5 民政, 9 工商 (市场监管), Y 其他 …


class InvalidCreditCode(ValueError):
    """``key`` says what is wrong: ``length``, ``chars``, ``authority`` or ``check`` (the screens say it in
    plain words from ``access.enterprise.err.<key>``)."""

    def __init__(self, key: str, detail: str = ""):
        self.key = key
        super().__init__(f"统一社会信用代码: {key} {detail}".strip())


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(text: str) -> str:
    """The normalised code (upper case, spaces removed), or :class:`InvalidCreditCode`."""
    code = "".join((text or "").split()).upper()
    if len(code) != 18:
        raise InvalidCreditCode("length", str(len(code)))
    bad = [ch for ch in code if ch not in CHARSET]
    if bad:
        raise InvalidCreditCode("chars", "".join(bad))
    if code[0] not in AUTHORITIES:
        raise InvalidCreditCode("authority", code[0])
    if check_character(code[:17]) != code[17]:
        raise InvalidCreditCode("check")
    return code


@dataclass(frozen=True)
class Enterprise:
    """The enterprise of a 为企业办事 visit. ``code`` is empty while it is being founded (企业开办);
    ``name`` is the one the 经办人 confirmed from the hall's register (``access.enterprise_directory``), or
    empty: a helper checks it against the 营业执照 (there is no Chinese input here)."""

    code: str = ""
    name: str = ""

    @property
    def founding(self) -> bool:
        return not self.code

    @property
    def individual(self) -> bool:
        """个体工商户 (code ``92…``): the name is often the owner's own (张三小吃店), so it is personal data."""
        return self.code.startswith("92")

    def shown_name(self, masked: bool = False) -> str:
        """The name, for a 个体工商户 with ``masked`` as ``曾都**小吃店`` (first 2 and last 3 characters kept)."""
        name = self.name
        if not (masked and self.individual and name):
            return name
        if len(name) <= 5:
            return name[0] + "*" * (len(name) - 1)
        return name[:2] + "**" + name[-3:]

    def label(self, unnamed: str, founding: str, masked: bool = False) -> str:
        """One line for slips and notes: the name (or ``unnamed``) and the code (or ``founding``)."""
        return f"{self.shown_name(masked) or unnamed}（{self.code or founding}）"
