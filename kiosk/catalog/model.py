"""The catalogue's schema (pydantic), the :class:`Catalog` built from it, loading and its errors.

:func:`load_catalog` returns a validated :class:`Catalog` or raises :class:`CatalogError` whose
``problems`` are lines ``path: what is wrong, what is expected`` (like the kiosk config's errors).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kiosk.catalog.life_events import LifeEvent, unknown_ids
from kiosk.catalog.search import SearchIndex
from kiosk.config.tomlfile import TomlFileError, read_toml_file

Level = Literal["district", "town", "village"]
IMMEDIATE = "即办"


def _first_duplicate(ids: list[str]) -> str | None:
    """The first id that appears a second time, or None."""
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            return i
        seen.add(i)
    return None


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
    on_site: bool = Field(False, description="a helper can supply it on the spot (a form the staff fill in "
                          "with the resident, a free copy): the 一次性告知单 lists it apart from what the "
                          "resident must fetch")


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
    enterprise: bool = Field(False, description="a matter for enterprises (为企业办事 lists it)")
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
        if (dup := _first_duplicate([m.id for m in self.materials])) is not None:
            raise ValueError(f"material id '{dup}' appears twice; give each material its own id")
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
    common: list[str] = Field(default_factory=list, max_length=60, description="常办事项: matter ids, most asked first")
    life_event: list[LifeEvent] = Field(default_factory=list, max_length=30,
                                        description="matters grouped by life event (生育, 上学, 养老 …)")


class _CatalogFile(_Strict):
    catalog: CatalogInfo
    matter: list[Matter] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> _CatalogFile:
        if (dup := _first_duplicate([m.id for m in self.matter])) is not None:
            raise ValueError(f"matter id '{dup}' appears twice; each matter needs its own id")
        return self

    @model_validator(mode="after")
    def _groups_name_matters(self) -> _CatalogFile:
        if problems := unknown_ids(self.catalog, {m.id for m in self.matter}):
            raise ValueError("; ".join(problems))
        return self


class CatalogError(Exception):
    """The catalogue is unusable. ``problems`` holds one ``path: message`` line per problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        super().__init__(f"{source}: " + "; ".join(problems))


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


class Catalog:
    """A validated catalogue: lookup by id, search, browse by department, filter by site level."""

    def __init__(self, info: CatalogInfo, matters: list[Matter], source: str = "<catalog>"):
        self.info, self.source = info, source
        self._matters = list(matters)
        self._by_id = {m.id: m for m in matters}
        self._search_lock = threading.Lock()
        self._search: SearchIndex | None = None

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

    @property
    def _index(self) -> SearchIndex:
        if self._search is None:
            self.prepare_search(out_of_process=False)
        return self._search  # type: ignore[return-value]

    def prepare_search(self, *, out_of_process: bool = True) -> None:
        """Builds the pinyin search index now; the kiosk calls it from a background thread at start-up so
        the first search is instant (a search meanwhile waits for it). ``out_of_process``: the readings
        are computed by a child process, so pypinyin (~55 MB) never loads here (see ``pinyin_table``).
        Otherwise the first search builds the index in this process."""
        with self._search_lock:
            if self._search is not None:
                return
            table = None
            if out_of_process:
                from kiosk.catalog.pinyin_table import readings  # noqa: PLC0415

                table = readings(SearchIndex.texts(self._matters))
            self._search = SearchIndex(self._matters, table)

    def search(self, query: str, limit: int = 50) -> list[Matter]:
        """Matters matching ``query``, best first; an empty query returns nothing.

        Chinese text matches as a substring of the name, department or keywords; Latin letters match
        pinyin syllable by syllable where each syllable may be typed in full or as its first letters
        (``ylbx``, ``yanglaobaoxian``, ``ylbaox``). Case, spaces and tone marks are ignored.
        """
        return self._index.search(query, limit)


def parse_catalog(data: dict, source: str = "<catalog>") -> Catalog:
    """Validates an already parsed catalogue (a dict as from ``tomllib``); ``source`` names it in the
    :class:`CatalogError` that lists every problem."""
    try:
        parsed = _CatalogFile.model_validate(data)
    except ValidationError as err:
        raise CatalogError(source, _format(err, data)) from None
    return Catalog(parsed.catalog, parsed.matter, source)


def read_toml(path: str | Path, expected: str) -> dict:
    """Parses a TOML file; a missing or unparsable file raises :class:`CatalogError` with one
    ``(file): …`` problem (``expected`` says what the file should be, e.g. "a matters TOML file")."""
    p = Path(path)
    if not p.is_file():
        raise CatalogError(str(p), [f"(file): '{p}' does not exist; expected {expected}"])
    try:
        return read_toml_file(p)
    except TomlFileError as err:
        raise CatalogError(str(p), [f"(file): {err}"]) from None


def load_catalog(path: str | Path) -> Catalog:
    """Reads and validates a catalogue file; raises :class:`CatalogError` listing every problem."""
    return parse_catalog(read_toml(path, "a matters TOML file"), str(Path(path)))
