"""Finding a matter without pinyin (issue 12, item 14): the matters residents ask for most, and matters
grouped by life event (生育、上学、就业、养老、身后事、开办企业…) beside the departments.

Both live in the catalogue's ``[catalog]`` table, so a hall orders them for its own residents::

    [catalog]
    common = ["pension-enrol", "medical-enrol", "social-card"]   # most asked first
      [[catalog.life_event]]
      name = "养老"
      matters = ["pension-enrol", "pension-claim", "elderly-allowance"]

Every id must name a matter of the catalogue (the loader says which does not). A kiosk shows only the
matters of its hall's level (:meth:`Catalog.for_level`): a group whose matters are all elsewhere is left
out. Without ``common`` the first matters of the catalogue stand in. No Kivy here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

COMMON_SHOWN = 12  # at most this many 常办事项


class LifeEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=12, description="e.g. 生育, 上学, 就业, 养老, 身后事, 开办企业")
    matters: list[str] = Field(min_length=1, max_length=60, description="matter ids, most asked first")


def unknown_ids(info: Any, ids: set[str]) -> list[str]:
    """Problems ``catalog.common[i]`` / ``catalog.life_event[i].matters[j]`` naming no matter of the catalogue."""
    problems = [f"catalog.common[{i}]: '{mid}' is no matter of this catalogue; use a matter's id"
                for i, mid in enumerate(info.common) if mid not in ids]
    for i, event in enumerate(info.life_event):
        problems += [f"catalog.life_event[{i}]({event.name}).matters[{j}]: '{mid}' is no matter of this "
                     "catalogue; use a matter's id" for j, mid in enumerate(event.matters) if mid not in ids]
    names = [e.name for e in info.life_event]
    problems += [f"catalog.life_event: '{n}' appears twice; give each life event once"
                 for n in dict.fromkeys(n for n in names if names.count(n) > 1)]
    return problems


def _present(catalog: Any, ids: list[str]) -> list:
    out = []
    for mid in dict.fromkeys(ids):
        try:
            out.append(catalog.get(mid))
        except KeyError:  # handled at another level of hall
            continue
    return out


def common_matters(catalog: Any, most: int = COMMON_SHOWN) -> list:
    """The matters residents ask for most (the catalogue's order), those of this hall only."""
    ids = list(catalog.info.common) or [m.id for m in catalog.matters]
    return _present(catalog, ids)[:most]


def life_event_names(catalog: Any) -> list[str]:
    """The life events with at least one matter here, in the catalogue's order."""
    return [e.name for e in catalog.info.life_event if _present(catalog, e.matters)]


def by_life_event(catalog: Any, name: str) -> list:
    """The matters of life event ``name`` handled here ([] for an unknown name)."""
    for e in catalog.info.life_event:
        if e.name == name:
            return _present(catalog, e.matters)
    return []
