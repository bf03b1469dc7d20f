"""Login throttling and the bounded pool that runs password checks.

Contract
- :class:`LoginThrottle` slows password guessing down without ever locking an account: it counts wrong
  passwords by *(account, client address)*, by *address* (any accounts) and by *account* (any
  addresses). Past each key's free allowance every further failure doubles the wait before the next try
  from there is looked at (1 s, 2 s, 4 s … up to 15 min); a wait that is not over answers 429
  ``login_throttled`` with ``Retry-After``, before any password check, and is itself held back up to
  :data:`TARPIT_S` (so hammering gains nothing). Waits are keyed by the name as
  typed, so an unknown name and a real account answer exactly alike; the 429 does not count as a try.
  Failures are forgotten an hour after the last one; a right password clears its pair and its account.
  At most ``max_keys`` counts are kept; when full, the least recently failed key *not under a penalty*
  goes first (:meth:`LoginThrottle._evict`): plain LRU let a flood of fresh names push an account's 50
  failures out, and the guessing of that account started afresh.
- A browser that logged in before holds a *device cookie* (``kq_device``: the account name, when, a
  nonce, signed with a key derived from the server's identity key). For that account it is judged by its
  own failures only, so an attacker exhausting an address or an account never locks the helper's own
  phone out, even on the same network.
- Tries are counted when they start (a burst of parallel guesses is held as a sequence would be).
- :class:`PasswordChecks` runs password checks (argon2id: ~19 MiB and ~0.1 s each) on a few threads of its
  own; at most ``queue`` more wait, further ones are refused at once (:class:`Busy`, 503 ``login_busy``).
  The threads run at a lower CPU priority (nice +10, Linux schedules threads one by one). A login storm
  so costs bounded memory and only CPU the event loop leaves over; kiosks keep being served.

State is per server process (with ``--workers N`` each process keeps its own counts).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import math
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from kiosk.queue.connguard import address_key
from kiosk.queue.errors import QueueError, _kind

Throttled = _kind("Throttled", 429, "Too many wrong passwords from here: ``extra['retry_after']`` seconds to wait.")
Busy = _kind("Busy", 503, "Too many password checks at once; retry in a moment.")
TARPIT_S = 2.0  # a 429 / 503 to a login is held this long at most (cheap: a sleeping task), so a guesser
# re-trying at once still makes about one try per connection every two seconds
DEVICE_COOKIE = "kq_device"
DEVICE_DAYS = 90


@dataclass
class Policy:
    pair_free: int = 5  # wrong passwords for one account from one address before waits begin
    address_free: int = 20  # from one address, any accounts
    account_free: int = 50  # for one account, from any addresses (distributed guessing)
    device_free: int = 5  # from a trusted device cookie, for its account
    first_wait_s: float = 1.0
    max_wait_s: float = 900.0
    forget_s: float = 3600.0
    max_keys: int = 100_000  # memory bound: the least recently failed keys not under a penalty are dropped first
    evict_scan: int = 64  # keys under a penalty passed over per eviction (then the oldest goes anyway)


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0
    until: float = 0.0  # no try looked at before this moment
    free: int = 0  # the key's allowance: at ``free`` failures or more it is under a penalty


class LoginThrottle:
    """See the module docstring. ``clock`` is monotonic seconds (injected in tests)."""

    def __init__(self, secret: bytes, policy: Policy | None = None, clock: Callable[[], float] = time.monotonic):
        self.policy, self.clock = policy or Policy(), clock
        self._secret = hmac.new(secret, b"kiosk-queue device cookie", hashlib.sha256).digest()
        self._counts: OrderedDict[str, _Count] = OrderedDict()
        self._lock = threading.Lock()

    # ---- device cookies ----------------------------------------------------------------------------
    def device_cookie(self, username: str, now_s: float | None = None) -> str:
        """A signed cookie value naming ``username``'s trusted device."""
        issued = int(now_s if now_s is not None else time.time())
        payload = f"{username.lower()}|{issued}|{secrets.token_urlsafe(12)}"
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=") + "." + self._sign(payload)

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()[:32]

    def device_of(self, cookie: str | None, username: str) -> str | None:
        """The device's nonce when ``cookie`` is a valid, current device cookie for ``username``."""
        if not cookie or len(cookie) > 300 or "." not in cookie:
            return None
        encoded, _, signature = cookie.rpartition(".")
        try:
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            name, issued, nonce = payload.split("|")
            fresh = time.time() - int(issued) < DEVICE_DAYS * 86400
        except (ValueError, UnicodeDecodeError):
            return None
        if hmac.compare_digest(self._sign(payload), signature) and fresh and name == username.lower():
            return nonce
        return None

    # ---- counting ----------------------------------------------------------------------------------
    def _keys(self, username: str, address: str, device: str | None) -> list[tuple[str, int]]:
        name, p, address = username.lower(), self.policy, address_key(address)  # IPv6: the client's /64
        if device is not None:
            return [(f"dev|{device}", p.device_free)]
        return [(f"pair|{name}|{address}", p.pair_free), (f"addr|{address}", p.address_free),
                (f"acct|{name}", p.account_free)]

    def _get(self, key: str, now: float) -> _Count:
        count = self._counts.get(key)
        if count is None or now - count.last > self.policy.forget_s:
            count = _Count()
        return count

    def begin(self, username: str, address: str, device: str | None = None) -> None:
        """Checks the waits and counts this try as a failure until :meth:`succeeded` says otherwise.
        Raises :class:`Throttled` (seconds to wait in ``retry_after``) without counting it."""
        now, p = self.clock(), self.policy
        keys = self._keys(username, address, device)
        with self._lock:
            wait = max(self._get(key, now).until - now for key, _ in keys)
            if wait > 0:
                raise Throttled("login_throttled", retry_after=max(1, math.ceil(wait)))
            for key, free in keys:
                count = self._get(key, now)
                count.failures += 1
                count.last, count.free = now, free
                if count.failures >= free:
                    count.until = now + min(p.first_wait_s * 2 ** (count.failures - free), p.max_wait_s)
                self._counts[key] = count
                self._counts.move_to_end(key)
            while len(self._counts) > p.max_keys:
                self._evict(now)

    def _evict(self, now: float) -> None:
        """Drops the least recently failed key that is not under a penalty (fewer failures than its
        allowance, or forgotten); keys under one that it passes go to the back, so each is passed over once
        per round. After ``evict_scan`` of them the oldest goes anyway (a table full of penalties)."""
        for _ in range(self.policy.evict_scan):
            key, count = next(iter(self._counts.items()))
            if count.failures < count.free or now - count.last > self.policy.forget_s:
                break
            self._counts.move_to_end(key)
        else:
            key = next(iter(self._counts))
        del self._counts[key]

    def succeeded(self, username: str, address: str, device: str | None = None) -> None:
        """The password was right: its pair (or device) and its account start afresh."""
        name, address = username.lower(), address_key(address)
        with self._lock:
            for key in (f"pair|{name}|{address}", f"acct|{name}", f"dev|{device}"):
                self._counts.pop(key, None)
            addr = self._counts.get(f"addr|{address}") if device is None else None
            if addr is not None and addr.failures > 0:  # this try was counted against the address too
                addr.failures -= 1
                if addr.failures < self.policy.address_free:
                    addr.until = 0.0


def _lower_priority(nice: int) -> None:
    """Linux schedules threads one by one: the password-check threads yield the CPU to the event loop."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class PasswordChecks:
    """Runs password checks on ``threads`` threads with at most ``queue`` waiting (see module docstring)."""

    def __init__(self, threads: int = 1, queue: int = 32, nice: int = 10):
        self.threads, self.queue, self.nice = threads, queue, nice
        self._pool: ThreadPoolExecutor | None = None  # started on the first check, again after close()
        self._admitted = 0

    async def run(self, fn: Callable, *args):
        """``fn(*args)`` on the pool; raises :class:`Busy` when ``threads + queue`` are already admitted."""
        if self._admitted >= self.threads + self.queue:
            raise Busy("login_busy", retry_after=1)
        self._admitted += 1  # only touched on the event loop's thread
        try:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="password-check",
                                                initializer=_lower_priority, initargs=(self.nice,))
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        finally:
            self._admitted -= 1

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def retry_after_header(exc: QueueError) -> dict[str, str]:
    """``Retry-After`` for errors that carry ``retry_after`` (429 and 503 answers)."""
    seconds = exc.extra.get("retry_after")
    return {"Retry-After": str(seconds)} if seconds is not None else {}
