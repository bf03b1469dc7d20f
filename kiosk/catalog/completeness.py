"""The completeness check: which required materials of a matter the resident has, which are missing."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.catalog.model import Material, Matter


class MaterialStatus(enum.StrEnum):
    """What the resident has for one material. ``UNSET`` (not yet answered) and ``UNKNOWN`` (不知道: the
    resident is not sure; a helper is called to look) count as missing until someone answers."""

    UNSET = "unset"
    CAPTURED = "captured"  # photographed by the kiosk's camera
    PAPER = "paper"  # 带了纸质件: the resident has the paper with them
    MISSING = "missing"  # 没有
    UNKNOWN = "unknown"  # 不知道: not sure which paper this is, or whether it is the right one


@dataclass(frozen=True)
class Completeness:
    """The completeness check's answer: ``missing`` lists every missing required material at once."""

    complete: bool
    missing: tuple[Material, ...]
    have: tuple[Material, ...]
    unsure: tuple[Material, ...] = ()  # among ``missing``: the ones answered 不知道 (a helper should look)


def check_completeness(matter: Matter, statuses: Mapping[str, MaterialStatus | str]) -> Completeness:
    """``statuses`` maps material id → status; an unknown id raises KeyError, an absent one is UNSET.

    A required material is present when CAPTURED or PAPER; UNSET, MISSING and UNKNOWN make it missing
    (UNKNOWN ones are also listed in ``unsure``). Optional materials never make a matter incomplete.
    """
    for key in statuses:
        matter.material(key)
    missing, have, unsure = [], [], []
    for m in matter.materials:
        status = MaterialStatus(statuses.get(m.id, MaterialStatus.UNSET))
        if status in (MaterialStatus.CAPTURED, MaterialStatus.PAPER):
            have.append(m)
        elif not m.optional:
            missing.append(m)
            if status is MaterialStatus.UNKNOWN:
                unsure.append(m)
    return Completeness(not missing, tuple(missing), tuple(have), tuple(unsure))
