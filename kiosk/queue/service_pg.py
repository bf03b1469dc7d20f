"""The help-request service's creates and claims on PostgreSQL as one message each (:mod:`kiosk.queue.pg_write`).

Contract
- :class:`PgWrites` is the service's collaborator for these two writes (``QueueService.pg``, None on SQLite):
  :meth:`PgWrites.create` / :meth:`PgWrites.claim` from a service thread, :meth:`PgWrites.create_async` /
  :meth:`PgWrites.claim_async` from the event loop (:mod:`kiosk.queue.hotpath`, over its
  :class:`~kiosk.queue.pg_pool.AsyncPool`). Each answers the same answer, raises the same errors and
  publishes the same events as the general path (:meth:`QueueService.create`, :meth:`QueueService.act`);
  only the sending differs: the same message (:data:`~kiosk.queue.pg_write.CREATE_COMMIT`,
  :data:`~kiosk.queue.pg_write.CLAIM_COMMIT`, committed without waiting for the disk), then the process's
  group flush for that path (:class:`~kiosk.queue.pg_flush.ThreadFlush`,
  :class:`~kiosk.queue.pg_pool.GroupFlush`): nothing is answered or published before its write is on disk.
- Each answers None when the write cannot take this path, and the caller then takes the general one: an
  event whose JSON holds a NUL character (``jsonb`` refuses it), a request with a note or materials whose
  creation event is gone (the claim function asks for it), and on the event loop a site this process has
  not read yet (reading it is the general path's, in a thread).
- What both paths share lives here too: :func:`check_kiosk`, the new request's columns
  (:func:`request_values`, :func:`new_row`), the kiosk's view (:func:`kiosk_view`) and why an action is
  refused (:func:`refusal`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from kiosk.i18n import tr
from kiosk.privacy import mask_name
from kiosk.queue import pg_append, pg_write, request_materials, store
from kiosk.queue.auth import Principal, require_kiosk, require_user
from kiosk.queue.crypto import IdentityBox
from kiosk.queue.db import Database
from kiosk.queue.errors import Conflict, Forbidden, NotFound
from kiosk.queue.pg_pool import AsyncPool
from kiosk.queue.replay import check_request
from kiosk.queue.states import ACTIVE_STATES, PRIORITY_RANK, Action, State

MAX_CLOCK_SKEW = timedelta(hours=12)  # a kiosk's created_at is kept within this of the server's clock


def check_kiosk(kiosk: Principal, body) -> None:
    """A kiosk creates requests for itself and its site only."""
    require_kiosk(kiosk)
    if body.kiosk_id != kiosk.kiosk_id or body.site_code != kiosk.site_code:
        raise Forbidden("kiosk_mismatch", kiosk=kiosk.kiosk_id, site=kiosk.site_code)


def request_values(box: IdentityBox, body, now: datetime, site: Mapping[str, Any]) -> dict[str, Any]:
    """The new request's columns as stored."""
    created_at = max(min(body.created_at, now), now - MAX_CLOCK_SKEW)
    resident = body.resident
    return dict(
        id=body.id, kind=body.kind, site_code=body.site_code, kiosk_id=body.kiosk_id, step=body.step,
        matter_id=body.matter_id, matter_name=body.matter_name, ticket_no=body.ticket_no,
        priority=body.priority, priority_rank=PRIORITY_RANK[body.priority], note=body.note,
        resident_enc=box.seal(resident.name, resident.id_number, resident.phone) if resident else None,
        resident_masked=box.masked(resident.name, resident.id_number, resident.phone) if resident
        else request_materials.masked_name(body.name_masked),
        materials=request_materials.encode(body.materials), rating_token=body.rating_token,
        state=State.WAITING, created_at=created_at, received_at=now, updated_at=now,
        escalation_level=0, version=1,
        escalate_at=created_at + timedelta(seconds=site["escalate_after_s"]),
        escalate_up_at=created_at + timedelta(seconds=site["escalate_up_after_s"]),
    )


def new_row(kiosk: Principal, values: dict[str, Any]) -> dict[str, Any]:
    """A request just stored, as :func:`store.get_request` would read it back."""
    return values | {"helper_name": None, "kiosk_location": kiosk.location, "claimed_by": None,
                     "claimed_at": None, "arrived_at": None, "closed_at": None, "outcome": None,
                     "cancel_reason": None, "case_id": None, "escalated_to": None}


def kiosk_view(row: Mapping[str, Any], site: Mapping[str, Any], position: int | None) -> dict:
    """A kiosk's view of its request (``position``: 1 + those served before it, when waiting)."""
    view: dict[str, Any] = {"id": row["id"], "state": row["state"], "position": None,
                            "expected_wait_s": None, "helper_display": None}
    if row["state"] == State.WAITING:
        view["position"] = position
        view["expected_wait_s"] = position * site["expected_claim_s"]
    elif row["state"] in ACTIVE_STATES and row["helper_name"]:
        view["helper_display"] = tr("queue.helper_display", name=mask_name(row["helper_name"]))
    return view


def refusal(row: Mapping[str, Any], action: str) -> Conflict:
    """Why ``action`` cannot be applied to the request as it is (``row``)."""
    if action == Action.CLAIM and row["state"] in ACTIVE_STATES:
        return Conflict("taken", state=row["state"], helper=row["helper_name"] or "?")
    return Conflict("wrong_state", state=row["state"], action=action)


class PgWrites:
    """``site(code)`` is the service's site lookup (reads the row when this process has not yet), ``sites``
    its cache of the rows read (what the event loop may use without a thread)."""

    def __init__(self, db: Database, box: IdentityBox, clock: Callable[[], datetime], publisher,
                 site: Callable[[str], Mapping[str, Any]], sites: Mapping[str, Mapping[str, Any]]):
        self.db, self.box, self.clock, self.publisher = db, box, clock, publisher
        self._site, self._sites = site, sites
        self.pool = AsyncPool(db.conninfo())  # the event loop's connections
        db.on_dispose(self.pool.close_now)  # (also when the app was never shut down: a test's client)

    # ---- from a service thread ---------------------------------------------------------------------
    def create(self, kiosk: Principal, body) -> dict | None:
        """The caller has checked the kiosk (:func:`check_kiosk`)."""
        site, now = self._site(kiosk.site_code), self.clock()
        prepared = self.create_args(kiosk, body, now, site)
        if prepared is None:
            return None
        with self.db.raw_pg() as raw:
            result = pg_write.call(raw, pg_write.CREATE_COMMIT, prepared[1])
        self.db.flusher.wait()  # the threads' group flush (kiosk.queue.pg_flush): on disk before any answer
        return self.created(kiosk, body, site, prepared[0], result)

    def claim(self, user: Principal, request_id: str) -> dict | None:
        now = self.clock()
        args = self.claim_args(user, request_id, now)
        with self.db.raw_pg() as raw:
            result = pg_write.call(raw, pg_write.CLAIM_COMMIT, args)
        self.db.flusher.wait()
        return self.claimed(user, request_id, now, result)

    # ---- from the event loop -----------------------------------------------------------------------
    async def create_async(self, kiosk: Principal, body) -> dict | None:
        check_kiosk(kiosk, body)
        site = self._sites.get(kiosk.site_code)
        if site is None:
            return None
        prepared = self.create_args(kiosk, body, self.clock(), site)
        if prepared is None:
            return None
        result = await self.pool.call(pg_write.CREATE_COMMIT, prepared[1])
        return self.created(kiosk, body, site, prepared[0], result)

    async def claim_async(self, user: Principal, request_id: str) -> dict | None:
        now = self.clock()
        args = self.claim_args(user, request_id, now)
        return self.claimed(user, request_id, now, await self.pool.call(pg_write.CLAIM_COMMIT, args))

    async def aclose(self) -> None:
        """Closes the event loop's connections (the app's shutdown)."""
        await self.pool.close()

    # ---- the function's parameters and answers ---------------------------------------------------------
    def create_args(self, kiosk: Principal, body, now: datetime, site) -> tuple[list[dict], tuple] | None:
        """The events to publish and ``kq_create_request``'s parameters; None: not for this path."""
        values = request_values(self.box, body, now, site)
        row = new_row(kiosk, values)
        pending = [dict(type="request.created", actor=kiosk.actor, at=now, site_code=values["site_code"],
                        escalated_to=None, request_id=body.id, data={"request": store.staff_view(row, now)})]
        payload = pg_append.payload(pending)
        if payload is None:
            return None
        return pending, pg_write.create_args(values, payload)

    def created(self, kiosk: Principal, body, site, pending: list[dict], result: dict) -> dict:
        if result["created"]:
            for event, stored in zip(pending, result["events"], strict=True):
                event["id"] = int(stored[0])
            self.publisher.after_commit(pending)
            view = kiosk_view({"id": body.id, "state": "waiting"}, site, result["position"])
            return {**view, "created": True}
        row = result["row"]
        if row["kiosk_id"] != kiosk.kiosk_id:
            raise Conflict("id_taken", id=body.id)
        check_request(row, body, self.box, MAX_CLOCK_SKEW)  # other body: 409
        return {**kiosk_view(row, site, result["position"]), "created": False}

    @staticmethod
    def claim_args(user: Principal, request_id: str, now: datetime) -> tuple:
        require_user(user)
        try:
            canonical = str(uuid.UUID(request_id))  # ``{ABC…}`` or upper case: the same request
        except ValueError:
            canonical = request_id  # (finds nothing: NotFound once on duty is checked, as the general path)
        return pg_write.claim_args(canonical, user, user.visible, now)

    def claimed(self, user: Principal, request_id: str, now: datetime, result: dict) -> dict | None:
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
            raise refusal(row, Action.CLAIM)
        row["helper_name"] = user.display_name
        event = dict(id=int(result["events"][0][0]), type="request.claimed", actor=user.actor, at=now,
                     site_code=row["site_code"], escalated_to=row["escalated_to"], request_id=row["id"])
        self.publisher.after_commit([event])
        return store.staff_view(row, now)
