"""The help-request service's creates and claims on PostgreSQL as one message each (:mod:`kiosk.queue.pg_write`).

Contract
- A mixin of :class:`kiosk.queue.service.QueueService`: the ``*_args`` methods check what can be checked
  before the database (a kiosk's request, a staff member) and build the function's parameters; the
  ``pg_created`` / ``pg_claimed`` methods turn the function's answer into the same answer, the same
  errors and the same published events as the general path (:meth:`QueueService.create`,
  :meth:`QueueService.act`). The request thread (``QueueService``) and the event loop
  (:mod:`kiosk.queue.hotpath`) share them; only the sending differs.
- ``pg_create_args`` answers None when the event cannot take the server-side path (its JSON holds a NUL
  character: ``jsonb`` refuses it); ``pg_claimed`` answers None when the function asked for the general
  path (a request with a note or materials whose creation event is gone). The caller then takes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from kiosk.queue import pg_append, pg_write, request_materials, store
from kiosk.queue.auth import Principal, require_kiosk, require_user
from kiosk.queue.errors import Conflict, Forbidden, NotFound
from kiosk.queue.replay import check_request
from kiosk.queue.states import PRIORITY_RANK, Action, State

MAX_CLOCK_SKEW = timedelta(hours=12)  # a kiosk's created_at is kept within this of the server's clock


class OneCall:
    """Needs the service's ``kiosk_view_of``, ``_conflict``, ``box`` and ``publisher``; also gives the general
    path the new request's columns (``_values``, ``_new_row``)."""

    def create_checks(self, kiosk: Principal, body) -> None:
        """A kiosk creates requests for itself and its site only."""
        require_kiosk(kiosk)
        if body.kiosk_id != kiosk.kiosk_id or body.site_code != kiosk.site_code:
            raise Forbidden("kiosk_mismatch", kiosk=kiosk.kiosk_id, site=kiosk.site_code)

    def cached_site(self, code: str):
        """The site's row when this process has read it already, else None."""
        return self._sites.get(code)  # type: ignore[attr-defined]

    async def aclose(self) -> None:
        """Closes the event loop's connections (the app's shutdown)."""
        if self.apool is not None:  # type: ignore[attr-defined]
            await self.apool.close()  # type: ignore[attr-defined]

    def _values(self, kiosk: Principal, body, now: datetime, site: Mapping[str, Any]) -> dict[str, Any]:
        """The new request's columns as stored."""
        created_at = max(min(body.created_at, now), now - MAX_CLOCK_SKEW)
        resident = body.resident
        return dict(
            id=body.id, kind=body.kind, site_code=body.site_code, kiosk_id=body.kiosk_id, step=body.step,
            matter_id=body.matter_id, matter_name=body.matter_name, ticket_no=body.ticket_no,
            priority=body.priority, priority_rank=PRIORITY_RANK[body.priority], note=body.note,
            resident_enc=self.box.seal(resident.name, resident.id_number, resident.phone) if resident else None,
            resident_masked=self.box.masked(resident.name, resident.id_number, resident.phone) if resident
            else request_materials.masked_name(body.name_masked),
            materials=request_materials.encode(body.materials), rating_token=body.rating_token,
            state=State.WAITING, created_at=created_at, received_at=now, updated_at=now,
            escalation_level=0, version=1,
            escalate_at=created_at + timedelta(seconds=site["escalate_after_s"]),
            escalate_up_at=created_at + timedelta(seconds=site["escalate_up_after_s"]),
        )

    @staticmethod
    def _new_row(kiosk: Principal, values: dict[str, Any]) -> dict[str, Any]:
        """A request just stored, as :func:`store.get_request` would read it back."""
        return values | {"helper_name": None, "kiosk_location": kiosk.location, "claimed_by": None,
                         "claimed_at": None, "arrived_at": None, "closed_at": None, "outcome": None,
                         "cancel_reason": None, "case_id": None, "escalated_to": None}

    def pg_create_args(self, kiosk: Principal, body, now: datetime, site) -> tuple[list[dict], tuple] | None:
        values = self._values(kiosk, body, now, site)  # type: ignore[attr-defined]
        row = self._new_row(kiosk, values)  # type: ignore[attr-defined]
        pending = [dict(type="request.created", actor=kiosk.actor, at=now, site_code=values["site_code"],
                        escalated_to=None, request_id=body.id, data={"request": store.staff_view(row, now)})]
        payload = pg_append.payload(pending)
        if payload is None:
            return None
        return pending, pg_write.create_args(values, payload)

    def pg_created(self, kiosk: Principal, body, site, pending: list[dict], result: dict) -> dict:
        if result["created"]:
            for event, stored in zip(pending, result["events"], strict=True):
                event["id"] = int(stored[0])
            self.publisher.after_commit(pending)  # type: ignore[attr-defined]
            view = self.kiosk_view_of({"id": body.id, "state": "waiting"}, site, result["position"])  # type: ignore[attr-defined]
            return {**view, "created": True}
        row = result["row"]
        if row["kiosk_id"] != kiosk.kiosk_id:
            raise Conflict("id_taken", id=body.id)
        check_request(row, body, self.box, MAX_CLOCK_SKEW)  # type: ignore[attr-defined]  # other body: 409
        return {**self.kiosk_view_of(row, site, result["position"]), "created": False}  # type: ignore[attr-defined]

    def pg_claim_args(self, user: Principal, request_id: str, now: datetime) -> tuple:
        require_user(user)
        try:
            canonical = str(uuid.UUID(request_id))  # ``{ABC…}`` or upper case: the same request
        except ValueError:
            canonical = request_id  # (finds nothing: NotFound once on duty is checked, as the general path)
        return pg_write.claim_args(canonical, user, user.visible, now)

    def pg_claimed(self, user: Principal, request_id: str, now: datetime, result: dict) -> dict | None:
        status = result["status"]
        if status == "off_duty":
            raise Conflict("off_duty")
        if status == "missing":
            raise NotFound("request", id=request_id)
        if status == "python":
            return None
        row: dict[str, Any] = result["row"]
        if status == "refused":
            if not (row["site_code"] in user.visible or row["escalated_to"] in user.visible):
                raise NotFound("request", id=request_id)
            raise self._conflict(row, Action.CLAIM)  # type: ignore[attr-defined]
        row["helper_name"] = user.display_name
        event = dict(id=int(result["events"][0][0]), type="request.claimed", actor=user.actor, at=now,
                     site_code=row["site_code"], escalated_to=row["escalated_to"], request_id=row["id"])
        self.publisher.after_commit([event])  # type: ignore[attr-defined]
        return store.staff_view(row, now)
