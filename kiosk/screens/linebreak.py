"""Chinese line-breaking rules (禁则) for every label Kivy wraps.

Kivy wraps Chinese text at any character, so a line may start with closing punctuation (``、。，）」``),
end with an opening bracket, leave one character alone on the last line (参保登 / 记), or cut a number or
a time in two (14:30-17:3 / 0); the ``›`` that ends a button leading on must not stand alone on a line
either (服务时间和热线 / ›) — it takes its last word along, an English word whole. :func:`install`
wraps the core text providers' ``render`` (plain and markup): after Kivy's own layout, a line that breaks a
rule takes the last character(s) of the line before it — a hard line break is put into the text just
before them and the layout runs again (at most a few rounds, so nothing can loop). Texts that break no
rule cost one pass over their lines. The rules are the printer's (:mod:`kiosk.printing.wrap`).

:func:`violations` lists what a laid-out label still breaks (the UI tests use it).
"""

from __future__ import annotations

import re

from kiosk.printing.wrap import NO_LINE_END, NO_LINE_START

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_RUN = re.compile(r"[0-9A-Za-z:\-*]")  # a number, time, time range or masked number: 14:30-17:30, 138****5678
_TAG = re.compile(r"\[/?[a-z_]+(?:=[^\]]*)?\]")
_LATIN = re.compile(r"[0-9A-Za-z]")  # an English word or a number: never cut in two to mend a line
ARROW = "›"  # ends a button that leads on: it goes with its last word, never alone on a line
NO_START = NO_LINE_START | {ARROW}
_ENTITIES = {"&bl;": "[", "&br;": "]", "&amp;": "&"}
ROUNDS = 3


def _lines(label) -> list[tuple[str, bool]]:
    """(text, wrapped) of each laid-out line: ``wrapped`` when it continues the line before it."""
    return [("".join(w.text for w in line.words), bool(line.line_wrap)) for line in label._cached_lines]


def violations(label) -> list[str]:
    """The rules a laid-out core label breaks: ``starts with '、'``, ``ends with '（'``, ``lone '记'``."""
    out = []
    lines = _lines(label)
    for i, (text, wrapped) in enumerate(lines):
        if not wrapped or i == 0:
            continue
        body = text.strip()
        before = lines[i - 1][0].rstrip()
        if body[:1] in NO_START:
            out.append(f"starts with {body[:1]!r}: {before[-6:]}|{body[:6]}")
        if before[-1:] in NO_LINE_END:
            out.append(f"ends with {before[-1:]!r}: {before[-6:]}|{body[:6]}")
        last = i + 1 == len(lines) or not lines[i + 1][1]
        if last and _lone(body):
            out.append(f"lone {body!r} after {before[-6:]}")
        if _splits_run(before, body):
            out.append(f"splits {before[-6:]}|{body[:6]}")
    return out


def _splits_run(before: str, body: str) -> bool:
    """A number or time cut in two (17:3 / 0) where the line before has room to give it whole: Chinese
    text before it (Kivy breaks Chinese anywhere), so the run can move down."""
    if not (before and body and _RUN.match(before[-1]) and _RUN.match(body[0])):
        return False
    j = len(before)
    while j > 0 and _RUN.match(before[j - 1]):
        j -= 1
    return j > 0 and not before[j - 1].isspace()


def _lone(body: str) -> bool:
    """One Chinese character alone on a paragraph's last line (closing punctuation after it aside)."""
    core = body.rstrip("".join(NO_START) + " \u3000")
    return len(core) == 1 and bool(_HAN.match(core))


def _plain(text: str, markup: bool) -> tuple[str, list[int]]:
    """The visible characters of ``text`` and, for each, its index in ``text`` (markup tags skipped,
    entities decoded)."""
    if not markup:
        return text, list(range(len(text)))
    chars, where, i = [], [], 0
    while i < len(text):
        m = _TAG.match(text, i)
        if m:
            i = m.end()
            continue
        for entity, ch in _ENTITIES.items():
            if text.startswith(entity, i):
                chars.append(ch)
                where.append(i)
                i += len(entity)
                break
        else:
            chars.append(text[i])
            where.append(i)
            i += 1
    return "".join(chars), where


def _breaks(label, text: str, markup: bool) -> list[int]:
    """Where (indexes into ``text``) hard breaks would mend the layout's broken rules; [] when none."""
    lines = _lines(label)
    if len(lines) < 2:
        return []
    plain, where = _plain(text, markup)
    starts, cursor = [], 0
    for line, _wrapped in lines:  # find each line's first character in the plain text
        first = None
        for ch in line:
            if ch.isspace():
                continue
            while cursor < len(plain) and plain[cursor] != ch:
                if not plain[cursor].isspace():
                    return []  # the layout does not match the text (a provider quirk): leave it alone
                cursor += 1
            if cursor >= len(plain):
                return []
            first = cursor if first is None else first
            cursor += 1
        starts.append(first)
    out = []
    for i, (line, wrapped) in enumerate(lines):
        if not wrapped or i == 0 or starts[i] is None or starts[i - 1] is None:
            continue
        body, before = line.strip(), lines[i - 1][0].rstrip()
        last = i + 1 == len(lines) or not lines[i + 1][1]
        split = _splits_run(before, body)
        if not (body[:1] in NO_START or before[-1:] in NO_LINE_END or (last and _lone(body)) or split):
            continue
        at = starts[i] - 1  # take the last character of the line before …
        while at > starts[i - 1] and (plain[at] in NO_START or plain[at - 1] in NO_LINE_END
                                      or plain[at].isspace() or (split and _RUN.match(plain[at - 1]))
                                      or (_LATIN.match(plain[at]) and _LATIN.match(plain[at - 1]))):
            at -= 1  # … and more while that one may not start a line either (or the number or word goes on)
        if last and _lone((plain[at:starts[i]] + body).strip()) and at - 1 > starts[i - 1]:
            at -= 1  # 热线 › rather than 线 › alone (the hard break makes it a paragraph of its own)
        if at > starts[i - 1]:
            out.append(where[at])
    return out


def _mend(render):
    def render_with_rules(self, real=False):
        size = render(self, real)
        if real or not self._cached_lines or self.text_size[0] is None:
            return size
        original = self.text
        markup = type(self).__name__ == "MarkupLabel"
        try:
            for _ in range(ROUNDS):
                breaks = _breaks(self, self.text, markup)
                if not breaks:
                    break
                text = self.text
                for at in sorted(set(breaks), reverse=True):
                    text = text[:at] + "\n" + text[at:]
                self.text = text
                size = render(self, real)
        finally:
            self.text = original
        return size

    render_with_rules.kinsoku = True  # type: ignore[attr-defined]
    return render_with_rules


def install() -> None:
    """Applies the rules to Kivy's plain and markup text rendering (idempotent)."""
    from kivy.core.text import LabelBase
    from kivy.core.text.markup import MarkupLabel

    for cls in (LabelBase, MarkupLabel):
        render = cls.__dict__.get("render")
        if render is not None and not getattr(render, "kinsoku", False):
            cls.render = _mend(render)
