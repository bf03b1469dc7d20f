"""Managers' central kiosk configuration: the editable keys, a site default's or a kiosk's settings with their
history, and changes (see :mod:`kiosk.queue.remote_config`). Manager or supervisor sessions of the site."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.queue import remote_config
from kiosk.queue.auth import require_user
from kiosk.queue.deps import Caller, Ctx
from kiosk.queue.errors import Conflict, Forbidden, Invalid
from kiosk.queue.inputs import no_surrogates

router = APIRouter(prefix="/api/v1", tags=["manager"])
Value = str | bool | int | float | list[int | float] | None


class ConfigChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    site_code: str = Field(min_length=1, max_length=32)
    kiosk_id: str | None = Field(None, min_length=1, max_length=64, description="none: the site's default")
    changes: dict[str, Value] = Field(max_length=64, description='{"ui.idle_timeout_s": 120}; null removes a key')
    base_version: int | None = Field(None, ge=0, description="the version the change was made from (409 if "
                                                             "another change came first)")

    @field_validator("*")
    @classmethod
    def _valid_text(cls, v: Any) -> Any:
        return no_surrogates(v)  # no NUL, ESC or U+202E in what every kiosk of the site will show


def _scope(caller, site: str):
    user = require_user(caller, "manager", "supervisor")
    if site not in user.visible:
        raise Forbidden("site", site=site)
    return user


@router.get("/kiosk-config/keys")
def config_keys(caller: Caller) -> list[dict[str, Any]]:
    """The settings a manager may change remotely, with their kind, limits and whether they apply at once."""
    from kiosk.config.remote import describe_keys

    require_user(caller, "manager", "supervisor")
    return describe_keys()


@router.get("/kiosk-config")
async def get_config(caller: Caller, c: Ctx, site_code: Annotated[str, Query(max_length=32)],
                     kiosk_id: Annotated[str | None, Query(max_length=64)] = None) -> dict:
    """A site default's (no ``kiosk_id``) or a kiosk's settings, versions (who, when, what changed) and, for
    a kiosk, its effective settings and what it reports running."""
    _scope(caller, site_code)
    try:
        return await c.run(remote_config.show, c.db, site_code, kiosk_id)
    except ValueError as exc:
        raise Invalid("config_invalid", reason=str(exc)) from None


@router.put("/kiosk-config")
async def put_config(body: ConfigChange, caller: Caller, c: Ctx) -> dict:
    """Stores a new version; kiosks get it with their next heartbeat answer."""
    user = _scope(caller, body.site_code)
    try:
        return await c.run(remote_config.change, c.db, body.site_code, body.kiosk_id, body.changes,
                           body.base_version, user.actor, c.settings.clock())
    except LookupError as exc:
        raise Conflict("config_stale", version=exc.args[0]) from None
    except ValueError as exc:
        raise Invalid("config_invalid", reason=str(exc)) from None
