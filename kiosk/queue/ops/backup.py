"""``kiosk queue backup``: a consistent copy of the queue database and its identity keys while the server
keeps serving.

- SQLite: SQLite's online backup API copies the database as one read transaction: a snapshot of the last
  commit, while the server goes on writing (WAL mode: readers never block the writer). The copy is
  checked (``PRAGMA integrity_check``) and made a single self-contained file.
- PostgreSQL: ``pg_dump --format=custom`` of the server's schema (``pg_dump`` takes its own consistent
  snapshot); the password is passed in ``PGPASSWORD``, never on the command line. Without ``pg_dump`` on
  this machine the command says how to run it where it is.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote

from kiosk import __version__
from kiosk.durable import atomic_write
from kiosk.queue.db import Database
from kiosk.queue.ops.archive import write_archive
from kiosk.queue.ops.inspect import counts, head_revision, identities, key_material, revision


class BackupError(Exception):
    """The backup could not be made; the message says why and what to do. Nothing was written."""


def libpq(url: str) -> tuple[str, dict[str, str], str | None]:
    """(connection URI without the password, environment with ``PGPASSWORD``, schema from the URL's
    ``options=-csearch_path=…``) for ``pg_dump``/``pg_restore``."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    env = {"PGPASSWORD": u.password} if u.password else {}
    schema = None
    for option in parse_qs(u.render_as_string(hide_password=True).partition("?")[2]).get("options", []):
        for part in unquote(option).split():
            if part.startswith("-csearch_path="):
                schema = part.split("=", 1)[1].split(",")[0].strip('"')
    uri = u.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env, schema


def sqlite_path(db: Database) -> Path:
    return Path(db.engine.url.database)


def sqlite_snapshot(source: Path, target: Path) -> None:
    """Copies ``source`` (in use) to ``target`` with the online backup API; raises BackupError."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read transaction, one consistent snapshot
        result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the copy of {source} fails its integrity check ({result}); "
                              "check the disk, then try again")
    except sqlite3.Error as err:
        raise BackupError(f"cannot copy {source}: {err}") from None
    finally:
        dst.close()
        src.close()


def _single_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # the WAL folded in: one self-contained file
    finally:
        conn.close()


def pg_dump(url: str, target: Path) -> None:
    """``pg_dump`` of ``url``'s schema to ``target``; raises BackupError with guidance."""
    uri, env, schema = libpq(url)
    if not shutil.which("pg_dump"):
        raise BackupError(
            "pg_dump is not installed here (apt-get install postgresql-client). Or back up where it is: "
            f"PGPASSWORD=… pg_dump --format=custom --no-owner{' --schema ' + schema if schema else ''} "
            f"--file queue.pgdump '{uri}', and keep the identity key ($KIOSK_QUEUE_KEYS or queue.key) with it")
    cmd = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
    cmd += ["--schema", schema] if schema else []
    done = subprocess.run([*cmd, uri], env={**os.environ, **env}, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed ({done.returncode}): {done.stderr.strip()[:500]}")


def backup(db_url: str, state_dir: Path | None, out: Path, *, key_out: Path | None = None) -> dict:
    """Writes the backup archive ``out`` (and, with ``key_out``, the keys to that file instead of into
    the archive). Returns the manifest. Raises BackupError; nothing is left behind on failure."""
    out = Path(out)
    if not out.parent.is_dir():
        raise BackupError(f"--out {out}: folder {out.parent} does not exist")
    try:
        key, key_source = key_material(state_dir)
    except OSError as err:
        raise BackupError(f"cannot read the identity key ({err}); without it the backup's identities are "
                          "unreadable") from None
    db = Database(db_url)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.db")
    try:
        rev = revision(db)
        if db.is_sqlite:
            sqlite_snapshot(sqlite_path(db), tmp)
            copy = Database(f"sqlite:///{tmp}")
            try:
                numbers, opened = counts(copy), identities(copy, key)
            finally:
                copy.dispose()
            _single_file(tmp)
            for tail in ("-wal", "-shm"):
                Path(f"{tmp}{tail}").unlink(missing_ok=True)
            member = "queue.sqlite3"
        else:
            numbers, opened = counts(db), identities(db, key)
            pg_dump(db_url, tmp)
            member = "queue.pgdump"
        manifest = {"created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "kiosk_version": __version__,
                    "database": "sqlite" if db.is_sqlite else "postgresql", "revision": rev,
                    "head_revision": head_revision(), "counts": numbers, "identities": opened,
                    "key": "separate" if key_out else "included", "key_source": key_source}
        write_archive(out, manifest, {member: tmp}, {} if key_out else {"queue.key": key})
        if key_out:
            atomic_write(key_out, key, mode=0o600)
        return manifest
    finally:
        tmp.unlink(missing_ok=True)
        db.dispose()
