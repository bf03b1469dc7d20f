"""Pinyin readings of Chinese text, as the catalogue search matches them (pypinyin, loaded on first use)."""

from __future__ import annotations

import re
from functools import lru_cache

LATIN = re.compile(r"[a-z0-9]+")
_HAN = "\u3400-\u9fff\U00020000-\U0003134f"  # CJK ideographs: extension A, the basic block, B to G
_SEGMENTS = re.compile(f"[{_HAN}]|[^{_HAN}]+")  # one Chinese character, or a run of anything else
_ONE_HAN = re.compile(f"[{_HAN}]")


@lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[tuple[str, ...], ...]:
    """Per Chinese character (or Latin word/number) the ways to spell it: the phrase-aware reading
    first, then the character's other readings (银行: hang, and xing as residents may type it)."""
    from pypinyin import Style, pinyin  # noqa: PLC0415 - pypinyin's dictionaries load slowly

    chunks = pinyin(text, style=Style.NORMAL, heteronym=True, errors="default")
    segments = _SEGMENTS.findall(text)
    if len(segments) != len(chunks):  # pypinyin grouped differently: no per-character extras
        segments = [""] * len(chunks)
    out: list[tuple[str, ...]] = []
    for segment, chunk in zip(segments, chunks, strict=True):
        readings = [r.lower() for r in chunk]
        if len(segment) == 1 and _is_han(segment):
            readings += _char_readings(segment)
            out.append(tuple(dict.fromkeys(r for r in readings if r.isalpha())))
        else:
            out.extend((w,) for r in readings for w in LATIN.findall(r))
    return tuple(s for s in out if s)


@lru_cache(maxsize=8192)
def _char_readings(ch: str) -> list[str]:
    from pypinyin import Style, pinyin  # noqa: PLC0415

    return [r.lower() for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]]


def _is_han(ch: str) -> bool:
    return _ONE_HAN.fullmatch(ch) is not None
