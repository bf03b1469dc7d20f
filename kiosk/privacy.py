"""Masking of personal data for screens, tickets, consoles and logs, and the detector of personal numbers.

Full values are shown only where a role needs them; everything else goes through these functions.
:func:`redact_text` finds ID numbers, phone numbers and other long numbers in free text and masks them;
the help-queue server applies it to every free-text field *before storing*, the kiosk to its notes, and
:func:`install_log_redaction` to every log line (tracebacks included). It sees through the usual
disguises: spaces, hyphens or dots between digit groups (``4213 0319 8001 0112 3X``,
``421303-19800101-123X``), full-width or other Unicode digits (``４２１３…``), invisible format characters
inside (zero-width space, joiners, soft hyphens, bidi marks) and letters glued on either side
(``ID421303198001011234``). Canonical UUIDs are left alone (request ids in logs).

What is masked (digits counted after removing the separators):
- 15 or 18 digits, or 17 and a check letter X: an ID number → first 6 and last 4 kept (``421303********123X``);
- any other run of 15 or more digits (bank cards…) → the same;
- a mobile number ``1[3-9]`` + 9 digits, optionally after ``86`` / ``0086`` → ``139****0021``;
- a landline with its area code (``0`` + 9–11 digits, e.g. ``0722-3221234``) → ``0722***1234``.
A masked number is never longer than the text it replaces.
Shorter numbers (ticket numbers, dates, postcodes, counts) are left as they are.
"""

from __future__ import annotations

import logging
import re
import unicodedata

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ANY_DIGIT = re.compile(r"\d")
_SEPARATORS = frozenset(" \u00a0\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63.\uff0e\u00b7/_")
_CHECK_LETTERS = frozenset("XxＸｘ")
_MOBILE = re.compile(r"(0086|86)?(1[3-9]\d)(\d{4})(\d{4})")
_LANDLINE = re.compile(r"(0\d{2,3})(\d{3,4})(\d{4})")


def mask_id_number(value: str | None) -> str:
    """``11010519491231002X`` → ``110105********002X``: area and last four kept, birth date hidden."""
    if not value:
        return ""
    v = value.strip()
    if len(v) <= 4:
        return "*" * len(v)
    if len(v) >= 15:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    return v[:2] + "*" * (len(v) - 4) + v[-2:]


def mask_name(value: str | None) -> str:
    """``张三`` → ``张*``; ``欧阳娜娜`` → ``欧阳**``; Latin names keep their first letter of each part."""
    if not value:
        return ""
    v = value.strip()
    if v.isascii():
        return " ".join(p[0] + "*" * (len(p) - 1) for p in v.split() if p)
    if len(v) == 1:
        return "*"
    keep = 2 if len(v) >= 4 else 1
    return v[:keep] + "*" * (len(v) - keep)


def mask_address(value: str | None, keep: int = 6) -> str:
    """Keeps the first few characters (province, city, district) and hides the rest."""
    if not value:
        return ""
    v = value.strip()
    return v[:keep] + ("*" * 4 if len(v) > keep else "")


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    v = value.strip()
    return v[:3] + "****" + v[-4:] if len(v) >= 11 else mask_id_number(v)


def _digit(ch: str) -> str | None:
    value = unicodedata.decimal(ch, None)
    return None if value is None else str(value)


def _ignorable(ch: str) -> bool:
    """Invisible format characters (zero-width space/joiners, soft hyphen, bidi marks, BOM)."""
    return unicodedata.category(ch) == "Cf"


def _masked_number(digits: str) -> str | None:
    """The masked form of a run of digits (and perhaps a check letter), or None to leave it."""
    n = len(digits)
    if n >= 15:
        return digits[:6] + "*" * (n - 10) + digits[-4:]
    if m := _MOBILE.fullmatch(digits):
        return (m.group(1) or "") + m.group(2) + "****" + m.group(4)
    if m := _LANDLINE.fullmatch(digits):
        return m.group(1) + "*" * len(m.group(2)) + m.group(3)
    return None


def _run_end(text: str, i: int) -> tuple[int, str]:
    """From a digit at ``i``: where the run of digits (with separators and invisible characters between
    them) ends, and its digits (plus a trailing check letter when it makes 18)."""
    digits, j, end, n = [], i, i, len(text)
    while j < n:
        ch = text[j]
        d = _digit(ch)
        if d is not None:
            digits.append(d)
            j += 1
            end = j
            continue
        if _ignorable(ch):
            j += 1
            continue
        if ch in _CHECK_LETTERS and len(digits) in (14, 17):
            digits.append("X")
            end = j + 1
            break
        if ch in _SEPARATORS:  # at most two separator characters, then a digit must follow
            k = j + 1
            while k < n and k - j < 3 and (text[k] in _SEPARATORS or _ignorable(text[k])):
                k += 1
            if k < n and _digit(text[k]) is not None and k - j <= 2:
                j = k
                continue
        break
    return end, "".join(digits)


def redact_text(text: str) -> str:
    """``text`` with every ID number, phone number and long number masked (see the module docstring)."""
    if not text or not _ANY_DIGIT.search(text):
        return text
    protected = [m.span() for m in _UUID.finditer(text)]
    out, i, n = [], 0, len(text)
    while i < n:
        span = next((sp for sp in protected if sp[0] <= i < sp[1]), None)
        if span is not None:
            out.append(text[i:span[1]])
            i = span[1]
            continue
        if _digit(text[i]) is None:
            out.append(text[i])
            i += 1
            continue
        end, digits = _run_end(text, i)
        masked = _masked_number(digits)
        out.append(masked if masked is not None else text[i:end])
        i = end
    return "".join(out)


class RedactingFilter(logging.Filter):
    """A logging filter that masks personal numbers in every record: its message, its traceback and its
    stack (formatted here once, so whatever formatter the handler has prints the masked text)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging's own error path
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Adds the redacting filter to every handler of ``logger`` (default: the root logger), once."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
