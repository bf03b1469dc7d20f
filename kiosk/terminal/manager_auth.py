"""The hall manager's PIN check: argon2 against ``config.manager.pin_hash``, with lock-out.

:class:`ManagerAuth` is plain Python (no Kivy). ``check(pin)`` returns an :class:`AuthResult`; after
``max_attempts`` wrong PINs in a row it refuses every PIN, right or wrong, for ``lockout_s`` seconds.
When a ``state_file`` is given the failure count and lock-out survive a restart (pulling the plug does
not reset the lock-out). No PIN configured means manager mode is closed: every check fails with
``reason == "no_pin"``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthResult:
    """``ok``: the PIN was right. ``reason``: ``ok``, ``wrong``, ``locked``, ``no_pin`` or ``bad_input``.

    ``attempts_left``: wrong PINs still allowed before the lock-out; ``locked_for_s``: seconds until a PIN
    is accepted again (0 when not locked).
    """

    ok: bool
    reason: str
    attempts_left: int
    locked_for_s: float = 0.0


class ManagerAuth:
    """Checks manager PINs; thread-safe enough for one UI thread (no concurrent checks expected)."""

    def __init__(self, pin_hash: str | None, max_attempts: int = 5, lockout_s: float = 300,
                 state_file: str | Path | None = None, now: Callable[[], float] = time.time):
        self.pin_hash = pin_hash
        self.max_attempts = max_attempts
        self.lockout_s = lockout_s
        self._now = now
        self._state_file = Path(state_file) if state_file else None
        self._failures = 0
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

    def check(self, pin: str) -> AuthResult:
        """Verifies ``pin``. Never raises; a wrong PIN counts toward the lock-out, a locked check does not."""
        if not self.pin_hash:
            return AuthResult(False, "no_pin", 0)
        locked = self.locked_for()
        if locked > 0:
            return AuthResult(False, "locked", 0, locked)
        if self._locked_until:  # a past lock-out has run out: start counting afresh
            self._failures, self._locked_until = 0, 0.0
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            return AuthResult(False, "bad_input", self.attempts_left())
        if self._verify(pin):
            self._failures, self._locked_until = 0, 0.0
            self._save()
            return AuthResult(True, "ok", self.max_attempts)
        self._failures += 1
        log.warning("manager PIN: wrong attempt %d of %d", self._failures, self.max_attempts)
        if self._failures >= self.max_attempts:
            self._locked_until = self._now() + self.lockout_s
            self._save()
            return AuthResult(False, "locked", 0, float(self.lockout_s))
        self._save()
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
        if not self._state_file or not self._state_file.is_file():
            return
        try:
            data = json.loads(self._state_file.read_text(encoding="utf-8"))
            self._failures = int(data.get("failures", 0))
            self._locked_until = float(data.get("locked_until", 0.0))
        except (OSError, ValueError, TypeError) as err:
            log.warning("manager lock-out state %s unreadable (%s); starting afresh", self._state_file, err)

    def _save(self) -> None:
        if not self._state_file:
            return
        try:
            self._state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"failures": self._failures, "locked_until": self._locked_until}))
            os.replace(tmp, self._state_file)
        except OSError as err:
            log.warning("cannot keep the manager lock-out state in %s: %s", self._state_file, err)
