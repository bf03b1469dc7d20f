"""The completeness check: which required materials of a matter the resident has, which are missing."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.catalog.model import Material, Matter


class MaterialStatus(enum.StrEnum):
    """What the resident has for one material. ``UNSET`` (not yet answered) counts as missing."""

    UNSET = "unset"
    CAPTURED = "captured"  # photographed by the kiosk's camera
    PAPER = "paper"  # 带了纸质件: the resident has the paper with them
    MISSING = "missing"  # 没有


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
