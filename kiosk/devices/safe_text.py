"""Device data shown on a technician's terminal, made harmless.

What a card (or any device) hands us is data from outside: a name field may hold an escape sequence that
recolours or clears the terminal, a right-to-left override that shows ``gpj.exe`` as ``exe.jpg``, a
zero-width character that makes two values look equal. :func:`for_terminal` shows every such character as
a visible ``\\u{…}`` escape (so the technician sees that the card carries it); :func:`json_line` writes JSON
whose strings carry them as ``\\uXXXX`` escapes (the parsed data stays exactly what the card said).
"""

from __future__ import annotations

import json
import unicodedata

# Cc: C0 and C1 controls (ESC, CSI 0x9B, BEL…); Cf: format characters (bidi embeddings, overrides and
# isolates, LRM/RLM, ALM, zero-width space/joiners, BOM…); Zl, Zp: line and paragraph separators;
# Cs: lone surrogates.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def is_unsafe(char: str) -> bool:
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def for_terminal(text: str) -> str:
    """``text`` with each control, format (bidi, zero-width) or separator character as ``\\u{XXXX}``."""
    return "".join(f"\\u{{{ord(c):04X}}}" if is_unsafe(c) else c for c in text)


def json_line(data: object) -> str:
    """One line of JSON, readable Chinese kept, every unsafe character escaped as ``\\uXXXX``."""
    text = json.dumps(data, ensure_ascii=False)
    return "".join("".join(f"\\u{unit:04x}" for unit in _utf16_units(c)) if is_unsafe(c) else c for c in text)


def _utf16_units(char: str) -> list[int]:
    code = ord(char)
    if code < 0x10000:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]
