"""The kiosk process's own protection of what residents leave behind (the systemd unit repeats each of
these, so a kiosk started by hand is as safe as one started at boot).

- :func:`harden_process`: files it creates are private (umask 077); it never dumps core (``RLIMIT_CORE``
  0 and ``PR_SET_DUMPABLE`` 0: a crash after a card read must not leave the ID number, name, address and
  photo on disk; the second also keeps other processes of the same user from reading its memory).
- :func:`private_state`: takes group and other bits off the files an older kiosk left readable: the
  ticket and outbox databases with their WAL and SHM files, ``manager_auth.json``, the logs, the keys,
  and the config (it holds the manager PIN's hash) when this user owns it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import resource
from pathlib import Path

log = logging.getLogger(__name__)
PR_SET_DUMPABLE, PR_GET_DUMPABLE = 4, 3
STATE_FILES = ("tickets.sqlite3", "outbox.sqlite3", "manager_auth.json", "outbox.key")
STATE_DIRS = ("", "logs", "keys", "kivy")


def _prctl(option: int, arg: int = 0) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl(option, arg, 0, 0, 0)


def harden_process() -> dict:
    """Applies umask 077, no core dumps and non-dumpable; returns what is in force (for the log)."""
    os.umask(0o077)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    dumpable = None
    try:
        if _prctl(PR_SET_DUMPABLE, 0) != 0:
            log.warning("prctl(PR_SET_DUMPABLE, 0) failed: errno %d", ctypes.get_errno())
        dumpable = _prctl(PR_GET_DUMPABLE)
    except (OSError, AttributeError) as err:  # not Linux, or no libc found
        log.warning("cannot make the process non-dumpable: %s", err)
    return {"umask": "0077", "core_limit": resource.getrlimit(resource.RLIMIT_CORE)[1], "dumpable": dumpable}


def _tighten(path: Path, private: int) -> bool:
    """Drops group/other bits of ``path`` (to ``private`` at most) when this user owns it."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return False
    if not (st.st_mode & 0o077) or st.st_uid != os.geteuid() or path.is_symlink():
        return False
    os.chmod(path, st.st_mode & private)
    return True


def private_state(state_dir: str | Path, config_file: str | Path | None = None) -> list[Path]:
    """Tightens the modes of the kiosk's known files (see the module docstring); returns those changed.
    Only known names are touched, so a state_dir set to a shared folder by mistake is not rewritten."""
    state = Path(state_dir)
    changed: list[Path] = []
    for sub in STATE_DIRS:
        folder = state / sub
        if folder.is_dir() and _tighten(folder, 0o700):
            changed.append(folder)
    candidates = [state / name for name in STATE_FILES]
    candidates += [state / f"{name}{tail}" for name in STATE_FILES if name.endswith(".sqlite3")
                   for tail in ("-wal", "-shm", "-journal")]
    for folder in (state / "logs", state / "keys"):
        if folder.is_dir():
            candidates += sorted(p for p in folder.iterdir() if p.is_file())
    if config_file:
        candidates.append(Path(config_file))
    for path in candidates:
        if _tighten(path, 0o600):
            changed.append(path)
    if config_file:
        cfg = Path(config_file)
        try:
            if cfg.stat().st_mode & 0o004:
                log.warning("config %s (with the manager PIN's hash) is readable by every user; "
                            "make it 0640 root:kiosk (kiosk install does)", cfg)
        except FileNotFoundError:
            pass
    if changed:
        log.warning("made private (they were readable by others): %s", ", ".join(str(p) for p in changed))
    return changed
