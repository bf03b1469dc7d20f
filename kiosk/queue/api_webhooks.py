"""Managers' webhooks of their sites: list (with each one's last error), add, remove, send a test message.

Contract: manager or supervisor sessions only, limited to the caller's visible sites. Bad input answers
422 ``webhook_invalid`` with the reason; a secret is never answered back (``secret_set`` only) and robot
tokens in the URL are shown as their last 4 characters. See :mod:`kiosk.queue.webhooks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from kiosk.queue import webhooks as store
from kiosk.queue.auth import require_user
from kiosk.queue.deps import Caller, Ctx
from kiosk.queue.errors import Forbidden, Invalid, NotFound
from kiosk.queue.inputs import MAX_ID

router = APIRouter(prefix="/api/v1", tags=["manager"])


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    site_code: str = Field(min_length=1, max_length=32)
    kind: Literal["wecom", "dingtalk", "feishu", "json"]
    url: str = Field(min_length=1, max_length=store.MAX_URL)
    secret: str | None = Field(None, min_length=1, max_length=store.MAX_SECRET)


class WebhookView(BaseModel):
    id: int
    site_code: str
    kind: str
    url: str = Field(description="query values (robot tokens) cut to their last 4 characters")
    secret_set: bool
    created_by: str
    created_at: datetime
    sent: int
    failed: int
    dropped: int = Field(description="events given up after every retry failed")
    last_ok_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    retrying: bool


def _manager(caller):
    return require_user(caller, "manager", "supervisor")


@router.get("/webhooks", response_model=list[WebhookView])
async def list_webhooks(caller: Caller, c: Ctx) -> list[dict]:
    """The webhooks of my sites, each with what it sent, its failures and its last error."""
    return await c.run(store.listing, c.db, _manager(caller).visible)


@router.post("/webhooks", response_model=WebhookView, status_code=201)
async def add_webhook(body: WebhookIn, caller: Caller, c: Ctx) -> dict:
    """Adds a webhook to one of my sites; it announces events from now on."""
    user = _manager(caller)
    if body.site_code not in user.visible:
        raise Forbidden("site", site=body.site_code)
    try:
        return await c.run(store.add, c.db, c.box, body.site_code, body.kind, body.url, body.secret, user.actor,
                           c.settings.clock())
    except ValueError as exc:
        raise Invalid("webhook_invalid", reason=str(exc)) from None


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def remove_webhook(webhook_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], caller: Caller, c: Ctx) -> None:
    """Removes a webhook of one of my sites."""
    if not await c.run(store.remove, c.db, webhook_id, _manager(caller).visible):
        raise NotFound("webhook_unknown", id=webhook_id)
