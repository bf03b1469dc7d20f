"""The hall manager's PIN check: argon2 against ``config.manager.pin_hash``, with growing lock-outs.

:class:`ManagerAuth` is plain Python (no Kivy). ``check(pin)`` returns an :class:`AuthResult`.

- A PIN is 6 to 12 digits (:data:`PIN_DIGITS`); anything else is ``bad_input`` and does not count.
- Every attempt is counted *before* the PIN is verified, in the state file (atomic write, fsynced): pulling
  the plug during the check does not undo the attempt.
- After ``max_attempts`` wrong PINs in a row every PIN, right or wrong, is refused for a lock-out period
  that doubles with each lock-out in a row (``lockout_s``, 2×, 4× … at most :data:`MAX_LOCKOUT_S`); only a
  right PIN resets the count of lock-outs.
- Fail closed: a state file that cannot be read or parsed starts a lock-out (and is rewritten); when the
  attempt cannot be recorded (read-only disk, wrong owner) the check answers ``unavailable`` without
  looking at the PIN. Without a ``state_file`` the counts live in memory only (tests, tools).
- No PIN configured means manager mode is closed: every check fails with ``reason == "no_pin"``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.durable import atomic_write

log = logging.getLogger(__name__)
PIN_DIGITS = (6, 12)
MAX_LOCKOUT_S = 86_400.0


def pin_problem(pin: str) -> str | None:
    """None when ``pin`` has the shape of a manager PIN, else what is wrong (English, for the CLI)."""
    low, high = PIN_DIGITS
    if not (pin.isdigit() and low <= len(pin) <= high):
        return f"a manager PIN is {low} to {high} digits"
    if len(set(pin)) == 1 or pin in "01234567890" or pin in "09876543210":
        return "a manager PIN must not be one digit repeated or a run like 123456"
    return None


@dataclass(frozen=True)
class AuthResult:
    """``ok``: the PIN was right. ``reason``: ``ok``, ``wrong``, ``locked``, ``no_pin``, ``bad_input`` or
    ``unavailable`` (the attempt could not be recorded, so no PIN is checked).

    ``attempts_left``: wrong PINs still allowed before the lock-out; ``locked_for_s``: seconds until a PIN
    is accepted again (0 when not locked).
    """

    ok: bool
    reason: str
    attempts_left: int
    locked_for_s: float = 0.0


class ManagerAuth:
    """Checks manager PINs; meant for one UI thread (no concurrent checks)."""

    def __init__(self, pin_hash: str | None, max_attempts: int = 5, lockout_s: float = 300,
                 state_file: str | Path | None = None, now: Callable[[], float] = time.time):
        self.pin_hash = pin_hash
        self.max_attempts = max_attempts
        self.lockout_s = float(lockout_s)
        self._now = now
        self._state_file = Path(state_file) if state_file else None
        self._failures = 0
        self._lockouts = 0
        self._locked_until = 0.0
        self._load()

    @classmethod
    def from_config(cls, manager_cfg, state_dir: str | Path | None = None) -> ManagerAuth:
        """From a ``ManagerConfig``; the lock-out state is kept in ``state_dir/manager_auth.json``."""
        state = Path(state_dir) / "manager_auth.json" if state_dir else None
        return cls(manager_cfg.pin_hash, manager_cfg.max_attempts, manager_cfg.lockout_s, state)

    @property
    def configured(self) -> bool:
        return bool(self.pin_hash)

    def locked_for(self) -> float:
        """Seconds left in the current lock-out (0 when not locked)."""
        return max(0.0, self._locked_until - self._now())

    def attempts_left(self) -> int:
        return max(0, self.max_attempts - self._failures)

    def lockout_period(self, n: int) -> float:
        """How long the ``n``-th lock-out in a row lasts (n >= 1)."""
        return min(self.lockout_s * 2 ** min(max(n, 1) - 1, 20), max(self.lockout_s, MAX_LOCKOUT_S))

    def check(self, pin: str) -> AuthResult:
        """Verifies ``pin``. Never raises; see the module docstring for what counts and what is refused."""
        if not self.pin_hash:
            return AuthResult(False, "no_pin", 0)
        locked = self.locked_for()
        if locked > 0:
            return AuthResult(False, "locked", 0, locked)
        low, high = PIN_DIGITS
        if not (pin.isdigit() and low <= len(pin) <= high):
            return AuthResult(False, "bad_input", self.attempts_left())
        self._failures += 1  # counted before the check: a power cut now still counts the attempt
        if not self._save():
            self._failures -= 1
            return AuthResult(False, "unavailable", 0)
        if self._verify(pin):
            self._failures, self._lockouts, self._locked_until = 0, 0, 0.0
            self._save()
            return AuthResult(True, "ok", self.max_attempts)
        log.warning("manager PIN: wrong attempt %d of %d", self._failures, self.max_attempts)
        if self._failures >= self.max_attempts:
            self._lockouts += 1
            period = self.lockout_period(self._lockouts)
            self._failures, self._locked_until = 0, self._now() + period
            self._save()
            log.warning("manager PIN: lock-out %d for %.0f s", self._lockouts, period)
            return AuthResult(False, "locked", 0, period)
        return AuthResult(False, "wrong", self.attempts_left())

    def _verify(self, pin: str) -> bool:
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return PasswordHasher().verify(self.pin_hash, pin)
        except (VerifyMismatchError, VerificationError):
            return False
        except InvalidHashError:
            log.error("manager.pin_hash is not a valid argon2 hash; re-create it with `kiosk config hash-pin`")
            return False

    def _load(self) -> None:
        if not self._state_file:
            return
        try:
            text = self._state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as err:
            self._fail_closed(f"unreadable ({err.strerror or err})")
            return
        try:
            data = json.loads(text)
            failures, lockouts = int(data["failures"]), int(data.get("lockouts", 0))
            until = float(data["locked_until"])
            if not (0 <= failures <= 1000 and 0 <= lockouts <= 1000 and until >= 0 and until == until):
                raise ValueError("values out of range")
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            self._fail_closed(f"corrupt ({err.__class__.__name__})")
            return
        self._failures, self._lockouts, self._locked_until = failures, lockouts, until
        # a lock-out longer than any this config can give means the clock went back or the file was edited
        if self._locked_until - self._now() > self.lockout_period(self._lockouts + 1):
            self._locked_until = self._now() + self.lockout_period(max(self._lockouts, 1))

    def _fail_closed(self, why: str) -> None:
        self._lockouts = max(self._lockouts, 1)
        self._failures, self._locked_until = 0, self._now() + self.lockout_period(self._lockouts)
        log.error("manager lock-out state %s is %s: manager mode locked for %.0f s (fail closed)",
                  self._state_file, why, self.locked_for())
        self._save()

    def _save(self) -> bool:
        """Writes the counts (0600, atomic, fsynced); False when they could not be written."""
        if not self._state_file:
            return True
        state = {"failures": self._failures, "lockouts": self._lockouts, "locked_until": self._locked_until}
        try:
            self._state_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write(self._state_file, json.dumps(state), mode=0o600)
            return True
        except OSError as err:
            log.error("cannot record manager PIN attempts in %s (%s): manager mode refused until it can",
                      self._state_file, err.strerror or err)
            return False
