"""Encryption at rest of residents' identity, and token hashing.

Contract
- :func:`load_cipher` returns a MultiFernet: keys from ``$KIOSK_QUEUE_KEYS`` (comma-separated, newest
  first: rotation keeps old rows readable) or else from ``<state_dir>/queue.key``, created on first use
  with mode 0600. Every server process sharing a database must use the same key (same file or env var).
- :class:`IdentityBox` turns ``{"name", "id_number"}`` into an encrypted blob and back; the blob carries
  nothing readable. :meth:`IdentityBox.seal_record` / :meth:`IdentityBox.open_record` do the same for any
  small record of text fields (a 代办 applicant's name, ID number and phone), so no caller touches the key. The masked forms for lists come from :mod:`kiosk.privacy`.
- Tokens are 32 random bytes (URL-safe base64) with a prefix saying what they are; the database keeps only
  their SHA-256 (:func:`hash_token`), so a leaked database holds no usable token.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from kiosk.durable import fsync_dir
from kiosk.privacy import mask_id_number, mask_name, mask_phone

KEY_ENV = "KIOSK_QUEUE_KEYS"
KEY_FILE = "queue.key"
KIOSK_TOKEN_PREFIX = "kqk_"
SESSION_TOKEN_PREFIX = "kqs_"


class KeyProblem(Exception):
    """The key is missing or unusable; the message says where it was looked for and what to do."""


def load_cipher(state_dir: Path | None) -> MultiFernet:
    """The cipher for identity fields (see the module docstring for where keys come from)."""
    keys = _keys(state_dir)
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        where = f"${KEY_ENV}" if os.environ.get(KEY_ENV, "").strip() else str(Path(state_dir or ".") / KEY_FILE)
        raise KeyProblem(f"{where} does not hold a valid Fernet key ({exc}); restore it from backup, or generate "
                         "one with `python3 -c 'from cryptography.fernet import Fernet; "
                         "print(Fernet.generate_key().decode())'`") from None


def derived_secret(state_dir: Path | None, purpose: str) -> bytes:
    """A 32-byte secret for ``purpose`` (e.g. signing device cookies) derived from the newest identity key:
    the same in every process that shares the key, and never the key itself."""
    return hmac.new(_keys(state_dir)[0], purpose.encode(), hashlib.sha256).digest()


def _keys(state_dir: Path | None) -> list[bytes]:
    """The identity keys, newest first, from ``$KIOSK_QUEUE_KEYS`` or the state directory's key file."""
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return [k.strip().encode() for k in env.split(",") if k.strip()]
    if state_dir is None:
        raise KeyProblem(f"no key: set ${KEY_ENV} or give a state directory for {KEY_FILE}")
    path = Path(state_dir) / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    keys = [line.strip() for line in path.read_bytes().splitlines() if line.strip()]
    if not keys:
        raise KeyProblem(f"{path} is empty; restore the key from backup")
    return keys


def _create_key_file(path: Path) -> None:
    """Writes a new key to a private temp file and links it into place: atomic, so processes starting
    together all end up with the same key (the loser of the race reads the winner's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key() + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)  # the key's name survives a power cut, as the identities it encrypts do


class IdentityBox:
    """Encrypts and decrypts a resident's identity; never logs or returns it masked-by-accident."""

    def __init__(self, cipher: MultiFernet):
        self._cipher = cipher

    def seal(self, name: str | None, id_number: str | None, phone: str | None = None) -> bytes | None:
        """The identity sealed; ``phone`` (a callback number left after hours) only when given."""
        if not name and not id_number and not phone:
            return None
        record = {"name": name or "", "id_number": id_number or ""}
        return self.seal_record(record | {"phone": phone} if phone else record)

    def open(self, blob: bytes | None) -> dict | None:
        """``{"name", "id_number"}`` or None; raises :class:`KeyProblem` when the key does not fit."""
        return self.open_record(blob) if blob else None

    def seal_record(self, record: dict[str, str | None]) -> bytes:
        """Encrypts a small record of text fields (names to ``str`` or None) into one opaque blob.
        Raises ``ValueError`` for anything but a flat dict of strings/None (it must round-trip exactly)."""
        if not isinstance(record, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in record.items()):
            raise ValueError("seal_record takes a flat dict of text fields (str or None)")
        return self._cipher.encrypt(json.dumps(record, ensure_ascii=False).encode())

    def open_record(self, blob: bytes) -> dict[str, str | None]:
        """The record :meth:`seal_record` sealed; raises :class:`KeyProblem` when the key does not fit."""
        try:
            return json.loads(self._cipher.decrypt(bytes(blob)))
        except InvalidToken:
            raise KeyProblem("stored identity cannot be decrypted with the configured key") from None

    @staticmethod
    def masked(name: str | None, id_number: str | None, phone: str | None = None) -> str | None:
        """What lists show: ``张*`` and, when there is one, ``110105********002X`` (and ``138****5678``)."""
        parts = [p for p in (mask_name(name), mask_id_number(id_number), mask_phone(phone)) if p]
        return " ".join(parts)[:64] or None


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
