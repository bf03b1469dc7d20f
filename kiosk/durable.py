"""Writing small files so that a power cut leaves either the old content or the new, never a torn or empty
file: write a temp file beside the target, fsync it, rename it over the target, fsync the directory.

Used for the files a kiosk or server changes while running (the manager lock-out state, an installed
config, unit files, keys). SQLite files (outbox, tickets, the queue database) get their durability from
SQLite itself (WAL with ``synchronous=FULL``), not from here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def fsync_dir(path: str | Path) -> None:
    """fsyncs the directory ``path`` so a rename or a new file in it survives a power cut."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: str | Path, *, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A binary file to write that replaces ``path`` atomically and durably when the block ends (``mode``,
    default 0600); if the block raises, ``path`` is unchanged and the temp file is gone. The folder must exist."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fd, mode)  # the umask may have taken bits away; the caller's mode is the mode
            yield fh
            fh.flush()
            os.fsync(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write(path: str | Path, data: bytes | str, *, mode: int = 0o600) -> Path:
    """Replaces ``path`` with ``data`` atomically and durably; the file gets ``mode`` (default 0600: only
    the owner). The folder must exist. Raises OSError (the target is then unchanged)."""
    with atomic_file(path, mode=mode) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)
