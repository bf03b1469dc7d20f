"""Chinese text → what ``espeak-ng -v cmn-latn-pinyin`` speaks as Mandarin: tone-numbered pinyin.

``to_pinyin("请取 A037 号，大约 3 分钟")`` → ``"qing3 qu3 A ling2 san1 qi1 hao4, da4 yue1 san1 fen1 zhong1"``.
Chinese characters go through pypinyin (phrase-aware: 银行 hang2, 行走 xing2); a number is read the
Chinese way (3 → san1, 18 → shi2 ba1; a run of digits after letters or with a leading 0, as in ticket
and phone numbers, digit by digit; a time of day as 八点半, a hotline as 幺二三四五); Latin letters are spelled one by one; punctuation becomes a pause.
pypinyin loads on first use: call this in a child process (:mod:`kiosk.voice.child`), never in the kiosk.
"""

from __future__ import annotations

import re

_HAN = "\u3400-\u9fff"
_TOKENS = re.compile(rf"[{_HAN}]+|\d+|[A-Za-z]+|[，,、；;：:]|[。.！!？?\n]|\s+|.", re.S)
_DIGITS = "零一二三四五六七八九"


def number_words(n: int) -> str:
    """0 … 99,999,999 in Chinese words (二十三, 一百零五, 两千); larger numbers digit by digit."""
    if n == 0:
        return "零"
    if n >= 100_000_000:
        return "".join(_DIGITS[int(d)] for d in str(n))
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = number_words(low) if low else ""
        return ("两" if high == 2 else number_words(high)) + "万" + ("零" if 0 < low < 1000 else "") + rest
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            out += _DIGITS[d] + unit
            zero = False
        elif out:
            zero = True
    if out.startswith("一十"):
        out = out[1:]  # 十五, not 一十五
    if out.startswith("二") and len(out) > 1 and out[1] in "千百":
        out = "两" + out[1:]
    return out


_HOTLINES = {"12345", "12315", "12319", "110", "119", "120", "122"}  # said digit by digit, 1 as yao1
_CLOCK = re.compile(r"(?<!\d)([01]?\d|2[0-3]):([0-5]\d)(?!\d)")
_RANGE = re.compile(r"(?<=[点半分])\s*[-–~]\s*")


def _clock(m: re.Match) -> str:
    """``09:00`` → 九点, ``08:30`` → 八点半, ``17:45`` → 十七点四十五分 (as a hall's opening time is said)."""
    hour, minute = int(m.group(1)), int(m.group(2))
    said = number_words(hour).replace("两", "二") + "点"
    if minute == 30:
        return said + "半"
    return said + (("零" if minute < 10 else "") + number_words(minute) + "分" if minute else "")


# a lone 2 counting something is 两 (两分钟, 还缺两项, 两个人), never 二; an ordinal (第 2 页), a date (2 月) or
# a number (12, 2.5, A002) keeps 二
_TWO = re.compile(r"(?<![\dA-Za-z.:第])(?<!第 )(?<!第\u00a0)2(?![\d.])(?=\s?(?:分钟|小时|项|个|人|位|份|天|张|次|件|本|页|种|元))")


def spoken_forms(text: str) -> str:
    """Times of day and hotlines as they are said: ``08:30-12:00`` → 八点半到十二点, ``12345`` → 幺二三四五;
    a counted 2 as 两 (``大约 2 分钟`` → 大约 两 分钟)."""
    text = _TWO.sub("两", _RANGE.sub("到", _CLOCK.sub(_clock, text)))
    return re.sub(r"(?<![\dA-Za-z])\d{3,5}(?!\d)",
                  lambda m: "".join("幺" if d == "1" else _DIGITS[int(d)] for d in m.group(0))
                  if m.group(0) in _HOTLINES else m.group(0), text)


def _say_digits(digits: str, after_letters: bool) -> str:
    if after_letters or digits.startswith("0") or len(digits) > 8:
        return "".join(_DIGITS[int(d)] for d in digits)
    return number_words(int(digits))


def to_pinyin(text: str) -> str:
    """The text as tone-numbered pinyin words with ``,`` and ``.`` for pauses (see the module's text)."""
    from pypinyin import Style, lazy_pinyin  # noqa: PLC0415 - ~55 MB: only in the child process

    words: list[str] = []
    previous = ""
    for token in _TOKENS.findall(spoken_forms(text)):
        if re.fullmatch(rf"[{_HAN}]+", token):
            words += lazy_pinyin(token, style=Style.TONE3, neutral_tone_with_five=True)
        elif token.isdigit():
            han = _say_digits(token, after_letters=previous.isalpha() and previous.isascii())
            words += lazy_pinyin(han, style=Style.TONE3, neutral_tone_with_five=True)
        elif token.isascii() and token.isalpha():
            words += list(token.upper())
        elif token in "，,、；;：:":
            words.append(",")
        elif token in "。.！!？?\n":
            words.append(".")
        if not token.isspace():
            previous = token
    line = " ".join(words)
    line = re.sub(r" ([,.])", r"\1", line)
    return re.sub(r"([,.])(?:[ ,.]*[,.])+", r"\1", line).strip(" ,.")
