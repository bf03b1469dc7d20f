"""Ticket numbers: unique per site and day, also when the kiosk is offline.

The rule (no network needed, so two kiosks of one site never collide):

- **Prefix = the kiosk's number within its site**, taken from the trailing digits of ``kiosk_id``
  (``zd-qj-01`` → 1, ``zd-qj-12`` → 12) and written as letters without the look-alikes I and O:
  1 → ``A``, 2 → ``B`` … 24 → ``Z``, 25 → ``AA`` … Each kiosk of a site must therefore end its
  ``kiosk_id`` in a different number (the hall numbers its machines 01, 02, …). A ``kiosk_id`` with no
  trailing number, or ending in 0, is refused with :class:`TicketPrefixError` saying so.
- **Number = prefix + daily counter**, at least three digits: ``A001``, ``A002`` … ``A999``, ``A1000``.
- **The counter is durable**: one row per (local day, prefix) in ``tickets.sqlite3`` in the state
  directory, incremented in an ``IMMEDIATE`` transaction with ``synchronous=FULL``, so a restart or a
  power cut never hands out a number twice, and two processes sharing the file never collide.
- **The day is the local day in Asia/Shanghai** (UTC+8, no daylight saving): the counter restarts at
  001 at local midnight. The clock is injectable for tests.
- ``Ticket.ticket_id`` (``<site code>-<YYYYMMDD>-<number>``) is unique across sites and days; it goes in
  the ticket's QR code and the help request.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.hall_time import HALL_TZ
from kiosk.sqlite_files import open_sqlite

LOCAL_TZ = HALL_TZ  # the ticket counter's day is the hall's (kiosk/hall_time.py)

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # 24 letters: no I, no O
DB_NAME = "tickets.sqlite3"


class TicketPrefixError(ValueError):
    """The kiosk id gives no usable ticket prefix."""


def letters_for(n: int) -> str:
    """1 → A … 24 → Z, 25 → AA … (bijective base 24 over :data:`_LETTERS`)."""
    if n < 1:
        raise ValueError(f"kiosk number {n} must be 1 or more")
    out = ""
    while n:
        n, r = divmod(n - 1, len(_LETTERS))
        out = _LETTERS[r] + out
    return out


def prefix_for_kiosk(kiosk_id: str) -> str:
    """The ticket prefix of ``kiosk_id`` by the rule in the module docstring."""
    m = re.search(r"(\d+)$", kiosk_id)
    if not m or int(m.group(1)) == 0:
        raise TicketPrefixError(
            f"kiosk_id '{kiosk_id}' must end in the machine's number within its site (1, 2, …), "
            "e.g. zd-qj-01; tickets use it so two kiosks of one site never give the same number")
    return letters_for(int(m.group(1)))


@dataclass(frozen=True)
class Ticket:
    """One issued ticket. ``number`` is what the resident sees (``A037``)."""

    number: str
    seq: int
    day: date
    site_code: str
    kiosk_id: str
    issued_at: datetime  # aware, local time

    @property
    def ticket_id(self) -> str:
        return f"{self.site_code}-{self.day:%Y%m%d}-{self.number}"


class TicketIssuer:
    """Hands out ticket numbers for one kiosk. Thread-safe; several processes may share the file.

    ``clock`` returns seconds since the epoch (default :func:`time.time`).
    """

    def __init__(self, state_dir: str | Path, site_code: str, kiosk_id: str, *,
                 prefix: str | None = None, clock: Callable[[], float] = time.time):
        self.site_code, self.kiosk_id = site_code, kiosk_id
        self.prefix = prefix or prefix_for_kiosk(kiosk_id)
        if not re.fullmatch(r"[A-Z]{1,3}", self.prefix):
            raise TicketPrefixError(f"ticket prefix '{self.prefix}' must be 1-3 capital letters")
        self._clock = clock
        self._lock = threading.Lock()
        folder = Path(state_dir)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / DB_NAME
        self._db = open_sqlite(self.path, setup=lambda db: db.execute(
            "CREATE TABLE IF NOT EXISTS counters (day TEXT NOT NULL, prefix TEXT NOT NULL, "
            "last INTEGER NOT NULL, PRIMARY KEY (day, prefix))"))

    @classmethod
    def from_config(cls, config, **kwargs) -> TicketIssuer:  # config: kiosk.config.settings.KioskConfig
        return cls(config.state_dir, config.site.code, config.kiosk_id, **kwargs)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), LOCAL_TZ)

    def issue(self) -> Ticket:
        """The next ticket of today (local day); durable before it returns."""
        now = self.now()
        day = now.date()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO counters(day, prefix, last) VALUES (?, ?, 0) "
                                 "ON CONFLICT(day, prefix) DO NOTHING", (day.isoformat(), self.prefix))
                (seq,) = self._db.execute(
                    "UPDATE counters SET last = last + 1 WHERE day = ? AND prefix = ? RETURNING last",
                    (day.isoformat(), self.prefix)).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return Ticket(f"{self.prefix}{seq:03d}", seq, day, self.site_code, self.kiosk_id, now)

    __call__ = issue

    def issued_today(self) -> int:
        day = self.now().date().isoformat()
        with self._lock:
            row = self._db.execute("SELECT last FROM counters WHERE day = ? AND prefix = ?",
                                   (day, self.prefix)).fetchone()
        return row[0] if row else 0

    def prune(self, keep_days: int = 31) -> int:
        """Drops counters older than ``keep_days``; returns how many rows went."""
        cutoff = (self.now().date() - timedelta(days=keep_days)).isoformat()
        with self._lock:
            return self._db.execute("DELETE FROM counters WHERE day < ?", (cutoff,)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()
