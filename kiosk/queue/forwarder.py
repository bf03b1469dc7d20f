"""The forwarder: a thread that sends the outbox to the help-queue server, in order, until it is stopped.

Contract
- Sends the oldest pending item with its client-generated id; the server is idempotent by that id, so a
  resend after a crash (the item was delivered but not yet marked) never creates a second request.
- 2xx → sent. 401/403/404/409/422 and any other 4xx except 408/425/429 → dead, keeping the server's message
  (visible in ``kiosk queue outbox``). 408/425/429/5xx and network errors → retry after a backoff of
  0.5 s doubling to 60 s with ±25 % jitter; ``Retry-After`` is honoured up to 60 s.
- ``online`` is True after a successful exchange, False after a network error or 5xx; ``last_error``
  says why (for the kiosk's manager screen). ``wake()`` (called by every enqueue) ends a wait at once.
- When the queue is empty it polls the status of open requests every ``poll_interval_s`` (offline: every
  ``probe_interval_s``, probing ``/healthz`` when nothing is open, so ``online`` is true soon after a
  restart) and purges old rows every ``purge_interval_s``.
- ``stop()`` ends the thread within the HTTP timeout; killing the process at any point loses nothing.
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from kiosk.privacy import redact_text
from kiosk.queue.outbox import Outbox, OutboxItem

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429})
FINAL_STATES = frozenset({"resolved", "converted", "cancelled"})


class Backoff:
    """0.5 s, 1 s, 2 s … capped at ``maximum``, each with ±``jitter`` random spread; ``reset()`` on success."""

    def __init__(self, initial: float = 0.5, maximum: float = 60.0, jitter: float = 0.25):
        self.initial, self.maximum, self.jitter = initial, maximum, jitter
        self._next = initial

    def next_delay(self) -> float:
        base = self._next
        self._next = min(self.maximum, self._next * 2)
        return base * random.uniform(1 - self.jitter, 1 + self.jitter)

    def reset(self) -> None:
        self._next = self.initial


def server_message(response: httpx.Response) -> str:
    """The server's explanation of a refusal, short, with any echoed personal data masked."""
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()[:300]
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        if isinstance(detail, list):  # FastAPI field errors: keep where and what, drop the echoed input
            parts = []
            for e in detail[:10]:
                if isinstance(e, dict):
                    loc = ".".join(str(p) for p in e.get("loc", []) if p != "body")
                    parts.append(f"{loc}: {e.get('msg', '')}".strip(": "))
                else:
                    parts.append(str(e))
            text = "; ".join(parts)
        else:
            text = str(detail)
    return redact_text(f"HTTP {response.status_code}: {text}")[:1000]


class Forwarder:
    """Sends ``outbox`` to ``base_url`` with ``token``. ``transport`` is for tests (an httpx transport)."""

    def __init__(self, outbox: Outbox, base_url: str, token: str | None, *, timeout_s: float = 5.0,
                 poll_interval_s: float = 3.0, purge_interval_s: float = 3600.0,
                 backoff: Backoff | None = None, on_change: Callable[[], None] | None = None,
                 transport: httpx.BaseTransport | None = None, ca_file: str | Path | None = None):
        self.outbox = outbox
        self.base_url = base_url.rstrip("/")
        headers = {"User-Agent": "kiosk-outbox/1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        verify = ssl.create_default_context(cafile=str(ca_file)) if ca_file else True  # a hall's internal CA
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s,
                                  transport=transport, verify=verify)
        self.poll_interval_s = poll_interval_s
        self.probe_interval_s = 10.0
        self.purge_interval_s = purge_interval_s
        self.backoff = backoff or Backoff()
        self.on_change = on_change
        self.online = False
        self.last_error: str | None = None
        self.sent_total = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_poll = 0.0
        self._last_purge = 0.0
        self.answers: dict[str, Callable[[dict], None]] = {}  # kind → reads the server's 2xx answer

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-forwarder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Asks the thread to end and waits for it (at most ``timeout``, default the HTTP timeout + 1 s)."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout if timeout is not None else self._http.timeout.read + 1.0)
        self._http.close()

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    # -- the loop ------------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception as err:  # a bug or a broken database must not kill the thread silently
                log.exception("outbox forwarder: unexpected error")
                self.last_error = redact_text(f"{type(err).__name__}: {err}")
                wait = 5.0
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()

    def step(self) -> float:
        """Does one unit of work; returns how long to wait before the next (0 = go on at once)."""
        item = self.outbox.next_due()
        if item is None:
            self._idle_work()
            return self.poll_interval_s
        delay = item.next_attempt_at - time.time()
        if delay > 0:
            return min(delay, 60.0)
        return self._send(item)

    def _set_online(self, online: bool, error: str | None) -> None:
        changed = online != self.online or error != self.last_error
        self.online, self.last_error = online, error
        if changed and self.on_change:
            try:
                self.on_change()
            except Exception:
                log.exception("outbox on_change listener failed")

    def _send(self, item: OutboxItem) -> float:
        try:
            response = self._http.request(item.method, item.path, json=item.body)
        except httpx.HTTPError as err:
            error = f"{type(err).__name__}: {redact_text(str(err)) or 'no answer'}"
            return self._retry(item, error, online=False)
        code = response.status_code
        if 200 <= code < 300:
            self.outbox.mark_sent(item.id)
            self.sent_total += 1
            self.backoff.reset()
            self._set_online(True, None)
            if item.kind == "request" or (item.kind == "cancel" and item.ref_id):
                self._remember_status(item.id if item.kind == "request" else item.ref_id, response)
            if item.kind in self.answers:  # e.g. heartbeats: the central settings (kiosk/config/remote_apply.py)
                self._answer(item.kind, response)
            return 0.0
        if code >= 500 or code in RETRY_STATUSES:
            retry_after = _retry_after(response)
            return self._retry(item, server_message(response), online=code < 500, at_least=retry_after)
        message = server_message(response)
        log.warning("outbox: %s %s refused permanently: %s", item.kind, item.id, message)
        self.outbox.mark_dead(item.id, message)
        self._set_online(True, None)
        return 0.0

    def _retry(self, item: OutboxItem, error: str, *, online: bool, at_least: float = 0.0) -> float:
        delay = max(self.backoff.next_delay(), min(at_least, 60.0))
        self.outbox.mark_retry(item.id, error, delay)
        self._set_online(online, error)
        return delay

    def _answer(self, kind: str, response: httpx.Response) -> None:
        try:
            data = response.json()
            if isinstance(data, dict):
                self.answers[kind](data)
        except Exception:  # a listener's failure never stops delivery
            log.exception("outbox: reading the %s answer failed", kind)

    def _remember_status(self, request_id: str, response: httpx.Response) -> None:
        try:
            data = response.json()
        except ValueError:
            return
        if isinstance(data, dict) and "state" in data:
            status = {k: data.get(k) for k in ("state", "position", "expected_wait_s", "helper_display")}
            self.outbox.set_server_status(request_id, status, final=status["state"] in FINAL_STATES)

    def _idle_work(self) -> None:
        now = time.time()
        if now - self._last_purge >= self.purge_interval_s:
            self._last_purge = now
            self.outbox.purge()
        interval = self.poll_interval_s if self.online else max(self.poll_interval_s, self.probe_interval_s)
        if now - self._last_poll < interval:
            return
        self._last_poll = now
        open_ids = self.outbox.open_requests()
        if not open_ids and not self.online:
            self.probe()
        for request_id in open_ids:
            if self._stop.is_set():
                return
            self.poll_status(request_id)

    def probe(self) -> None:
        """Finds out whether the server answers (``GET /healthz``) when there is nothing else to send."""
        try:
            response = self._http.get("/healthz")
        except httpx.HTTPError as err:
            self._set_online(False, f"{type(err).__name__}: {err}")
            return
        if response.status_code < 500:
            self._set_online(True, None)

    def poll_status(self, request_id: str) -> None:
        """Fetches one request's status and stores it; network trouble marks the kiosk offline."""
        try:
            response = self._http.get(f"/api/v1/requests/{request_id}")
        except httpx.HTTPError as err:
            self._set_online(False, f"{type(err).__name__}: {err}")
            return
        if response.status_code == 200:
            self._set_online(True, None)
            self._remember_status(request_id, response)
        elif response.status_code == 404:
            self.outbox.set_server_status(request_id, {"state": "unknown"}, final=True)


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", "0"))
    except ValueError:
        return 0.0
