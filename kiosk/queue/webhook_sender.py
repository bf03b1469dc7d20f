"""Sends each site's webhooks in the background: never on a request's path, retried, rate-limited.

Contract
- A task on the server's event loop looks every ``tick_s`` (0.5 s) for events of :data:`TYPES` (a request
  waits, escalates; a case falls due or overdue) stored after each webhook's ``cursor``, of the webhook's
  site or escalated to it. It reads the events table, so nothing in the request path waits for it and it
  sees every process's events (PostgreSQL). Database work runs in worker threads; HTTP is async (httpx,
  5 s timeout, no redirects followed).
- Several processes: before sending, a process takes the webhook's lease (a conditional update,
  ``lease_s`` long), so one message is sent once.
- Several events waiting are one message (at most :data:`MAX_LINES` lines, the rest counted).
- Rate limit per webhook: a bucket of ``burst`` messages refilled at ``per_minute`` (企业微信 and 钉钉
  robots accept 20 a minute); events wait in the table meanwhile and go out together.
- A failure (connection, timeout, non-2xx, robot ``errcode`` ≠ 0) is counted and stored as the webhook's
  ``last_error`` (what managers see); the same events are retried after ``retry_s`` × 2^(n-1) (at most 5
  minutes); after ``max_attempts`` failures they are dropped (counted in ``dropped``) so one dead
  receiver never holds up what follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from starlette.concurrency import run_in_threadpool

from kiosk.queue import store
from kiosk.queue.crypto import IdentityBox
from kiosk.queue.db import Database
from kiosk.queue.models import events, sites, webhooks
from kiosk.queue.webhook_formats import MAX_LINES, TYPES, accepted, build, describe, text_of
from kiosk.queue.webhook_targets import resolved_problem
from kiosk.queue.webhooks import secret_of

log = logging.getLogger(__name__)
FETCH = 200  # events read per webhook and round


class Bucket:
    """A token bucket on the monotonic clock."""

    def __init__(self, burst: int, per_minute: float):
        self.capacity, self.rate = float(burst), per_minute / 60.0
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class WebhookSender:
    def __init__(self, db: Database, box: IdentityBox, clock: Callable[[], datetime], *, tick_s: float = 0.5,
                 retry_s: float = 2.0, max_attempts: int = 6, burst: int = 5, per_minute: float = 20,
                 timeout_s: float = 5.0, lease_s: float = 30.0):
        self.db, self.box, self.clock = db, box, clock
        self.tick_s, self.retry_s, self.max_attempts = tick_s, retry_s, max_attempts
        self.burst, self.per_minute, self.timeout_s, self.lease_s = burst, per_minute, timeout_s, lease_s
        self.owner = secrets.token_hex(8)
        self._buckets: dict[int, Bucket] = {}
        self._next_try: dict[int, float] = {}
        self._busy: set[int] = set()
        self._task: asyncio.Task | None = None
        self._client = None

    def start(self) -> None:
        import httpx

        self._client = httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="queue-webhooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        jobs: set[asyncio.Task] = set()
        while True:
            try:
                for job in await run_in_threadpool(self._pending):
                    self._busy.add(job["hook"]["id"])
                    task = asyncio.get_running_loop().create_task(self._deliver(job))
                    jobs.add(task)
                    task.add_done_callback(jobs.discard)
            except asyncio.CancelledError:
                for task in jobs:
                    task.cancel()
                raise
            except Exception:
                log.exception("webhooks: looking for events failed; retrying next tick")
            await asyncio.sleep(self.tick_s)

    # ---- database work (worker threads) --------------------------------------------------------------
    def _pending(self) -> list[dict]:
        """Each webhook with events to send now, its lease taken: ``{hook, events, sites}``."""
        now_m, wall = time.monotonic(), datetime.now(UTC)
        jobs = []
        with self.db.read() as conn:
            newest = store.last_event_id(conn)  # (final ids only: kiosk/queue/store.py below_horizon)
            hooks = conn.execute(select(webhooks).where(webhooks.c.cursor < newest)).mappings().all()
            if not hooks:
                return []
            names = dict(conn.execute(select(sites.c.code, sites.c.name)).all())
            for hook in hooks:
                if hook["id"] in self._busy or self._next_try.get(hook["id"], 0) > now_m:
                    continue
                site = hook["site_code"]
                rows = conn.execute(select(events.c.id, events.c.type, events.c.site_code, events.c.data).where(
                    events.c.id > hook["cursor"], events.c.id <= newest, events.c.type.in_(TYPES),
                    or_(events.c.site_code == site, events.c.escalated_to == site),
                ).order_by(events.c.id).limit(FETCH)).mappings().all()
                if not rows:
                    if newest - hook["cursor"] > 1000:  # nothing for this site in a long stretch: skip it
                        self._advance_idle(hook, newest)
                    continue
                bucket = self._buckets.setdefault(hook["id"], Bucket(self.burst, self.per_minute))
                if bucket.take() and self._lease(hook, wall):
                    jobs.append({"hook": dict(hook), "events": [dict(r) for r in rows], "sites": names})
        return jobs

    def _lease(self, hook, wall: datetime) -> bool:
        t = webhooks.c
        with self.db.write() as conn:
            return conn.execute(update(webhooks).where(
                t.id == hook["id"], t.cursor == hook["cursor"],
                or_(t.lease_owner.is_(None), t.lease_owner == self.owner, t.lease_until < wall),
            ).values(lease_owner=self.owner, lease_until=wall + timedelta(seconds=self.lease_s))).rowcount > 0

    def _advance_idle(self, hook, newest: int) -> None:
        with self.db.write() as conn:
            conn.execute(update(webhooks).where(webhooks.c.id == hook["id"], webhooks.c.cursor == hook["cursor"])
                         .values(cursor=newest))

    def _finish(self, hook: dict, last_id: int, count: int, error: str | None) -> None:
        now, t = self.clock(), webhooks.c
        mine = (t.id == hook["id"], t.lease_owner == self.owner)
        with self.db.write() as conn:
            if error is None:
                conn.execute(update(webhooks).where(*mine).values(
                    cursor=last_id, attempts=0, sent=t.sent + 1, last_ok_at=now, lease_until=None))
                self._next_try.pop(hook["id"], None)
                return
            attempts = hook["attempts"] + 1
            values = dict(failed=t.failed + 1, last_error=error[:300], last_error_at=now, lease_until=None)
            if attempts >= self.max_attempts:
                values.update(cursor=last_id, attempts=0, dropped=t.dropped + count)
                self._next_try.pop(hook["id"], None)
                log.warning("webhook %s: gave up %d event(s) after %d tries: %s", hook["id"], count, attempts, error)
            else:
                values["attempts"] = attempts
                self._next_try[hook["id"]] = time.monotonic() + min(self.retry_s * 2 ** (attempts - 1), 300.0)
                log.warning("webhook %s: try %d failed (%s); retrying", hook["id"], attempts, error)
            conn.execute(update(webhooks).where(*mine).values(**values))

    # ---- HTTP (the event loop) ----------------------------------------------------------------------
    async def _deliver(self, job: dict) -> None:
        hook, rows = job["hook"], job["events"]
        try:
            lines = [{**r, "line": describe(r, job["sites"])} for r in rows]
            shown = lines[:MAX_LINES]
            text = text_of([x["line"] for x in shown], len(lines) - len(shown))
            secret = secret_of(self.box, hook)
            url, body, headers = build(hook["kind"], hook["url"], secret, text, shown, datetime.now(UTC),
                                       hook["site_code"])
            error = None
            try:
                target = urllib.parse.urlsplit(url)  # a name pointing at the metadata service: not sent
                error = await resolved_problem(target.hostname or "", target.port or {"https": 443}.get(target.scheme, 80))
                if error is None:
                    answer = await self._client.post(url, content=body, headers=headers)
                    error = accepted(hook["kind"], answer.status_code, answer.content)
            except Exception as exc:  # noqa: BLE001 - any transport failure is this webhook's error
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
            await run_in_threadpool(self._finish, hook, rows[-1]["id"], len(rows), error)
        except Exception:
            log.exception("webhook %s: delivery failed", hook["id"])
        finally:
            self._busy.discard(hook["id"])
