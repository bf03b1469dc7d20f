"""The kiosk's one help-queue API: :class:`HelpQueueClient`.

Every call returns after a local durable write (the outbox) and never waits for the network; a
background :class:`~kiosk.queue.forwarder.Forwarder` delivers. The UI reads ``online``,
``pending_count()``, ``status(request_id)`` and ``notice()`` (the text to show when offline).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.config.settings import KioskConfig
from kiosk.i18n import tr
from kiosk.queue.outbox import Outbox

REQUEST_KINDS = ("consult", "assist", "proxy", "call")
STEPS = ("start", "identify", "matter", "materials", "result", "done", "manager")
PRIORITIES = ("normal", "elderly", "disabled", "green", "after_hours")
CANCEL_REASONS = ("resident_left", "duplicate", "other")


def outbox_path(config: KioskConfig) -> Path:
    """Where the kiosk's outbox database lives: ``<state_dir>/outbox.sqlite3``."""
    return Path(config.state_dir) / "outbox.sqlite3"


def read_token(config: KioskConfig) -> str | None:
    if config.queue.token:
        return config.queue.token
    if config.queue.token_file:
        return Path(config.queue.token_file).read_text(encoding="utf-8").strip() or None
    return None


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class HelpQueueClient:
    """The kiosk side of the help queue.

    ``transport`` (an httpx transport) and ``poll_interval_s`` exist for tests; production passes only
    the config. Methods raise ValueError on bad arguments (a programming error), never on network trouble.
    """

    def __init__(self, config: KioskConfig, *, transport: Any = None, poll_interval_s: float = 3.0,
                 health_source: Callable[[], Iterable[Any]] | None = None, remote: Any = None):
        from kiosk.queue.forwarder import Forwarder

        self.config = config
        from kiosk.queue.outbox_files import outbox_key_path

        key = outbox_key_path(config.state_dir, config.privacy.outbox_key_file)
        self.outbox = Outbox(outbox_path(config), key_path=key,
                             retention_days=config.privacy.sent_outbox_retention_days,
                             create_key=config.privacy.outbox_key_file is None)
        self.forwarder = Forwarder(self.outbox, config.queue.url, read_token(config),
                                   timeout_s=config.queue.timeout_s, poll_interval_s=poll_interval_s,
                                   transport=transport, ca_file=config.queue.ca_file)
        self.health_source = health_source
        self.remote = remote  # kiosk.config.remote_apply.RemoteSettings: central settings in heartbeat answers
        if remote is not None:
            self.forwarder.answers["heartbeat"] = lambda answer: remote.offer(answer.get("config"))
        self._hb_stop = threading.Event()
        self._hb_thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Starts delivering (and, with a ``health_source``, sending heartbeats every interval)."""
        self.forwarder.start()
        if self.health_source and not (self._hb_thread and self._hb_thread.is_alive()):
            self._hb_stop.clear()
            self._hb_thread = threading.Thread(target=self._heartbeats, name="outbox-heartbeat", daemon=True)
            self._hb_thread.start()

    def stop(self) -> None:
        """Stops the threads; whatever is pending stays in the outbox for the next start."""
        self._hb_stop.set()
        if self._hb_thread:
            self._hb_thread.join(2.0)
        self.forwarder.stop()
        self.outbox.close()

    def _heartbeats(self) -> None:
        interval = self.config.queue.heartbeat_interval_s
        while not self._hb_stop.is_set():
            try:
                self.heartbeat(self.health_source() if self.health_source else [])
            except Exception:  # a broken health source must not stop the heartbeats
                import logging

                logging.getLogger(__name__).exception("heartbeat: health source failed")
            self._hb_stop.wait(interval)

    # -- the kiosk's calls ---------------------------------------------------------------------------
    def call_helper(self, kind: str, step: str, matter_id: str | None = None, matter_name: str | None = None,
                    ticket_no: str | None = None, priority: str = "normal", resident: dict | None = None,
                    *, visit_id: str | None = None, note: str | None = None, name_masked: str | None = None,
                    materials: list[dict] | None = None, rating_token: str | None = None) -> str:
        """Records a call for a helper and returns its request id at once (after the durable write).

        With ``visit_id``, pressing again during the same visit returns the visit's open request instead
        of creating a second one (until it is cancelled or finished). ``resident`` (name, id_number) is
        stored encrypted and dropped from the outbox as soon as the server has it (only a 代办 the resident
        agreed to hand over sends it). ``name_masked`` (张*) lets the helper find the resident without it;
        ``materials`` are ``{"id", "name", "state", "required"}`` (``kiosk/queue/request_materials.py``);
        ``rating_token`` is the one the resident's slip links to (``<public url>/r/<token>``, 好差评).
        """
        _check("kind", kind, REQUEST_KINDS)
        _check("step", step, STEPS)
        _check("priority", priority, PRIORITIES)
        from kiosk.queue.inputs import strip_controls

        # the server refuses NUL, ESC, U+202E … (422: a dead request), so they are dropped here
        note, matter_name = (strip_controls(t) if t else t for t in (note, matter_name))
        if note is not None and len(note) > 500:
            raise ValueError("note: longer than 500 characters")
        body = {"id": str(uuid.uuid4()), "kind": kind, "kiosk_id": self.config.kiosk_id,
                "site_code": self.config.site.code, "step": step, "matter_id": matter_id,
                "matter_name": matter_name, "ticket_no": ticket_no, "priority": priority,
                "created_at": _now_iso(), "resident": resident or None, "note": note}
        if name_masked:
            body["name_masked"] = name_masked
        if materials is not None:
            body["materials"] = materials
        if rating_token:
            body["rating_token"] = rating_token
        request_id, created = self.outbox.enqueue_request(body, "/api/v1/requests", visit_id=visit_id)
        if created:
            self.forwarder.wake()
        return request_id

    def cancel(self, request_id: str, reason: str = "resident_left") -> None:
        """Records that the request is no longer needed (sent after the request itself)."""
        _check("reason", reason, CANCEL_REASONS)
        self.outbox.close_request(request_id)
        self.outbox.enqueue("cancel", "POST", f"/api/v1/requests/{request_id}/cancel", {"reason": reason},
                            ref_id=request_id)
        self.forwarder.wake()

    def _own_request(self, request_id: str) -> str:
        """``request_id`` in canonical form; ValueError unless it is a request this kiosk's outbox holds."""
        try:
            request_id = str(uuid.UUID(str(request_id)))
        except ValueError:
            raise ValueError(f"request_id: '{request_id}' is not a request id") from None
        item = self.outbox.get(request_id)
        if item is None or item.kind != "request":
            raise ValueError(f"request_id: {request_id} is not a request of this kiosk")
        return request_id

    def add_note(self, request_id: str, text: str) -> str:
        """Records a note for a request this kiosk created (e.g. "打印机缺纸，请带上号码") and returns the
        note's id at once (after the durable write). It is sent after the request itself, with the same
        retry and dead rules; ID-number-shaped runs are masked before it is stored.

        Raises ValueError for empty text, text over 500 characters, or a request id this kiosk's outbox
        does not hold (never created here, or already purged)."""
        from kiosk.privacy import redact_text
        from kiosk.queue.inputs import strip_controls

        text = redact_text(strip_controls(text or "").strip())  # the server refuses NUL, ESC, U+202E … (422: dead)
        if not text:
            raise ValueError("text: empty note")
        if len(text) > 500:
            raise ValueError("text: longer than 500 characters")
        request_id = self._own_request(request_id)
        body = {"id": str(uuid.uuid4()), "text": text, "created_at": _now_iso()}
        note_id = self.outbox.enqueue("note", "POST", f"/api/v1/requests/{request_id}/notes", body,
                                      item_id=body["id"], ref_id=request_id)
        self.forwarder.wake()
        return note_id

    def report_notice(self, matter_id: str | None, matter_name: str | None, missing: int) -> str:
        """Records that a one-time notice (一次性告知单) listing ``missing`` materials was printed, for the
        supervision figures (no resident data)."""
        body = {"id": str(uuid.uuid4()), "kiosk_id": self.config.kiosk_id, "created_at": _now_iso(),
                "matter_id": matter_id, "matter_name": (matter_name or "")[:128] or None, "missing": int(missing)}
        item_id = self.outbox.enqueue("notice", "POST", "/api/v1/notices", body, item_id=body["id"])
        self.forwarder.wake()
        return item_id

    def rate(self, request_id: str, score: int, reasons: Iterable[str] = (), comment: str | None = None) -> str:
        """Records the resident's 好差评 of a request this kiosk created (5 非常满意 … 1 非常不满意; a score of
        2 or less needs a reason or a comment) and returns the rating's id after the durable write. It is
        sent after the request itself; ID numbers in the comment are masked before it is stored.

        Raises ValueError for a score outside 1–5, an unknown reason, a comment over 200 characters, a
        不满意 without reason or comment, or a request id this kiosk's outbox does not hold."""
        from kiosk.privacy import redact_text
        from kiosk.queue.rating_codes import REASONS

        if not isinstance(score, int) or not 1 <= score <= 5:
            raise ValueError(f"score: {score!r} is not 1–5")
        reasons = list(dict.fromkeys(reasons))
        unknown = [r for r in reasons if r not in REASONS]
        if unknown:
            raise ValueError(f"reasons: unknown {', '.join(unknown)}; expected {', '.join(REASONS)}")
        from kiosk.queue.inputs import strip_controls

        comment = redact_text(strip_controls(comment or "").strip()) or None
        if comment and len(comment) > 200:
            raise ValueError("comment: longer than 200 characters")
        if score <= 2 and not reasons and not comment:
            raise ValueError("reasons: a 不满意 rating needs a reason or a comment")
        request_id = self._own_request(request_id)
        body = {"id": str(uuid.uuid4()), "request_id": request_id, "score": score, "reasons": reasons,
                "comment": comment, "created_at": _now_iso()}
        rating_id = self.outbox.enqueue("rating", "POST", "/api/v1/ratings", body, item_id=body["id"],
                                        ref_id=request_id)
        self.forwarder.wake()
        return rating_id

    def heartbeat(self, healths: Iterable[Any]) -> str:
        """Records a heartbeat with each device's health (``Health`` objects or dicts). Coalesces. A
        device's reason is worded in the kiosk's language; its code and data go along in ``detail.reason``."""
        from kiosk.i18n import say

        devices = []
        for h in healths:
            d = h.as_dict() if hasattr(h, "as_dict") else dict(h)
            reason, detail = d.get("reason", ""), dict(d.get("detail") or {})
            if isinstance(reason, dict):  # a Reason (code and data)
                detail["reason"] = reason
                reason = say(getattr(h, "reason", "")) or reason.get("code", "")
            devices.append({"device": str(d["device"])[:32], "state": str(getattr(d["state"], "value", d["state"])),
                            "reason": str(reason)[:200], "detail": detail})
        body = {"id": str(uuid.uuid4()), "kiosk_id": self.config.kiosk_id, "sent_at": _now_iso(),
                "outbox_pending": self.outbox.pending_count(),
                "interval_s": int(self.config.queue.heartbeat_interval_s), "devices": devices[:32],
                "software_version": __version__, **(self.remote.report() if self.remote is not None else {})}
        item_id = self.outbox.enqueue("heartbeat", "POST", "/api/v1/heartbeats", body, item_id=body["id"])
        self.forwarder.wake()
        return item_id

    # -- what the UI reads ---------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self.forwarder.online

    @property
    def last_error(self) -> str | None:
        return self.forwarder.last_error

    def pending_count(self) -> int:
        return self.outbox.pending_count()

    def status(self, request_id: str) -> dict:
        """The last known status: ``{"id", "state", "delivered", "position", "expected_wait_s",
        "helper_display", "error"}``. ``state`` is the server's (waiting, claimed, …) once known, else
        ``queued`` (in the outbox), ``failed`` (refused by the server) or ``unknown`` (no such id)."""
        outbox_state, server = self.outbox.server_status(request_id)
        out = {"id": request_id, "state": "unknown", "delivered": outbox_state == "sent", "position": None,
               "expected_wait_s": None, "helper_display": None, "error": None}
        if outbox_state == "pending":
            out["state"] = "queued"
        elif outbox_state == "dead":
            out["state"] = "failed"
            item = self.outbox.get(request_id)
            out["error"] = item.last_error if item else None
        if server:
            out.update({k: v for k, v in server.items() if k in out})
        return out

    def notice(self) -> str | None:
        """The line to show the resident: "已记录，网络恢复后自动发送" while offline, else None."""
        if not self.online:
            return tr("outbox.offline")
        return None

    def status_text(self, request_id: str) -> str:
        """The status in the resident's words (through kiosk.i18n), e.g. "帮办员 李* 正在赶来"."""
        st = self.status(request_id)
        if st["state"] == "queued" and not self.online:
            return tr("outbox.offline")
        return tr(f"outbox.state.{st['state']}", helper=st.get("helper_display") or "")

    def wait_delivered(self, request_id: str, timeout: float = 5.0) -> bool:
        """Waits until the item is delivered (for tools and tests; never call it on the UI thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.outbox.server_status(request_id)[0] == "sent":
                return True
            time.sleep(0.02)
        return False


def _check(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}: '{value}' is not one of {', '.join(allowed)}")
