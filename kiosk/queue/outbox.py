"""The kiosk's durable outbox: every help request, note, cancel and heartbeat is stored before it is sent.

Contract
- :meth:`Outbox.enqueue` returns only after the row is committed with SQLite ``synchronous=FULL`` in WAL
  mode, so an acknowledged item survives a crash or power loss.
- Items leave in order (``seq``); a forwarder takes :meth:`next_due`, sends it, then calls
  :meth:`mark_sent`, :meth:`mark_retry` or :meth:`mark_dead`. A crash between sending and marking means
  the item is sent again; the server is idempotent by the item's ``id`` (at-least-once + idempotency).
- Heartbeats coalesce: enqueuing one deletes every older *pending* heartbeat.
- Dead items (permanent 4xx) are kept with the server's message until someone retries them
  (:meth:`retry_dead`, ``kiosk queue outbox --retry-dead``); they are never silently dropped.
- Privacy: bodies are encrypted at rest with Fernet and a per-kiosk key file (``outbox.key``, mode 0600,
  next to the database). Once an item is delivered its ``resident`` field is removed from the stored body;
  sent rows are deleted after ``retention_days``; dead rows keep their row but lose ``resident`` after the
  same retention. Without the key file the bodies are unreadable (a stolen disk leaks no identity).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from kiosk.durable import fsync_dir
from kiosk.queue.outbox_schema import KINDS, STATES, create
from kiosk.sqlite_files import open_sqlite


@dataclass(frozen=True)
class OutboxItem:
    """One stored item. ``body`` is the decrypted JSON body (it may hold resident data: never log it)."""

    seq: int
    id: str
    kind: str
    method: str
    path: str
    body: dict
    created_at: float
    attempts: int
    next_attempt_at: float
    state: str
    last_error: str | None
    sent_at: float | None
    visit_id: str | None
    ref_id: str | None

    def masked(self) -> dict:
        """A view for screens, logs and the CLI: no body, no personal data."""
        b = self.body
        return {"id": self.id, "kind": self.kind, "method": self.method, "path": self.path,
                "request_kind": b.get("kind") if self.kind == "request" else None,
                "step": b.get("step"), "matter_name": b.get("matter_name"), "ticket_no": b.get("ticket_no"),
                "has_resident": bool(b.get("resident")), "created_at": _iso(self.created_at),
                "attempts": self.attempts, "state": self.state, "last_error": self.last_error}


class OutboxError(Exception):
    """The outbox cannot be used (unreadable database, unreadable key file)."""


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def load_or_create_key(path: Path, create: bool = True) -> Fernet:
    """Reads the Fernet key at ``path``, creating it (mode 0600, fsynced) the first time if ``create``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() and not create:
        raise OutboxError(f"outbox key file '{path}' is missing: the stored bodies cannot be read; "
                          "restore it from backup")
    if not path.exists():
        key = Fernet.generate_key()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, key + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic and never overwrites a key another process just made
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(path.parent)  # the key's name survives a power cut, as the rows it encrypts do
    try:
        return Fernet(path.read_bytes().strip())
    except (ValueError, OSError) as err:
        raise OutboxError(f"outbox key file '{path}' is unreadable ({err}); restore it from backup, "
                          "or move the outbox database aside to start a new one") from None


class Outbox:
    """A SQLite outbox at ``path`` (created on first use). Thread-safe; other processes may open it too."""

    def __init__(self, path: str | Path, *, key_path: str | Path | None = None, retention_days: int = 7,
                 create_key: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.retention_s = retention_days * 86400.0
        key = Path(key_path) if key_path else self.path.with_name("outbox.key")
        self._fernet = load_or_create_key(key, create_key or not self.path.exists())
        self._lock = threading.RLock()
        try:
            self._db = open_sqlite(self.path, setup=create)
        except sqlite3.DatabaseError as err:
            raise OutboxError(f"outbox database '{self.path}' is unusable: {err}") from None
        os.chmod(self.path, 0o600)

    # -- writing -------------------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _seal(self, body: dict) -> bytes:
        return self._fernet.encrypt(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())

    def _open(self, blob: bytes) -> dict:
        return json.loads(self._fernet.decrypt(blob))

    def enqueue(self, kind: str, method: str, path: str, body: dict, *, item_id: str | None = None,
                visit_id: str | None = None, ref_id: str | None = None) -> str:
        """Stores one item durably and returns its id (``item_id`` or a new uuid4).

        A heartbeat replaces every older pending heartbeat. Raises ValueError on an unknown ``kind``.
        """
        if kind not in KINDS:
            raise ValueError(f"outbox kind '{kind}' is not one of {', '.join(KINDS)}")
        item_id = item_id or str(uuid.uuid4())
        sealed = self._seal(body)
        with self._tx() as db:
            if kind == "heartbeat":
                db.execute("DELETE FROM items WHERE kind='heartbeat' AND state='pending'")
            db.execute("INSERT INTO items (id, kind, method, path, body, created_at, visit_id, ref_id) "
                       "VALUES (?,?,?,?,?,?,?,?)",
                       (item_id, kind, method, path, sealed, time.time(), visit_id, ref_id))
        return item_id

    def enqueue_request(self, body: dict, path: str, *, visit_id: str | None) -> tuple[str, bool]:
        """Stores a help request unless ``visit_id`` already has an open one.

        Returns ``(request_id, created)``; ``created`` is False when the visit's open request is returned.
        A request is open until the kiosk cancels it or the server reports a final state.
        """
        sealed = self._seal(body)
        with self._tx() as db:
            if visit_id is not None:
                row = db.execute("SELECT id FROM items WHERE kind='request' AND visit_id=? AND closed=0 "
                                 "AND state!='dead' ORDER BY seq DESC LIMIT 1", (visit_id,)).fetchone()
                if row:
                    return row[0], False
            db.execute("INSERT INTO items (id, kind, method, path, body, created_at, visit_id) "
                       "VALUES (?,?,?,?,?,?,?)",
                       (body["id"], "request", "POST", path, sealed, time.time(), visit_id))
        return body["id"], True

    def close_request(self, request_id: str) -> None:
        """Marks a request closed: a new call from the same visit then creates a new request."""
        with self._tx() as db:
            db.execute("UPDATE items SET closed=1 WHERE id=? AND kind='request'", (request_id,))

    def mark_sent(self, item_id: str) -> None:
        """Delivered: the row stays (for ``sent`` counts) until the retention ends; resident data goes now."""
        with self._tx() as db:
            row = db.execute("SELECT body FROM items WHERE id=?", (item_id,)).fetchone()
            body = row[0] if row else None
            if row is not None:
                try:
                    data = self._open(row[0])
                    if data.get("resident"):
                        data["resident"] = None
                        body = self._seal(data)
                except InvalidToken:
                    pass
            db.execute("UPDATE items SET state='sent', sent_at=?, last_error=NULL, body=COALESCE(?, body) "
                       "WHERE id=?", (time.time(), body, item_id))

    def mark_retry(self, item_id: str, error: str, delay_s: float) -> None:
        with self._tx() as db:
            db.execute("UPDATE items SET attempts=attempts+1, last_error=?, next_attempt_at=? WHERE id=?",
                       (error[:500], time.time() + delay_s, item_id))

    def mark_dead(self, item_id: str, error: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE items SET state='dead', attempts=attempts+1, last_error=? WHERE id=?",
                       (error[:1000], item_id))

    def retry_dead(self) -> int:
        """Puts every dead item back in the queue (after the cause was fixed). Returns how many."""
        with self._tx() as db:
            return db.execute("UPDATE items SET state='pending', next_attempt_at=0 WHERE state='dead'").rowcount

    def set_server_status(self, request_id: str, status: dict, *, final: bool) -> None:
        with self._tx() as db:
            db.execute("UPDATE items SET server_status=?, closed=MAX(closed, ?) WHERE id=?",
                       (json.dumps(status, ensure_ascii=False), int(final), request_id))

    def purge(self, now: float | None = None) -> int:
        """Deletes sent rows past the retention and strips resident data from old dead rows."""
        cutoff = (now or time.time()) - self.retention_s
        with self._tx() as db:
            n = db.execute("DELETE FROM items WHERE state='sent' AND sent_at<=?", (cutoff,)).rowcount
            old_dead = db.execute("SELECT id, body FROM items WHERE state='dead' AND created_at<=?",
                                  (cutoff,)).fetchall()
            for item_id, blob in old_dead:
                try:
                    data = self._open(blob)
                except InvalidToken:
                    continue
                if data.get("resident"):
                    data["resident"] = None
                    db.execute("UPDATE items SET body=? WHERE id=?", (self._seal(data), item_id))
        return n

    # -- reading -------------------------------------------------------------------------------------
    def _item(self, row: tuple) -> OutboxItem:
        try:
            body = self._open(row[5])
        except InvalidToken:
            body = {"_unreadable": "encrypted with another key"}
        return OutboxItem(row[0], row[1], row[2], row[3], row[4], body, *row[6:14])

    _COLS = ("seq, id, kind, method, path, body, created_at, attempts, next_attempt_at, state, last_error, "
             "sent_at, visit_id, ref_id")

    def next_due(self) -> OutboxItem | None:
        """The oldest pending item (strict order: a failing head blocks the rest until it succeeds)."""
        with self._lock:
            row = self._db.execute(f"SELECT {self._COLS} FROM items WHERE state='pending' ORDER BY seq "
                                   "LIMIT 1").fetchone()
        return self._item(row) if row else None

    def get(self, item_id: str) -> OutboxItem | None:
        with self._lock:
            row = self._db.execute(f"SELECT {self._COLS} FROM items WHERE id=?", (item_id,)).fetchone()
        return self._item(row) if row else None

    def items(self, state: str = "pending", limit: int = 100) -> list[OutboxItem]:
        with self._lock:
            rows = self._db.execute(f"SELECT {self._COLS} FROM items WHERE state=? ORDER BY seq LIMIT ?",
                                    (state, limit)).fetchall()
        return [self._item(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall()
        out = dict.fromkeys(STATES, 0)
        out.update(dict(rows))
        return out

    def pending_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM items WHERE state='pending'").fetchone()[0]

    def server_status(self, request_id: str) -> tuple[str | None, dict | None]:
        """``(outbox state, last status the server reported)`` of a request, or ``(None, None)``."""
        with self._lock:
            row = self._db.execute("SELECT state, server_status FROM items WHERE id=?", (request_id,)).fetchone()
        if not row:
            return None, None
        return row[0], (json.loads(row[1]) if row[1] else None)

    def open_requests(self, since_s: float = 4 * 3600) -> list[str]:
        """Delivered requests not yet closed, created in the last ``since_s`` seconds (to poll status)."""
        with self._lock:
            rows = self._db.execute("SELECT id FROM items WHERE kind='request' AND state='sent' AND closed=0 "
                                    "AND created_at>=? ORDER BY seq", (time.time() - since_s,)).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
