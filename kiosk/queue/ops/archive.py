"""The backup archive: one gzip-compressed tar file, mode 0600, holding

- ``manifest.json``: format, kiosk version, database kind, Alembic revision, row counts, and the SHA-256
  of every other member (checked before a restore touches anything);
- ``queue.sqlite3`` (an online-backup copy) or ``queue.pgdump`` (``pg_dump --format=custom``);
- ``queue.key``: the identity keys (without them the residents' and applicants' identities in the
  database cannot be read), unless they were written to a separate file (``--key-out``).

Reading never extracts by the archive's own paths: only these member names are read, into memory or a
file the caller names, so a crafted archive cannot write elsewhere.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from pathlib import Path

from kiosk.durable import atomic_file

FORMAT = "kiosk-queue-backup/1"
MEMBERS = ("manifest.json", "queue.sqlite3", "queue.pgdump", "queue.key")
MAX_MANIFEST = 1 << 20


class ArchiveError(Exception):
    """The archive is not a usable backup; the message says why."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_archive(out: Path, manifest: dict, files: dict[str, Path], blobs: dict[str, bytes]) -> Path:
    """Writes the archive to ``out`` (0600, atomically, fsynced). ``files`` are members copied from disk,
    ``blobs`` members given as bytes; their checksums go into the manifest."""
    manifest = dict(manifest, format=FORMAT, files={
        **{name: sha256_file(path) for name, path in files.items()},
        **{name: hashlib.sha256(data).hexdigest() for name, data in blobs.items()}})
    out = Path(out)
    with atomic_file(out) as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, data in [("manifest.json", json.dumps(manifest, indent=1).encode()), *blobs.items()]:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
            tar.addfile(info, io.BytesIO(data))
        for name, path in files.items():
            info = tar.gettarinfo(str(path), arcname=name)
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
            with path.open("rb") as fh:
                tar.addfile(info, fh)
    return out


class Archive:
    """A backup opened for reading; :meth:`check` verifies every member against the manifest."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._tar = tarfile.open(self.path, mode="r:gz")  # noqa: SIM115 - open until close()
            names = self._tar.getnames()
        except (OSError, tarfile.TarError, EOFError) as err:
            raise ArchiveError(f"{self.path}: not a backup written by `kiosk queue backup` ({err})") from None
        unknown = [n for n in names if n not in MEMBERS]
        if unknown or "manifest.json" not in names or len(set(names)) != len(names):
            raise ArchiveError(f"{self.path}: unexpected members {unknown or names}; not a queue backup")
        self.manifest = json.loads(self._read("manifest.json", MAX_MANIFEST))
        if self.manifest.get("format") != FORMAT:
            raise ArchiveError(f"{self.path}: format {self.manifest.get('format')!r}, expected {FORMAT}")
        self.names = set(names)

    def _member(self, name: str) -> tarfile.TarInfo:
        info = self._tar.getmember(name)
        if not info.isfile():
            raise ArchiveError(f"{self.path}: {name} is not a regular file")
        return info

    def _read(self, name: str, limit: int) -> bytes:
        info = self._member(name)
        if info.size > limit:
            raise ArchiveError(f"{self.path}: {name} is {info.size} bytes, more than {limit}")
        return self._tar.extractfile(info).read()

    def check(self) -> None:
        """Raises :class:`ArchiveError` unless every member matches its checksum."""
        expected = self.manifest.get("files", {})
        if set(expected) != self.names - {"manifest.json"}:
            raise ArchiveError(f"{self.path}: the manifest lists {sorted(expected)}, the archive holds "
                               f"{sorted(self.names - {'manifest.json'})}")
        for name, digest in expected.items():
            got = hashlib.sha256()
            with self._tar.extractfile(self._member(name)) as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    got.update(block)
            if got.hexdigest() != digest:
                raise ArchiveError(f"{self.path}: {name} is damaged (checksum differs); use another backup")

    def key(self) -> bytes | None:
        return self._read("queue.key", 1 << 16) if "queue.key" in self.names else None

    def extract(self, name: str, target: Path) -> Path:
        """Copies member ``name`` to ``target`` (created 0600)."""
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as out, self._tar.extractfile(self._member(name)) as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        return target

    def close(self) -> None:
        self._tar.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
