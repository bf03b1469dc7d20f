"""The catalogue of matters (政务服务事项): loading, validation, search and the completeness check.

A catalogue is one TOML file (see ``kiosk/config/catalogs/zengdu_sample.toml``)::

    [catalog]
    name = "曾都区政务服务事项（示例）"
    sample = true

    [[matter]]
    id = "pension-enrol"
    name = "城乡居民养老保险参保登记"
    department = "区人社局"
    levels = ["district", "town", "village"]
    time_limit = "即办"            # or a number of working days, e.g. 20
    window = "区政务服务中心 一楼 社保综合窗口"
      [[matter.materials]]
      id = "idcard"
      name = "居民身份证"
      form = "original"            # original | copy | original_and_copy
      copies = 1
      source = "本人携带；遗失的到户籍所在地派出所补领"
      capturable = true

:func:`load_catalog` returns a validated :class:`Catalog` or raises :class:`CatalogError` whose
``problems`` are lines ``path: what is wrong, what is expected`` (like the kiosk config's errors).
:meth:`Catalog.search` finds matters by Chinese substring, full pinyin, pinyin initials or a mix
(``ylbx``, ``yanglao``, ``ylbaoxian`` all find 养老保险). :func:`check_completeness` turns each
material's status into a :class:`Completeness`.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Level = Literal["district", "town", "village"]
IMMEDIATE = "即办"


class MaterialStatus(enum.StrEnum):
    """What the resident has for one material. ``UNSET`` (not yet answered) counts as missing."""

    UNSET = "unset"
    CAPTURED = "captured"  # photographed by the kiosk's camera
    PAPER = "paper"  # 带了纸质件: the resident has the paper with them
    MISSING = "missing"  # 没有


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


_ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


class Material(_Strict):
    """One required material of a matter."""

    id: str = Field(pattern=_ID_PATTERN, max_length=48)
    name: str = Field(min_length=1, max_length=60)
    form: Literal["original", "copy", "original_and_copy"] = "original"
    copies: int = Field(1, ge=1, le=20, description="how many copies (or originals) to bring")
    source: str = Field(min_length=2, max_length=200, description="where and how to get it (补齐途径)")
    capturable: bool = Field(True, description="whether the kiosk camera can capture it (flat paper, card)")
    optional: bool = Field(False, description="only needed in some cases; never counted as missing")
    note: str = Field("", max_length=120, description="when it applies, e.g. 委托他人办理的提供")


class Joint(_Strict):
    """一事联办: several departments involved, one of them leading (牵头部门)."""

    departments: list[str] = Field(min_length=2)
    lead: str = Field(min_length=1)

    @model_validator(mode="after")
    def _lead_is_one_of_them(self) -> Joint:
        if self.lead not in self.departments:
            raise ValueError(f"lead '{self.lead}' is not one of departments {self.departments}; add it there")
        return self


class Matter(_Strict):
    """One matter a resident can ask about, with its checklist of materials."""

    id: str = Field(pattern=_ID_PATTERN, max_length=48)
    name: str = Field(min_length=2, max_length=60)
    department: str = Field(min_length=2, max_length=40)
    levels: list[Level] = Field(min_length=1, description="levels of halls where it is handled")
    time_limit: int | Literal["即办"] = Field(description="promised time limit: working days, or 即办")
    window: str = Field(min_length=2, max_length=80, description="window / place where it is handled")
    materials: list[Material] = Field(min_length=1)
    joint: Joint | None = None
    proxy_recommended: bool = False
    keywords: list[str] = Field(default_factory=list, description="other names residents use")
    note: str = Field("", max_length=200)

    @field_validator("time_limit")
    @classmethod
    def _limit(cls, v: int | str) -> int | str:
        if isinstance(v, int) and not 1 <= v <= 365:
            raise ValueError(f"{v} working days is out of range; expected 1..365 or \"即办\"")
        return v

    @field_validator("levels")
    @classmethod
    def _levels_unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("lists a level twice; expected each of district/town/village at most once")
        return v

    @model_validator(mode="after")
    def _material_ids_unique(self) -> Matter:
        seen: set[str] = set()
        for m in self.materials:
            if m.id in seen:
                raise ValueError(f"material id '{m.id}' appears twice; give each material its own id")
            seen.add(m.id)
        return self

    @property
    def immediate(self) -> bool:
        return self.time_limit == IMMEDIATE

    @property
    def required(self) -> list[Material]:
        return [m for m in self.materials if not m.optional]

    def material(self, material_id: str) -> Material:
        for m in self.materials:
            if m.id == material_id:
                return m
        raise KeyError(f"matter '{self.id}' has no material '{material_id}'")


class CatalogInfo(_Strict):
    name: str = Field(min_length=1)
    region: str = ""
    version: str = ""
    sample: bool = Field(False, description="true for the shipped sample; each hall replaces it")
    note: str = ""


class _CatalogFile(_Strict):
    catalog: CatalogInfo
    matter: list[Matter] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> _CatalogFile:
        seen: set[str] = set()
        for m in self.matter:
            if m.id in seen:
                raise ValueError(f"matter id '{m.id}' appears twice; each matter needs its own id")
            seen.add(m.id)
        return self


class CatalogError(Exception):
    """The catalogue is unusable. ``problems`` holds one ``path: message`` line per problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class Completeness:
    """The completeness check's answer: ``missing`` lists every missing required material at once."""

    complete: bool
    missing: tuple[Material, ...]
    have: tuple[Material, ...]


def check_completeness(matter: Matter, statuses: Mapping[str, MaterialStatus | str]) -> Completeness:
    """``statuses`` maps material id → status; an unknown id raises KeyError, an absent one is UNSET.

    A required material is present when CAPTURED or PAPER; UNSET and MISSING make it missing. Optional
    materials never make a matter incomplete.
    """
    for key in statuses:
        matter.material(key)
    missing, have = [], []
    for m in matter.materials:
        status = MaterialStatus(statuses.get(m.id, MaterialStatus.UNSET))
        if status in (MaterialStatus.CAPTURED, MaterialStatus.PAPER):
            have.append(m)
        elif not m.optional:
            missing.append(m)
    return Completeness(not missing, tuple(missing), tuple(have))


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted), skipping weekends and
    Chinese public holidays and counting 调休 weekend working days (chinese-calendar); for years the
    library does not cover yet, Monday to Friday."""
    import chinese_calendar  # noqa: PLC0415 - only the notice and the authorization need it

    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            working = day.weekday() < 5
        left -= working
    return day


def _loc(loc: tuple, data: dict) -> str:
    """``('matter', 3, 'materials', 1, 'name')`` → ``matter[3](id).materials[1].name``."""
    parts: list[str] = []
    node: object = data
    for p in loc:
        if isinstance(p, int):
            label = f"[{p}]"
            node = node[p] if isinstance(node, list) and p < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                label += f"({node['id']})"
            parts[-1:] = [(parts[-1] if parts else "") + label]
        else:
            node = node.get(p) if isinstance(node, dict) else None
            parts.append(str(p))
    return ".".join(parts) or "(top level)"


def _format(err: ValidationError, data: dict) -> list[str]:
    lines = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p in ("int", "literal['即办']")))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "string_pattern_mismatch" and loc and loc[-1] == "id":
            msg = f"{e['input']!r} is not a usable id; use lower-case letters, digits, - and _ (e.g. pension-enrol)"
        elif e["type"] == "extra_forbidden":
            msg = "unknown key; remove it or check its spelling"
        elif e["type"] == "missing":
            msg = "is missing; this key is required"
        elif e["type"] not in ("value_error", "assertion_error") and "input" in e:
            msg = f"{msg} (got {e['input']!r})"
        lines.append(f"{_loc(loc, data)}: {msg}")
    return list(dict.fromkeys(lines))


_LATIN = re.compile(r"[a-z0-9]+")


_SEGMENTS = re.compile("[\u3400-\u9fff\U00020000-\U0003134f]|[^\u3400-\u9fff\U00020000-\U0003134f]+")


@lru_cache(maxsize=4096)
def _syllables(text: str) -> tuple[tuple[str, ...], ...]:
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
            out.extend((w,) for r in readings for w in _LATIN.findall(r))
    return tuple(s for s in out if s)


@lru_cache(maxsize=8192)
def _char_readings(ch: str) -> list[str]:
    from pypinyin import Style, pinyin  # noqa: PLC0415

    return [r.lower() for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]]


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f"


class _Field:
    """One searchable text of a matter with its pinyin, and quick filters for the pinyin match."""

    __slots__ = ("rank", "lower", "syl", "flat", "starts")

    def __init__(self, rank: int, text: str):
        self.rank, self.lower = rank, text.lower()
        self.syl = _syllables(text)
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


class _SearchIndex:
    """Precomputed pinyin of each matter's name, keywords and department, for :meth:`Catalog.search`."""

    def __init__(self, matters: list[Matter]):
        self._rows = [
            (order, m, [_Field(0, m.name), *(_Field(1, k) for k in m.keywords), _Field(2, m.department)])
            for order, m in enumerate(matters)]

    def search(self, query: str, limit: int) -> list[Matter]:
        raw = "".join(query.split()).lower()
        if not raw:
            return []
        latin = raw if _LATIN.fullmatch(raw) else None
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


class Catalog:
    """A validated catalogue: lookup by id, search, browse by department, filter by site level."""

    def __init__(self, info: CatalogInfo, matters: list[Matter], source: str = "<catalog>"):
        self.info, self.source = info, source
        self._matters = list(matters)
        self._by_id = {m.id: m for m in matters}

    @property
    def matters(self) -> list[Matter]:
        return list(self._matters)

    def __len__(self) -> int:
        return len(self._matters)

    def get(self, matter_id: str) -> Matter:
        """The matter with this id; KeyError names the id when there is none."""
        try:
            return self._by_id[matter_id]
        except KeyError:
            raise KeyError(f"catalogue has no matter '{matter_id}'") from None

    def for_level(self, level: Level) -> Catalog:
        """The matters handled at halls of ``level`` (the kiosk's site level), as a new catalogue."""
        return Catalog(self.info, [m for m in self._matters if level in m.levels], self.source)

    def departments(self) -> list[str]:
        """Department names in catalogue order, each once."""
        return list(dict.fromkeys(m.department for m in self._matters))

    def by_department(self, department: str) -> list[Matter]:
        return [m for m in self._matters if m.department == department]

    @cached_property
    def _index(self) -> _SearchIndex:
        return _SearchIndex(self._matters)

    def prepare_search(self) -> None:
        """Builds the pinyin index now (loading pypinyin takes ~0.5 s): call it from a background
        thread at start-up so the first search is instant. Otherwise the first search builds it."""
        self._index  # noqa: B018 - the cached property does the work

    def search(self, query: str, limit: int = 50) -> list[Matter]:
        """Matters matching ``query``, best first; an empty query returns nothing.

        Chinese text matches as a substring of the name, department or keywords; Latin letters match
        pinyin syllable by syllable where each syllable may be typed in full or as its first letters
        (``ylbx``, ``yanglaobaoxian``, ``ylbaox``). Case, spaces and tone marks are ignored.
        """
        return self._index.search(query, limit)


def parse_catalog(data: dict, source: str = "<catalog>") -> Catalog:
    try:
        parsed = _CatalogFile.model_validate(data)
    except ValidationError as err:
        raise CatalogError(source, _format(err, data)) from None
    return Catalog(parsed.catalog, parsed.matter, source)


def load_catalog(path: str | Path) -> Catalog:
    """Reads and validates a catalogue file; raises :class:`CatalogError` listing every problem."""
    p = Path(path)
    if not p.is_file():
        raise CatalogError(str(p), [f"(file): '{p}' does not exist; expected a matters TOML file"])
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise CatalogError(str(p), [f"(file): not valid TOML: {err}"]) from None
    return parse_catalog(data, str(p))


if __name__ == "__main__":  # python -m kiosk.catalog FILE: check a hall's catalogue
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m kiosk.catalog CATALOG.toml")
    try:
        found = load_catalog(sys.argv[1])
    except CatalogError as problem:
        print("\n".join(problem.problems), file=sys.stderr)
        sys.exit(1)
    print(f"ok: {len(found)} matters, {len(found.departments())} departments"
          + (" (a SAMPLE: replace it with the hall's own list)" if found.info.sample else ""))
