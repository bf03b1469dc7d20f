"""Where the kiosk's outbox and its key live. The key is kept apart from the outbox: a copy of the state
folder's database (a backup, a support bundle) then carries no key that opens it.

- The outbox: ``<state_dir>/outbox.sqlite3`` (0600; its WAL and SHM files take the same mode).
- The key: ``privacy.outbox_key_file`` when the config names one (``kiosk install`` puts it in
  ``/etc/kiosk/keys/``, root-owned, readable by the kiosk's group only, so the kiosk cannot replace or
  delete it), else ``<state_dir>/keys/outbox.key`` in a folder of its own (0700).
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.durable import fsync_dir

OUTBOX_DB = "outbox.sqlite3"
KEY_NAME = "outbox.key"


def outbox_key_path(state_dir: str | Path, configured: str | Path | None = None) -> Path:
    """The outbox key's path (see the module docstring). A key an older kiosk kept next to the outbox
    is moved to ``<state_dir>/keys/`` first (a rename: atomic, and fsynced), never copied."""
    if configured:
        return Path(configured)
    state = Path(state_dir)
    keys = state / "keys"
    target, legacy = keys / KEY_NAME, state / KEY_NAME
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(keys, 0o700)
    if legacy.exists() and not target.exists():
        os.rename(legacy, target)
        fsync_dir(keys)
        fsync_dir(state)
    return target
