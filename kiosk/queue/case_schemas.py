"""What crosses the API boundary for 代办 cases: the handover form, state changes and the case view.

Inputs are strict (unknown fields refused, lengths bounded) so bad input gets a clear 422 that names the
field; the view never carries the applicant's full name, ID number or phone (see ``/applicant``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.queue.inputs import MAX_ID, FreeText, no_surrogates


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _valid_text(cls, v: object) -> object:
        return no_surrogates(v)  # a lone surrogate is a 422, never a 500 (kiosk.queue.inputs)


class MaterialIn(_In):
    name: FreeText = Field(min_length=1, max_length=100, description="材料名称")
    form: Literal["original", "copy"] = Field("original", description="原件 / 复印件")
    count: int = Field(1, ge=1, le=999, description="份数")


class ApplicantIn(_In):
    name: str | None = Field(None, min_length=1, max_length=64,
                             description="申请人姓名 (stored encrypted); converting: default the ID card's")
    id_number: str | None = Field(None, max_length=32, description="证件号码 (stored encrypted); checked on the "
                                  "server: `resident` by its check character, other types by their format")
    id_type: Literal["resident", "hk_mo_permit", "tw_permit", "foreign_2017", "passport"] = Field(
        "resident", description="证件类型 of id_number: 居民身份证 (and the 18-character permits), 港澳/台湾通行证, "
                                "2017 foreign permanent resident card, passport")
    phone: str | None = Field(None, max_length=32, pattern=r"^[0-9+\- ]*$", description="联系电话 (encrypted)")


class AuthorizationIn(_In):
    signed: bool = Field(description="授权委托书已签署")
    signed_at: AwareDatetime | None = Field(None, description="签署时间, with a time zone; within the last "
                                            "year (default: now)")
    scanned: bool = Field(False, description="已扫描存档")
    note: FreeText | None = Field(None, max_length=200)


class CaseIn(_In):
    """A handover: from a help request the agent holds (``request_id``) or directly at the window."""

    request_id: str | None = Field(None, max_length=64, description="convert this arrived help request")
    site_code: str | None = Field(None, max_length=32, description="required without request_id when "
                                  "the agent has several sites")
    matter_id: str | None = Field(None, max_length=64)
    matter_name: FreeText | None = Field(None, max_length=128, description="default: the request's matter")
    time_limit_days: int | None = Field(None, ge=0, le=365, description="承诺时限, working days (0 = 即办: "
                                        "same day); default: the catalogue's time limit of matter_id")
    applicant: ApplicantIn | None = Field(None, description="default: the request's resident, if known")
    authorization: AuthorizationIn
    materials: list[MaterialIn] = Field(min_length=1, max_length=50, description="移交材料")
    note: FreeText | None = Field(None, max_length=500)


class StartIn(_In):
    department: FreeText = Field(min_length=1, max_length=128, description="办理部门 / 窗口")
    note: FreeText | None = Field(None, max_length=500)


class CompleteIn(_In):
    note: FreeText | None = Field(None, max_length=500, description="办结结果, e.g. 证照已领取")


class ReturnIn(_In):
    """Results and materials handed back: both sides confirm (the paper ledger's 签收)."""

    applicant_confirmed: bool = Field(description="申请人已确认签收")
    agent_confirmed: bool = Field(description="代办员已确认移交")
    note: FreeText | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _both(self) -> ReturnIn:
        if not (self.applicant_confirmed and self.agent_confirmed):
            raise ValueError("both the applicant and the agent must confirm the return (双方签收确认)")
        return self


class ReasonIn(_In):
    reason: FreeText = Field(min_length=1, max_length=200, description="撤回 / 取消原因")


class SuspendIn(_In):
    reason: FreeText = Field(min_length=1, max_length=200, description="中止原因, e.g. 待申请人补交户口本")


class ResumeIn(_In):
    note: FreeText | None = Field(None, max_length=500, description="e.g. 申请人已补交")


class TransferIn(_In):
    """To another agent of the case's site (``agent_id``) or to the parent site's 代办 window."""

    agent_id: int | None = Field(None, ge=1, le=MAX_ID, description="the receiving agent (a staff member of the site)")
    to_parent: bool = Field(False, description="to the parent site's 代办 window (any of its staff accepts)")
    reason: FreeText = Field(min_length=1, max_length=200, description="移交原因")

    @model_validator(mode="after")
    def _one(self) -> TransferIn:
        if (self.agent_id is None) == (not self.to_parent):
            raise ValueError("give either agent_id or to_parent: true (移交给一位代办员，或上级代办窗口)")
        return self


class CaseView(BaseModel):
    id: str
    seq: int
    site_code: str
    request_id: str | None
    matter_id: str | None
    matter_name: str
    time_limit_days: int
    applicant_masked: str
    phone_masked: str
    authorization: dict
    materials: list[dict]
    agent: dict
    state: str
    department: str | None
    note: str | None
    registered_at: datetime
    promised_date: date
    completed_at: datetime | None
    returned_at: datetime | None
    return_note: str | None
    closed_at: datetime | None
    close_reason: str | None
    due: Literal["on_track", "due_soon", "overdue", "suspended", "on_time", "late", "closed"]
    days_left: int | None = Field(description="calendar days to the promised date (negative: overdue)")
    actions: list[str] = Field(description="actions the caller may take now")
    suspension: dict | None = Field(None, description="while suspended: {at, reason, from_state}")
    paused_days: int = Field(0, description="working days added to the promise by suspensions")
    transfer: dict | None = Field(None, description="a pending hand-over: {to_agent, to_site, reason, by, at}")
    version: int


class CaseList(BaseModel):
    items: list[CaseView]
    overdue: int
    due_soon: int
    more: bool = Field(False, description="more cases matched than ``limit``: the closed and oldest were left "
                       "out (the ledger export has every case)")


class Applicant(BaseModel):
    name: str
    id_number: str
    phone: str
