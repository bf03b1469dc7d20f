"""The open event streams of one server process, kept alive and checked together (not one by one).

Contract
- Each stream registers its session token's hash (:meth:`StreamKeeper.add`). Every ``recheck_s`` one
  query per 500 open sessions finds those that ended (logged out, reset, expired, account disabled):
  their streams are closed. One query for a thousand consoles, not a thousand lookups.
- Every ``min(ping_s, recheck_s, 5 s) / 2`` every stream is woken once; one that wrote nothing for its
  keep-alive interval (``ping_s``, or the console's shorter beat) sends its keep-alive. Streams
  themselves hold no timers.
- Caps: at most :data:`MAX_PER_SESSION` open streams per session and :data:`MAX_PER_USER` per user
  (:meth:`reserve` / :meth:`release`, counted from the moment the route accepts a stream, so a burst of
  opens cannot slip past): a console opens one, a few tabs a few; a stolen session or a runaway script
  could otherwise hold every connection the server has and shut the other consoles out.
- Runs on the event loop; the query goes through ``run`` (inline on SQLite, a worker thread on
  PostgreSQL). A failed check (the database away) closes nothing and is tried again next time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select

from kiosk.queue.db import Database
from kiosk.queue.fanout import Subscriber
from kiosk.queue.models import sessions, users
from kiosk.queue.reads import PAYER

log = logging.getLogger(__name__)
_CHUNK = 500
MAX_PER_SESSION, MAX_PER_USER = 8, 24
BEAT_S = 5.0  # the shortest keep-alive a stream asks for (the console's watchdog beat, api_staff.BEAT_S)


class StreamKeeper:
    def __init__(self, db: Database, clock: Callable, run: Callable, *, ping_s: float = 15.0, recheck_s: float = 5.0):
        self.db, self.clock, self.run = db, clock, run
        self.ping_s, self.recheck_s = ping_s, recheck_s
        self.streams: dict[str, set[Subscriber]] = {}
        self.checks = self.closed = 0
        self._task: asyncio.Task | None = None
        self._held: Counter[object] = Counter()  # open streams by ("s", token hash) and ("u", user id)

    def reserve(self, token_hash: str, user_id: int) -> bool:
        """Takes a stream's place for this session and user; False when either is at its cap."""
        keys = (("s", token_hash), ("u", user_id))
        if self._held[keys[0]] >= MAX_PER_SESSION or self._held[keys[1]] >= MAX_PER_USER:
            return False
        self._held.update(keys)
        return True

    def release(self, token_hash: str, user_id: int) -> None:
        for key in (("s", token_hash), ("u", user_id)):
            self._held[key] -= 1
            if self._held[key] <= 0:
                del self._held[key]

    def add(self, token_hash: str, sub: Subscriber) -> None:
        self.streams.setdefault(token_hash, set()).add(sub)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._keep())

    def remove(self, token_hash: str, sub: Subscriber) -> None:
        subs = self.streams.get(token_hash)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self.streams[token_hash]

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def ended(self, hashes: list[str]) -> set[str]:
        """Which of these session token hashes no longer stand for a valid session."""
        now, valid = self.clock(), set()
        with self.db.read() as conn:
            for i in range(0, len(hashes), _CHUNK):
                valid.update(conn.execute(
                    select(sessions.c.token_hash).join(users, users.c.id == sessions.c.user_id).where(
                        sessions.c.token_hash.in_(hashes[i : i + _CHUNK]), users.c.active,
                        sessions.c.expires_at > now)).scalars())
        return set(hashes) - valid

    async def check(self) -> None:
        hashes = list(self.streams)
        if not hashes:
            return
        try:
            gone = await self.run(self.ended, hashes)
        except Exception as exc:  # noqa: BLE001 - the database away: keep the streams, try again
            log.warning("could not re-check the event streams' sessions (%s)", exc)
            return
        self.checks += 1
        for token_hash in gone:
            for sub in list(self.streams.get(token_hash, ())):
                sub.close()
                self.closed += 1

    async def _keep(self) -> None:
        PAYER.set(None)  # (started by a stream's read: its checks are for all streams, charged to none)
        tick = min(self.ping_s, self.recheck_s, BEAT_S) / 2
        checked = time.monotonic()
        while self.streams:
            await asyncio.sleep(tick)
            if time.monotonic() - checked >= self.recheck_s:
                await self.check()
                checked = time.monotonic()
            for subs in list(self.streams.values()):
                for sub in subs:
                    sub.wake.set()  # a ping if it has been quiet
