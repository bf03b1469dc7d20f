"""The help-request service: creation (idempotent), claims, transitions, identity, escalation, events.

Contract
- Every state change goes through :func:`kiosk.queue.states.next_state` and a conditional update, is
  stored with an event row (type, actor, time, the request's masked view) in the same transaction, and
  is published to live consoles after the commit (:mod:`kiosk.queue.txn`).
- :meth:`QueueService.create` is idempotent by the kiosk's id: a replay, also a concurrent one, returns
  the stored request with ``created=False`` and never stores a second one.
- Claims are exclusive: of racing claimers exactly one wins, the others get :class:`Conflict` ``taken``
  naming the winner. Wrong transitions raise :class:`Conflict` ``wrong_state`` with the current state.
- Staff see a request when its site, or the site it was escalated to, is among their visible sites;
  otherwise it does not exist for them (:class:`NotFound`). Identity only for the helper holding it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from kiosk.privacy import redact_text
from kiosk.queue import store
from kiosk.queue.auth import Principal, require_kiosk, require_user
from kiosk.queue.crypto import IdentityBox
from kiosk.queue.db import Database
from kiosk.queue.duty import require_on_duty
from kiosk.queue.errors import Conflict, Forbidden, NotFound
from kiosk.queue.escalate_due import escalate_due
from kiosk.queue.models import requests, sites
from kiosk.queue.notes import MAX_NOTE_CHARS, MAX_NOTES, lock_request, notes_of, room_for
from kiosk.queue.replay import check_note, check_request
from kiosk.queue.service_pg import (
    MAX_CLOCK_SKEW,
    PgWrites,
    check_kiosk,
    kiosk_view,
    new_row,
    refusal,
    request_values,
)
from kiosk.queue.states import (
    ACTIVE_STATES,
    CLOSED_STATES,
    Action,
    State,
    TransitionError,
    next_state,
)
from kiosk.queue.txn import PUSHED_TYPES, EventTx, Publisher  # noqa: F401 - re-exported (older imports)

PAST = {Action.CLAIM: "claimed", Action.ARRIVE: "arrived", Action.RESOLVE: "resolved",
        Action.CONVERT: "converted", Action.RELEASE: "released", Action.CANCEL: "cancelled"}


class QueueService(EventTx):
    def __init__(self, db: Database, box: IdentityBox, clock: Callable[[], datetime], publisher: Publisher):
        self.db, self.box, self.clock, self.publisher = db, box, clock, publisher
        self._sites: dict[str, RowMapping] = {}
        # PostgreSQL: creates and claims as one message each, from a thread or the event loop (kiosk.queue.hotpath)
        self.pg = PgWrites(db, box, clock, publisher, lambda code: self._site(None, code), self._sites) \
            if db.is_postgres else None

    @property
    def apool(self):
        """The event loop's PostgreSQL connections (:class:`kiosk.queue.pg_pool.AsyncPool`), None on SQLite."""
        return self.pg.pool if self.pg is not None else None

    async def aclose(self) -> None:
        """Closes the event loop's connections (the app's shutdown)."""
        if self.pg is not None:
            await self.pg.aclose()

    def _event(self, conn: Connection, pending: list[dict], type_: str, actor: str, request_id: str,
               now: datetime, row: dict | None = None, **extra: Any) -> RowMapping | dict:
        """Queues an event carrying the request's view (stored at the end of the transaction); ``row`` is
        the request as it now is when the caller knows it, else it is read back."""
        row = row if row is not None else store.get_request(conn, request_id)
        data = {"request": store.staff_view(row, now), **extra}
        pending.append(dict(type=type_, actor=actor, at=now, site_code=row["site_code"],
                            escalated_to=row["escalated_to"], request_id=request_id, data=data))
        return row

    def _site(self, conn: Connection, code: str) -> RowMapping:
        site = self._sites.get(code)
        if site is None:
            with self.db.read() as read:  # its own connection: also under a raw sqlite3 transaction
                site = read.execute(select(sites).where(sites.c.code == code)).mappings().first()
            if site is None:
                raise NotFound("site", site=code)
            self._sites[code] = site
        return site

    # ---- kiosks ------------------------------------------------------------------------------------
    def create(self, kiosk: Principal, body) -> dict:
        """Stores a new request (201-style ``created=True``) or returns the stored one (replay)."""
        check_kiosk(kiosk, body)
        if self.pg is not None and (view := self.pg.create(kiosk, body)) is not None:  # one message
            return view
        now = self.clock()
        with self._tx(raw=True) as (conn, pending):
            site = self._site(conn, kiosk.site_code)
            values = request_values(self.box, body, now, site)
            created = store.insert_ignore(conn, requests, values, "id")
            if created:
                self._event(conn, pending, "request.created", kiosk.actor, body.id, now, new_row(kiosk, values))
                row = values
            else:
                row = store.get_request(conn, body.id)
                if row["kiosk_id"] != kiosk.kiosk_id:
                    raise Conflict("id_taken", id=body.id)
                check_request(row, body, self.box, MAX_CLOCK_SKEW)  # same id, other body: 409 id_reused
            return {**self._kiosk_view(conn, row, site), "created": created}

    def _kiosk_view(self, conn: Connection, row: RowMapping, site: RowMapping | None = None) -> dict:
        site = site or self._site(conn, row["site_code"])
        position = store.queue_position(conn, row) if row["state"] == State.WAITING else None
        return kiosk_view(row, site, position)

    def _kiosk_row(self, conn: Connection, kiosk: Principal, request_id: str) -> RowMapping:
        require_kiosk(kiosk)
        row = store.get_request(conn, request_id)
        if row is None or row["kiosk_id"] != kiosk.kiosk_id:
            raise NotFound("request", id=request_id)
        return row

    def kiosk_get(self, kiosk: Principal, request_id: str) -> dict:
        with self.db.read() as conn:
            return self._kiosk_view(conn, self._kiosk_row(conn, kiosk, request_id))

    def kiosk_cancel(self, kiosk: Principal, request_id: str, reason: str) -> dict:
        """Cancels (resident left); a no-op answering the current view when already closed."""
        now = self.clock()
        with self._tx() as (conn, pending):
            row = self._kiosk_row(conn, kiosk, request_id)
            request_id = row["id"]  # canonical form
            if row["state"] not in CLOSED_STATES:
                values = dict(state=State.CANCELLED, cancel_reason=reason, closed_at=now, updated_at=now)
                if store.change_state(conn, request_id, [row["state"]], values):
                    row = self._event(conn, pending, "request.cancelled", kiosk.actor, request_id, now,
                                      reason=reason)
                else:  # a helper changed it at the same moment: answer what it is now
                    row = store.get_request(conn, request_id)
            return self._kiosk_view(conn, row)

    def add_note(self, kiosk: Principal, request_id: str, body) -> dict:
        """Stores a kiosk's note on its own request as a pushed ``request.note`` event (ID numbers masked),
        in any state. Idempotent by the note's id: a replay answers the stored note with ``created=False``.
        Another kiosk's or an unknown request: :class:`NotFound`; past :data:`MAX_NOTES` notes or
        :data:`MAX_NOTE_CHARS` characters: Conflict."""
        now = self.clock()
        with self._tx() as (conn, pending):
            row = self._kiosk_row(conn, kiosk, request_id)
            request_id = row["id"]  # canonical form
            if self.db.is_postgres:  # replays racing each other: one at a time per request
                lock_request(conn, request_id)
            notes = notes_of(conn, [request_id]).get(request_id, [])
            stored = next((n for n in notes if n["id"] == body.id), None)
            if stored is not None:
                check_note(stored, body)
                return {**stored, "request_id": request_id, "created": False}
            text = redact_text(body.text)
            if not room_for(notes, text):  # (the limit said: the notes it holds, or the count's)
                raise Conflict("too_many_notes", limit=len(notes) if len(notes) < MAX_NOTES else MAX_NOTES,
                               chars=MAX_NOTE_CHARS)
            at = max(min(body.created_at, now), now - MAX_CLOCK_SKEW)
            note = {"id": body.id, "text": text, "created_at": at.isoformat().replace("+00:00", "Z"),
                    "actor": kiosk.actor}
            self._event(conn, pending, "request.note", kiosk.actor, request_id, now, row, note=note)
            return {**note, "request_id": request_id, "created": True}

    # ---- staff ---------------------------------------------------------------------------------------
    def _staff_row(self, conn: Connection, user: Principal, request_id: str) -> RowMapping:
        require_user(user)
        row = store.get_request(conn, request_id)
        if row is None or not (row["site_code"] in user.visible or row["escalated_to"] in user.visible):
            raise NotFound("request", id=request_id)
        return row

    _conflict = staticmethod(refusal)  # (kiosk.queue.assign)

    def get(self, user: Principal, request_id: str) -> dict:
        with self.db.read() as conn:
            view = store.staff_view(self._staff_row(conn, user, request_id), self.clock())
            view["notes"] = notes_of(conn, [view["id"]]).get(view["id"], [])
            return view

    def list(self, user: Principal, **filters: Any) -> dict:
        require_user(user)
        with self.db.read() as conn:
            last = store.last_event_id(conn)
            rows = store.list_requests(conn, user.visible, **filters)
            notes = notes_of(conn, [r["id"] for r in rows]) if rows else {}
        now = self.clock()
        return {"items": [store.staff_view(r, now) | {"notes": notes.get(r["id"], [])} for r in rows],
                "last_event_id": last}

    def claim(self, user: Principal, request_id: str) -> dict:
        return self.act(user, request_id, Action.CLAIM)

    def claim_next(self, user: Principal, site_code: str | None = None) -> dict:
        """Claims the first waiting request (priority, then oldest) of ``site_code`` or of all visible sites."""
        require_on_duty(self.db, user)  # (a staff member's)
        scope = user.visible if site_code is None else ({site_code} & user.visible)
        if not scope:
            raise Forbidden("site", site=site_code)
        now = self.clock()
        for _ in range(10):
            with self._tx() as (conn, pending):
                request_id = store.next_waiting_id(conn, scope, lock=self.db.is_postgres)
                if request_id is None:
                    raise NotFound("queue_empty")
                values = dict(state=State.CLAIMED, claimed_by=user.user_id, claimed_at=now, updated_at=now)
                if store.change_state(conn, request_id, [State.WAITING], values):
                    row = self._event(conn, pending, "request.claimed", user.actor, request_id, now)
                    return store.staff_view(row, now)
        raise Conflict("busy")

    def act(self, user: Principal, request_id: str, action: str, **fields: Any) -> dict:
        """Applies a helper's ``action`` (claim/arrive/resolve/convert/release/cancel) to the request."""
        if action == Action.CLAIM and self.pg is not None and (view := self.pg.claim(user, request_id)) is not None:
            return view  # one message to PostgreSQL (kiosk.queue.service_pg)
        now = self.clock()
        in_tx = self.db.is_postgres  # (SQLite's hot path holds a plain sqlite3 connection: checked before)
        require_on_duty(self.db, user, when=action == Action.CLAIM and not in_tx)
        with self._tx(raw=True) as (conn, pending):
            require_on_duty(self.db, user, when=action == Action.CLAIM and in_tx, conn=conn)
            row = self._staff_row(conn, user, request_id)
            request_id = row["id"]  # canonical form
            try:
                target = next_state(request_id, row["state"], action)
            except TransitionError:
                raise self._conflict(row, action) from None
            holder = row["claimed_by"] if row["state"] in ACTIVE_STATES else None
            own = holder == user.user_id
            if holder is not None and not own and not (user.is_manager and action in (Action.RELEASE, Action.CANCEL)):
                raise Forbidden("not_yours", helper=row["helper_name"] or "?")
            values: dict[str, Any] = {"state": target, "updated_at": now}
            extra: dict[str, Any] = {}
            if action == Action.CLAIM:
                values.update(claimed_by=user.user_id, claimed_at=now)
            elif action == Action.ARRIVE:
                values["arrived_at"] = now
            elif action == Action.RESOLVE:
                values.update(outcome=fields["outcome"], closed_at=now)
            elif action == Action.CONVERT:
                values.update(case_id=fields["case_id"], closed_at=now)  # the case service's new case
            elif action == Action.RELEASE:
                values.update(claimed_by=None, claimed_at=None, arrived_at=None)
                extra = {"note": fields.get("note")}
            elif action == Action.CANCEL:
                values.update(cancel_reason=fields["reason"], closed_at=now)
                extra = {"reason": fields["reason"], "note": fields.get("note")}
            if not store.change_state(conn, request_id, [row["state"]], values, expect_helper=holder):
                raise self._conflict(store.get_request(conn, request_id), action)
            helper_name = {Action.CLAIM: user.display_name, Action.RELEASE: None}.get(action, row["helper_name"])
            row = {**row, **values, "version": row["version"] + 1, "helper_name": helper_name}
            self._event(conn, pending, f"request.{PAST[Action(action)]}", user.actor, request_id, now, row,
                        **{k: v for k, v in extra.items() if v})
            return store.staff_view(row, now)

    def identity(self, user: Principal, request_id: str) -> dict:
        """The resident's full name and ID number, only for the helper holding the request; audited."""
        now = self.clock()
        with self._tx() as (conn, _pending):
            row = self._staff_row(conn, user, request_id)
            if row["state"] not in ACTIVE_STATES or row["claimed_by"] != user.user_id:
                raise Forbidden("identity_claimer_only")
            identity = self.box.open(row["resident_enc"])
            if identity is None:
                raise NotFound("no_identity", id=request_id)
            store.add_event(conn, type_="request.identity_viewed", actor=user.actor, at=now,
                            site_code=row["site_code"], escalated_to=row["escalated_to"],
                            request_id=request_id, data={})
            return identity

    def catch_up(self, user: Principal, last_id: int, limit: int = 1000) -> tuple[list[dict], int | None]:
        """A stream's catch-up (:func:`kiosk.queue.store.catch_up`): its events, or the id to resync at."""
        with self.db.read() as conn:
            return store.catch_up(conn, last_id, user.visible, PUSHED_TYPES, limit)

    def escalate(self) -> int:
        """Flags waiting requests past their site's time and sends those waiting much longer to the parent
        site (:func:`kiosk.queue.escalate_due.escalate_due`). Returns how many moved."""
        return escalate_due(self)
