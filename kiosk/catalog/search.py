"""Catalogue search: a precomputed pinyin index of each matter's name, keywords and department.

:class:`SearchIndex` answers :meth:`kiosk.catalog.Catalog.search`. Chinese text matches as a substring;
Latin letters match pinyin syllable by syllable, each syllable typed in full or as a prefix (``ylbx``,
``yanglao``, ``ylbaoxian`` all find 养老保险), with every reading of a heteronym (银行: hang and xing).
pypinyin is imported on first use (its dictionaries take ~0.5 s to load).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from kiosk.catalog.pinyin import LATIN, syllables


class Searchable(Protocol):
    """What the index reads of a matter."""

    name: str
    keywords: Sequence[str]
    department: str


M = TypeVar("M", bound=Searchable)

class _Field:
    """One searchable text of a matter with its pinyin, and quick filters for the pinyin match."""

    __slots__ = ("rank", "lower", "syl", "flat", "starts")

    def __init__(self, rank: int, text: str, table: dict | None = None):
        self.rank, self.lower = rank, text.lower()
        known = table.get(text) if table else None
        self.syl = known if known is not None else syllables(text)
        self.flat = "".join(r for s in self.syl for r in s)  # q must be a subsequence of this to match
        self.starts: dict[str, list[int]] = {}
        for i, readings in enumerate(self.syl):
            for first in {r[0] for r in readings}:
                self.starts.setdefault(first, []).append(i)

    def match(self, q: str) -> int | None:
        """The first syllable index from which ``q`` spells consecutive syllables, each typed in full or
        as a prefix (``ylbx``, ``yanglaobx``), or None."""
        starts = self.starts.get(q[0])
        if not starts:
            return None
        rest = iter(self.flat)
        if not all(c in rest for c in q):
            return None
        n, syl, memo = len(q), self.syl, {}

        def from_here(qpos: int, i: int) -> bool:
            if qpos == n:
                return True
            if i == len(syl):
                return False
            key = qpos * 1024 + i
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = any(
                    q.startswith(s[:k], qpos) and from_here(qpos + k, i + 1)
                    for s in syl[i] if s[0] == q[qpos] for k in range(min(len(s), n - qpos), 0, -1))
            return hit

        for start in starts:
            if from_here(0, start):
                return start
        return None


class SearchIndex(Generic[M]):
    """Precomputed pinyin of each matter's name, keywords and department, for :meth:`Catalog.search`."""

    def __init__(self, matters: list[M], table: dict | None = None):
        """``table``: the readings of the matters' texts computed beforehand (``pinyin_table``); a text
        missing from it is read here."""
        self._rows = [
            (order, m, [_Field(0, m.name, table), *(_Field(1, k, table) for k in m.keywords),
                        _Field(2, m.department, table)])
            for order, m in enumerate(matters)]

    @staticmethod
    def texts(matters: Sequence[Searchable]) -> list[str]:
        """Every text the index reads: names, keywords and departments."""
        return [t for m in matters for t in (m.name, *m.keywords, m.department)]

    def search(self, query: str, limit: int) -> list[M]:
        """Up to ``limit`` matters matching ``query``, best first (see :meth:`Catalog.search`)."""
        raw = "".join(query.split()).lower()
        if not raw:
            return []
        latin = raw if LATIN.fullmatch(raw) else None
        scored = []
        for order, matter, fields in self._rows:
            best = None
            for f in fields:
                pos = f.lower.find(raw)
                if pos < 0 and latin is not None:
                    pos = f.match(latin)
                if pos is None or pos < 0:
                    continue
                # a name or keyword that starts with the query first, then names, keywords, departments
                score = (0 if pos == 0 and f.rank < 2 else 1, f.rank, pos)
                best = score if best is None or score < best else best
            if best is not None:
                scored.append((best, len(matter.name), order, matter))
        scored.sort(key=lambda row: row[:3])
        return [row[3] for row in scored[:limit]]
