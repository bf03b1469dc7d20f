"""What a queue database holds, for a backup's manifest, a restore's check and ``kiosk queue status``:
the Alembic revision (and the newest the code knows), row counts, and whether every stored identity opens
with the given keys."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import func, select, text

from kiosk.queue.db import MIGRATIONS, Database
from kiosk.queue.models import cases, events, kiosks, requests, sessions, sites, users

COUNTED = {"sites": sites, "kiosks": kiosks, "users": users, "requests": requests, "cases": cases,
           "events": events, "sessions": sessions}


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


def revision(db: Database) -> str | None:
    """The database's Alembic revision, or None before the first migration."""
    with db.read() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # noqa: BLE001 - no table: never migrated
            return None


def counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in COUNTED.items()}


def cipher(key_material: bytes) -> MultiFernet:
    """The keys of a ``queue.key`` file (one per line, newest first)."""
    keys = [line.strip() for line in key_material.splitlines() if line.strip()]
    if not keys:
        raise ValueError("no key in the key material")
    return MultiFernet([Fernet(k) for k in keys])


def identities(db: Database, key_material: bytes) -> dict[str, int]:
    """``{"opened": n, "not_opened": m}`` over every encrypted identity (requests and 代办 cases)."""
    box = cipher(key_material)
    opened = failed = 0
    with db.read() as conn:
        for column in (requests.c.resident_enc, cases.c.applicant_enc):
            for (blob,) in conn.execute(select(column).where(column.is_not(None))):
                try:
                    box.decrypt(bytes(blob))
                    opened += 1
                except InvalidToken:
                    failed += 1
    return {"opened": opened, "not_opened": failed}


def key_material(state_dir: Path | None) -> tuple[bytes, str]:
    """The identity keys this server uses, and where they came from (``$KIOSK_QUEUE_KEYS`` or the file)."""
    import os

    from kiosk.queue.crypto import KEY_ENV, KEY_FILE

    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return ("\n".join(k.strip() for k in env.split(",") if k.strip()) + "\n").encode(), f"${KEY_ENV}"
    if state_dir is None:
        raise FileNotFoundError(f"no key: set ${KEY_ENV} or give --state-dir (it holds {KEY_FILE})")
    path = Path(state_dir) / KEY_FILE
    return path.read_bytes(), str(path)
