"""Is a replayed message the *same* message? (Idempotency means the same request, not the same id.)

Contract: each function compares what a kiosk sent again under a stored id with what was stored, and
raises :class:`~kiosk.queue.errors.Conflict` ``id_reused`` (409) when they differ; the stored message is
never changed. Bodies are compared after validation (whitespace stripped, personal numbers masked), the
kiosk's ``created_at`` as the server clamped it on arrival (requests, notices), and a resident's identity exactly while it is
still stored (its masked form once purged); a replay without the resident is the same request (kiosks
erase the identity from their outbox once it was delivered).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.queue.errors import Conflict
from kiosk.queue.request_materials import encode

REQUEST_FIELDS = ("kind", "step", "matter_id", "matter_name", "ticket_no", "priority", "note", "rating_token")


def clamp(at: datetime, received: datetime, skew: timedelta) -> datetime:
    """A kiosk's timestamp as stored: not after the server received it, not more than ``skew`` before."""
    return max(min(at, received), received - skew)


def _differs(id_: str) -> Conflict:
    return Conflict("id_reused", id=id_)


def check_request(row, body, box, skew: timedelta) -> None:
    """``body`` (a RequestIn) against the stored request ``row``."""
    if any(row[f] != getattr(body, f) for f in REQUEST_FIELDS):
        raise _differs(row["id"])
    if clamp(body.created_at, row["received_at"], skew) != row["created_at"]:
        raise _differs(row["id"])
    if row.get("materials") != encode(body.materials):
        raise _differs(row["id"])
    resident = body.resident
    if resident is None:  # the kiosk's outbox erases the identity once delivered: a replay may lack it
        return
    name, id_number = resident.name, resident.id_number
    if box.masked(name, id_number, resident.phone) != row["resident_masked"]:
        raise _differs(row["id"])
    stored = box.open(row["resident_enc"]) if row["resident_enc"] else None
    if stored is not None and (stored["name"] != (name or "") or stored["id_number"] != (id_number or "")):
        raise _differs(row["id"])


def check_note(stored: dict, body) -> None:
    """``body`` (a NoteIn) against the stored note: the text must be the same (the stored ``created_at`` was
    clamped at a moment the replay cannot know, so it is not compared)."""
    if stored["text"] != body.text:
        raise _differs(stored["id"])


def check_notice(row, body, skew: timedelta) -> None:
    """``body`` (a NoticeIn) against the stored notice ``row``."""
    if (row["matter_id"], row["matter_name"], row["missing"]) != (body.matter_id, body.matter_name, body.missing):
        raise _differs(row["id"])
    if clamp(body.created_at, row["received_at"], skew) != row["created_at"]:
        raise _differs(row["id"])
