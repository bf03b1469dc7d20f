"""The levels of a service site: one vocabulary for the kiosk config, the matters catalogue and the help queue.

The policy builds 帮办代办 at three levels: the district's 政务服务大厅, the town's (镇、街道、管委会)
便民服务大厅 and the village's (村、社区) 便民服务室. The help queue escalates along each site's parent,
so these three are all it needs. Older releases of ``kiosk queue add-site`` spoke of ``hall`` and
``city``; both are still accepted, as ``district``, with a deprecation message, and queue migration 0013
(kiosk/queue/migrations/versions/0013_site_levels.py) stores the rows an old database holds the same way.
"""

from __future__ import annotations

SITE_LEVELS = ("district", "town", "village")
LEGACY_LEVELS = {"hall": "district", "city": "district"}


def normal_level(level: str) -> tuple[str, str | None]:
    """(the level in :data:`SITE_LEVELS`, a deprecation message or None). Raises ValueError for a level
    that is neither current nor a legacy spelling."""
    if level in SITE_LEVELS:
        return level, None
    if level in LEGACY_LEVELS:
        new = LEGACY_LEVELS[level]
        return new, (f"level '{level}' is deprecated and is stored as '{new}'; the levels are "
                     f"{', '.join(SITE_LEVELS)} (as in the kiosk config)")
    raise ValueError(f"level '{level}' is not one of {', '.join(SITE_LEVELS)}")
