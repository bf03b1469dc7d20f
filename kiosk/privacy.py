"""Masking of personal data for screens, tickets, consoles and logs.

Full values are shown only where a role needs them; everything else goes through these functions.
Logs never carry a full ID number: :func:`install_log_redaction` masks any that slip into a message.
"""

from __future__ import annotations

import logging
import re

# 18-character resident ID numbers (GB 11643) and 15-digit old ones, and permit numbers of similar shape.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{8}|\d{6})(\d{3})([0-9Xx]?)(?![0-9A-Za-z])")


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


def redact_text(text: str) -> str:
    """Masks every ID-number-shaped run in free text (for logs and error messages)."""
    return _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks ID numbers in the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging's own error path
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Adds the redacting filter to every handler of ``logger`` (default: the root logger), once."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
