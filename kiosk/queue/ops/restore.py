"""``kiosk queue restore``: a backup's database and keys back in place, checked before and after.

Order, so a failure changes nothing: the archive's checksums are verified; the database is unpacked
beside the target and checked (integrity, every stored identity opens with the backup's key); only then
are the current database (with its WAL) and a differing key moved aside (``*.before-restore-TIME``) and
the restored ones renamed into place, fsynced; finally the schema is migrated to this version's newest.
The server must be stopped: a SQLite database still open elsewhere is refused. Run as root (as the README
says), the restored files are given the state folder's owner (``kiosk-queue``), or the service could not
open its own database.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

from kiosk.durable import atomic_write, fsync_dir
from kiosk.queue.db import Database, sqlite_url
from kiosk.queue.ops.archive import Archive, ArchiveError
from kiosk.queue.ops.backup import libpq
from kiosk.queue.ops.inspect import counts, identities, revision

SHM_DMS_BYTE = 128  # SQLite's unix VFS: every connection with the WAL open holds a read lock here


class RestoreError(Exception):
    """The restore did not happen (or stopped before changing anything); the message says why."""


def sqlite_in_use(db_file: Path) -> bool:
    """True while any process has ``db_file`` open in WAL mode (a running server)."""
    shm = Path(f"{db_file}-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHM_DMS_BYTE)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def servers_running(state_dir: Path) -> list[int]:
    """Pids of the queue servers alive on this machine that use ``state_dir``: each writes its figures to
    ``metrics/<pid>.json`` there every second (:mod:`kiosk.queue.metrics_share`). On PostgreSQL this is
    the only sign a restore can see: pg_restore would replace the tables under a running server's caches."""
    from kiosk.queue.metrics_share import Share

    alive = []
    for snap in Share(state_dir / "metrics").others():
        try:
            os.kill(int(snap["pid"]), 0)
        except ProcessLookupError:
            continue
        except PermissionError:  # another user's process (the service account): alive
            pass
        except (KeyError, TypeError, ValueError):
            continue
        alive.append(int(snap["pid"]))
    return alive


def _check(url: str, key: bytes | None) -> dict:
    """The restored database's revision and counts, and (with ``key``) that every identity opens."""
    db = Database(url)
    try:
        result = {"revision": revision(db), "counts": counts(db)}
        if key is not None:
            result["identities"] = identities(db, key)
            if result["identities"]["not_opened"]:
                raise RestoreError(f"{result['identities']['not_opened']} stored identities do not open with the "
                                   "backup's key: wrong --key file? Nothing was changed")
        return result
    finally:
        db.dispose()


def _own_like(path: Path, folder: Path) -> None:
    """Gives ``path`` the owner and group of ``folder`` when they differ and we may (root): a database
    restored by root into ``/var/lib/kiosk-queue`` must stay the service user's."""
    if not path.exists():
        return
    want, have = folder.stat(), path.stat()
    if (have.st_uid, have.st_gid) != (want.st_uid, want.st_gid) and os.geteuid() == 0:
        os.chown(path, want.st_uid, want.st_gid)


def _aside(path: Path, stamp: str) -> Path | None:
    if not path.exists():
        return None
    target = path.with_name(f"{path.name}.before-restore-{stamp}")
    os.rename(path, target)
    return target


def restore_sqlite(archive: Archive, state_dir: Path, key: bytes | None) -> dict:
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = state_dir / "queue.sqlite3"
    if sqlite_in_use(target):
        raise RestoreError(f"{target} is in use: stop the server first (systemctl stop kiosk-queue); "
                           "nothing was changed")
    tmp = archive.extract("queue.sqlite3", state_dir / f".queue.sqlite3.restore-{os.getpid()}")
    try:
        before = _check(f"sqlite:///{tmp}", key)
        _own_like(tmp, state_dir)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved = [p for p in (_aside(Path(f"{target}{t}"), stamp) for t in ("", "-wal", "-shm")) if p]
        for tail in ("-wal", "-shm"):
            Path(f"{tmp}{tail}").unlink(missing_ok=True)
        os.rename(tmp, target)
        moved += _put_key(state_dir, key, stamp)
        fsync_dir(state_dir)
    finally:
        for tail in ("", "-wal", "-shm"):
            Path(f"{tmp}{tail}").unlink(missing_ok=True)
    result = _finish(sqlite_url(state_dir), before, moved)
    for tail in ("", "-wal", "-shm"):  # the migration's connection may leave its WAL behind
        _own_like(Path(f"{target}{tail}"), state_dir)
    return result


def _put_key(state_dir: Path, key: bytes | None, stamp: str) -> list[Path]:
    if key is None:
        return []
    path = state_dir / "queue.key"
    if path.exists() and path.read_bytes() == key:
        return []
    moved = [p for p in [_aside(path, stamp)] if p]
    atomic_write(path, key, mode=0o600)
    _own_like(path, state_dir)
    return moved


def restore_postgres(archive: Archive, db_url: str, state_dir: Path, key: bytes | None, work: Path) -> dict:
    if not shutil.which("pg_restore"):
        raise RestoreError("pg_restore is not installed here (apt-get install postgresql-client)")
    dump = archive.extract("queue.pgdump", work / f".queue.pgdump.{os.getpid()}")
    try:
        uri, env, _schema = libpq(db_url)
        cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
               "--dbname", uri, str(dump)]
        done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise RestoreError(f"pg_restore failed ({done.returncode}); the database is as it was (one "
                               f"transaction): {done.stderr.strip()[:500]}")
    finally:
        dump.unlink(missing_ok=True)
    before = _check(db_url, key)
    moved = _put_key(state_dir, key, time.strftime("%Y%m%d-%H%M%S")) if key and not os.environ.get(
        "KIOSK_QUEUE_KEYS") else []
    return _finish(db_url, before, moved)


def _finish(url: str, before: dict, moved: list[Path]) -> dict:
    db = Database(url)
    try:
        head = db.migrate()
        return {**before, "migrated_to": head, "moved_aside": [str(p) for p in moved]}
    finally:
        db.dispose()


def _env_has(key: bytes) -> None:
    """When the servers take their keys from ``$KIOSK_QUEUE_KEYS``, it must hold the backup's keys."""
    env = os.environ.get("KIOSK_QUEUE_KEYS", "")
    if not env.strip():
        return
    have = {k.strip() for k in env.split(",") if k.strip()}
    want = {k.strip().decode() for k in key.splitlines() if k.strip()}
    if not want <= have:
        raise RestoreError("the servers read their keys from $KIOSK_QUEUE_KEYS, which lacks the backup's key: "
                           "add the keys of the backup's queue.key to it (newest first), then restore again; "
                           "nothing was changed")


def restore(path: Path, *, state_dir: Path, db_url: str | None = None, key_file: Path | None = None) -> dict:
    """Restores backup ``path`` into ``state_dir`` (SQLite) or ``db_url`` (PostgreSQL). Raises
    RestoreError or ArchiveError; either means nothing was changed."""
    with Archive(path) as archive:
        archive.check()
        manifest = archive.manifest
        key = key_file.read_bytes() if key_file else archive.key()
        if key is None:
            raise RestoreError("the backup holds no key (it was written with --key-out): give it with --key FILE")
        _env_has(key)
        running = servers_running(state_dir)
        if running:
            raise RestoreError(f"a queue server is running on {state_dir} (pid {', '.join(map(str, running))}): "
                               "stop the server first (systemctl stop kiosk-queue), then restore again; nothing was changed")
        kind = manifest.get("database")
        if kind == "sqlite":
            if db_url and not db_url.startswith("sqlite"):
                raise RestoreError("this backup is of a SQLite database; restore it without --db (into --state-dir)")
            result = restore_sqlite(archive, state_dir, key)
        elif kind == "postgresql":
            if not db_url or not db_url.startswith("postgres"):
                raise RestoreError("this backup is of a PostgreSQL database: give --db postgresql+psycopg://…")
            state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            result = restore_postgres(archive, db_url, state_dir, key, state_dir)
        else:
            raise ArchiveError(f"{path}: unknown database kind {kind!r}")
    return {"manifest": manifest, **result}
