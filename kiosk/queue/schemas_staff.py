"""Pydantic models of the staff side's smaller calls: duty, sites, colleagues, reassignment. See
``kiosk/queue/API.md``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from kiosk.queue.inputs import MAX_ID
from kiosk.queue.schemas import Body


class AssignIn(Body):
    helper_id: int = Field(ge=1, le=MAX_ID, description="the colleague who takes the request (GET …/assignees)")


class Assignee(BaseModel):
    id: int
    display_name: str
    on_duty: bool
    holding: int = Field(description="open requests this colleague holds now")


class DutyIn(Body):
    on_duty: bool


class SiteView(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None
    escalate_after_s: int
    escalate_up_after_s: int


class HelperOnDuty(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    sites: list[str]
    on_duty: bool
    last_seen_at: datetime | None
    active_requests: list[str]
