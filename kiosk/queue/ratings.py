"""好差评: residents rate a help request at the kiosk, or a 代办 case through the QR code on its return slip.

Contract
- Scores are the national 好差评 scale: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意; a score of 2 or
  less is 不满意 and needs a reason (one of :data:`REASONS`) or a comment (422 ``rating_reason``). Comments
  are at most 200 characters; ID numbers and mobile numbers in them are masked before storing.
- :meth:`RatingService.kiosk_rate` (``POST /api/v1/ratings``, a kiosk through its outbox) rates the kiosk's
  own request (404 otherwise), idempotent by the rating's id (a replay answers ``created: false``); a
  second rating of the same request is 409 ``already_rated``. The helper rated is the one who claimed it.
- :meth:`RatingService.qr_rate` rates a case by its unguessable token (``cases.rating_token``, 192 random
  bits, printed as ``<public url>/r/<token>`` on the 材料归还单), once the case is completed, returned or
  withdrawn; once per case. The agent is the helper rated. A help request is rated the same way by the
  token its kiosk made and printed on the resident's slip (``requests.rating_token``), once the helpers
  resolved it; once per request, whether at the kiosk or by the QR code. The claiming helper is rated. Both are ledger entries (``request.rated`` /
  ``case.rated``: the score, never the comment).
- :func:`aggregate` gives the figures' ``ratings`` per site and per helper for a range (by rating time):
  ``n``, ``by_score``, ``unsatisfied`` (score ≤ 2), ``unsatisfied_share``, ``reasons`` (counts).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from kiosk.privacy import mask_phone, redact_text
from kiosk.queue import store
from kiosk.queue.auth import Principal, require_kiosk
from kiosk.queue.errors import Conflict, Invalid, NotFound
from kiosk.queue.inputs import no_surrogates, strip_controls
from kiosk.queue.models import cases, ratings, requests, sites
from kiosk.queue.rating_codes import REASONS, SCORES, UNSATISFIED  # noqa: F401 - re-exported

RATEABLE = ("completed", "returned", "withdrawn")
REQUEST_RATEABLE = ("resolved",)  # as at the kiosk: the helper marked it resolved
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
MAX_SKEW = timedelta(hours=12)


class RatingIn(BaseModel):
    """A kiosk's rating of one of its requests (sent through its outbox)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field(min_length=1, max_length=36, description="uuid4 made by the kiosk: the idempotency key")
    request_id: str = Field(max_length=64)
    score: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    reasons: list[Literal["wait_long", "attitude", "unclear", "not_solved", "many_trips", "other"]] = Field(
        default_factory=list, max_length=6)
    comment: str | None = Field(None, max_length=200)
    created_at: AwareDatetime

    @field_validator("id", "request_id")
    @classmethod
    def _plain(cls, v: str) -> str:
        return no_surrogates(v)  # a NUL reached PostgreSQL (a 500); the comment is cleaned, not refused


def clean_comment(text: str | None) -> str | None:
    text = strip_controls(text or "").strip()[:200]  # a public form: NUL or U+202E dropped, not a 500
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), redact_text(text)) or None


def _check(score: int, reasons: list[str], comment: str | None) -> None:
    if score <= UNSATISFIED and not reasons and not comment:
        raise Invalid("rating_reason")


class RatingService:
    def __init__(self, db, clock, cases_service=None):
        self.db, self.clock, self.cases = db, clock, cases_service

    def kiosk_rate(self, kiosk: Principal, body: RatingIn) -> dict:
        require_kiosk(kiosk)
        comment = clean_comment(body.comment)
        _check(body.score, body.reasons, comment)
        now = self.clock()
        at = max(min(body.created_at, now), now - MAX_SKEW)
        try:
            with self.db.write() as conn:
                req = store.get_request(conn, body.request_id)
                if req is None or req["kiosk_id"] != kiosk.kiosk_id:
                    raise NotFound("request", id=body.request_id)
                values = dict(id=body.id, site_code=req["site_code"], request_id=req["id"], case_id=None,
                              helper_id=req["claimed_by"], score=body.score, reasons=list(dict.fromkeys(body.reasons)),
                              comment=comment, channel="kiosk", created_at=at, received_at=now)
                created = store.insert_ignore(conn, ratings, values, "id")
                if not created:
                    stored = conn.execute(select(ratings.c.request_id).where(ratings.c.id == body.id)).scalar()
                    if stored != req["id"]:
                        raise Conflict("id_taken", id=body.id)
                else:
                    store.add_event(conn, type_="request.rated", actor=kiosk.actor, at=now, site_code=req["site_code"],
                                    escalated_to=None, request_id=req["id"], data={"score": body.score})
        except IntegrityError:
            raise Conflict("already_rated") from None
        return {"id": body.id, "request_id": values["request_id"], "score": body.score, "created": created}

    def case_by_token(self, token: str) -> dict | None:
        """What the public page shows of the case (or help request) behind ``token``: ``what`` (``case`` or
        ``request``), matter, site, state, whether it can be rated now, and its rating if there is one.

        A help request turned into a 代办 case (the kiosk's 授权委托书 carries the request's token) is the
        case: rated once the agent completed it, one rating with the 材料归还单's QR code."""
        if not token or len(token) > 48:
            return None
        case_of = select(cases.c.id, cases.c.site_code, cases.c.matter_name, cases.c.state, cases.c.agent_id,
                         sites.c.name.label("site_name")).join(sites, sites.c.code == cases.c.site_code)
        with self.db.read() as conn:
            row = conn.execute(case_of.where(cases.c.rating_token == token)).mappings().first()
            if row is None:
                request_id = select(requests.c.id).where(requests.c.rating_token == token,
                                                         requests.c.state == "converted").scalar_subquery()
                row = conn.execute(case_of.where(cases.c.request_id == request_id)).mappings().first()
            if row is not None:
                rated = conn.execute(select(ratings.c.score).where(ratings.c.case_id == row["id"])).scalar()
                return {**row, "what": "case", "rated": rated, "rateable": row["state"] in RATEABLE}
            r = requests.c
            row = conn.execute(select(r.id, r.site_code, r.matter_name, r.state, r.claimed_by.label("agent_id"),
                                      sites.c.name.label("site_name"))
                               .join(sites, sites.c.code == r.site_code)
                               .where(r.rating_token == token)).mappings().first()
            if row is None:
                return None
            rated = conn.execute(select(ratings.c.score).where(ratings.c.request_id == row["id"])).scalar()
        return {**row, "matter_name": row["matter_name"] or "帮办服务", "what": "request", "rated": rated,
                "rateable": row["state"] in REQUEST_RATEABLE and row["agent_id"] is not None}

    def qr_rate(self, token: str, score: int, reasons: list[str], comment: str | None) -> dict:
        """Rates the case behind ``token``; ``{"created": bool, "case": …}``; NotFound / Conflict / Invalid."""
        case = self.case_by_token(token)
        if case is None:
            raise NotFound("rating_token")
        if not case["rateable"]:
            raise Conflict("rating_too_early", state=case["state"])
        if score not in SCORES or any(r not in REASONS for r in reasons):
            raise Invalid("rating_score")
        comment = clean_comment(comment)
        _check(score, reasons, comment)
        if case["rated"] is not None:
            return {"created": False, "case": case}
        now = self.clock()
        try:
            with self.db.write() as conn:
                request = case["what"] == "request"
                conn.execute(ratings.insert().values(
                    id=str(uuid.uuid4()), site_code=case["site_code"], request_id=case["id"] if request else None,
                    case_id=None if request else case["id"], helper_id=case["agent_id"], score=score,
                    reasons=list(dict.fromkeys(reasons)), comment=comment, channel="qr", created_at=now,
                    received_at=now))
                if request:
                    store.add_event(conn, type_="request.rated", actor="resident:qr", at=now,
                                    site_code=case["site_code"], escalated_to=None, request_id=case["id"],
                                    data={"score": score})
                elif self.cases is not None:
                    self.cases._event(conn, case["id"], case["site_code"], "case.rated", "resident:qr", now, score=score)
        except IntegrityError:  # rated at the same moment from another phone
            return {"created": False, "case": case}
        return {"created": True, "case": {**case, "rated": score}}


def rating_url(public_url: str | None):
    """The return slip's QR link maker for :class:`~kiosk.queue.case_paper.CasePaper` (None: no public URL)."""
    if not public_url:
        return None
    base = public_url.rstrip("/")
    return lambda row: f"{base}/r/{row['rating_token']}" if row.get("rating_token") else None


def empty() -> dict:
    return {"n": 0, "by_score": {str(s): 0 for s in sorted(SCORES, reverse=True)}, "unsatisfied": 0,
            "unsatisfied_share": None, "reasons": {}}


def aggregate(conn: Connection, scope: list[str], start: datetime, end: datetime) -> tuple[dict, dict]:
    """``(per site, per helper)`` rating buckets for ratings made in ``[start, end)`` at ``scope`` sites."""
    per_site: dict[str, dict] = defaultdict(empty)
    per_helper: dict[int, dict] = defaultdict(empty)
    r = ratings.c
    for site, helper, score, reasons in conn.execute(select(r.site_code, r.helper_id, r.score, r.reasons).where(
            r.site_code.in_(scope), r.created_at >= start, r.created_at < end)):
        for b in [per_site[site]] + ([per_helper[helper]] if helper is not None else []):
            b["n"] += 1
            b["by_score"][str(score)] += 1
            b["unsatisfied"] += score <= UNSATISFIED
            for code in reasons or []:
                b["reasons"][code] = b["reasons"].get(code, 0) + 1
    return per_site, per_helper


def finish(b: dict) -> dict:
    return {**b, "unsatisfied_share": round(b["unsatisfied"] / b["n"], 4) if b["n"] else None}


def add(into: dict, b: dict) -> None:
    """Adds bucket ``b`` into ``into`` (for totals)."""
    into["n"] += b["n"]
    into["unsatisfied"] += b["unsatisfied"]
    for k, v in b["by_score"].items():
        into["by_score"][k] += v
    for k, v in b["reasons"].items():
        into["reasons"][k] = into["reasons"].get(k, 0) + v
