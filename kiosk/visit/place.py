"""Where to go in this hall (issue 12, item 13): of a matter's places (the catalogue's ``window`` lists every
level's, 区政务服务中心… ；各镇（街道）…；村（社区）…), the one for this hall's level, and the hall's own
window or area for the matter's department when the site config names it (``site.windows``).

:func:`place_here` returns a :class:`Place`: ``here`` (what the resident is told: go there), ``window``
(this hall's window or area, "" when not configured) and ``also`` (other ways the catalogue names, e.g.
an app); ``here`` drops the hall's own name (区政务服务中心二楼 人社综合窗口 → 二楼 人社综合窗口) unless the
catalogue names no place of this level (``in_hall`` False). Pure functions, no Kivy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPLIT = re.compile(r"[；;]")


@dataclass(frozen=True)
class Place:
    here: str  # in this hall when ``in_hall`` (e.g. 二楼 人社综合窗口; "" = this hall, no window named)
    window: str = ""
    also: tuple[str, ...] = ()
    in_hall: bool = True  # False: the catalogue names no place of this hall's level (``here`` is elsewhere)


_HALL = re.compile(r"^.*?(?:服务中心|服务室|中心)")


def level_of(segment: str) -> str | None:
    """The level of hall a place names: village (村、社区), town (镇、街道、乡), district (区…中心, 区…局),
    or None (an app, a bank, a website)."""
    if "村" in segment or "社区" in segment:
        return "village"
    if "镇" in segment or "街道" in segment or "乡" in segment:
        return "town"
    if "区" in segment or "中心" in segment or "派出所" in segment:
        return "district"
    return None


def place_here(matter, level: str, windows: dict[str, str] | None = None) -> Place:
    """The place of ``matter`` for a hall of ``level``, and this hall's ``windows[department]``."""
    segments = [s.strip() for s in _SPLIT.split(matter.window) if s.strip()]
    mine = [s for s in segments if level_of(s) == level]
    others = tuple(s for s in segments if level_of(s) is None)
    window = (windows or {}).get(matter.department, "")
    if not mine:
        return Place(segments[0] if segments else matter.window, window, others, in_hall=False)
    return Place(_HALL.sub("", mine[0], count=1).strip(), window, others)
