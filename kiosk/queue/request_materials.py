"""What a help request says about the resident's materials (issue 12, item 17): one entry per material of
the chosen matter, as structured data the console shows the helper before they walk over.

Contract
- A kiosk sends ``materials``: at most :data:`MAX_MATERIALS` entries ``{"id", "name", "state",
  "required"}``; ``state`` is one of :data:`STATES` — ``present`` (photographed at the kiosk),
  ``paper`` (the resident has it on paper), ``missing`` (没有), ``unsure`` (不知道: the helper should look),
  ``unanswered``. Names are free text (ID and phone numbers masked); ids are the catalogue's.
- Stored as compact JSON text in ``requests.materials`` (:func:`encode`), read back by :func:`decode`
  (None when the request carried none, or when the stored text is unreadable: a view never fails on it).
- ``name_masked``: a request without the full identity still carries the resident's masked name so the
  helper can find them; the server masks it again (:func:`masked_name`), so a kiosk can never store a
  full name that way.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kiosk.privacy import mask_name
from kiosk.queue.inputs import FreeText

STATES = ("present", "paper", "missing", "unsure", "unanswered")
MAX_MATERIALS = 40
MaterialState = Literal["present", "paper", "missing", "unsure", "unanswered"]


class MaterialIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: FreeText = Field(min_length=1, max_length=60)
    state: MaterialState
    required: bool = True


class MaterialView(BaseModel):
    id: str
    name: str
    state: str = Field(description="present (photographed at the kiosk), paper, missing, unsure, unanswered")
    required: bool


def encode(materials: list[MaterialIn] | None) -> str | None:
    """The stored form of a request's materials (None: the request carried none)."""
    if materials is None:
        return None
    return json.dumps([m.model_dump() for m in materials], ensure_ascii=False, separators=(",", ":"))


def decode(text: str | None) -> list[dict] | None:
    """The stored materials as a list of dicts; None when there are none or the text is unreadable."""
    if not text:
        return None
    try:
        items = json.loads(text)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    return [i for i in items if isinstance(i, dict) and i.get("state") in STATES][:MAX_MATERIALS]


def masked_name(name_masked: str | None) -> str | None:
    """The masked name a kiosk sent, masked again here (``张*`` stays ``张*``; ``张三`` becomes ``张*``)."""
    return (mask_name(name_masked)[:32] or None) if name_masked else None
