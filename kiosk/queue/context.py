"""The server's settings and its context: the database, services, event bus and background work one
server process shares (built once by :func:`build_context`, reached by handlers through ``deps.Ctx``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from kiosk.queue.auth import Authenticator
from kiosk.queue.cases import CaseService
from kiosk.queue.crypto import IdentityBox, derived_secret, load_cipher
from kiosk.queue.db import Database
from kiosk.queue.escalation import Background
from kiosk.queue.events import LocalPublisher, PgListener, PgPublisher, pg_channel
from kiosk.queue.fanout import EventBus
from kiosk.queue.health import HealthService
from kiosk.queue.keeper import StreamKeeper
from kiosk.queue.metrics import Metrics
from kiosk.queue.ratings import rating_url
from kiosk.queue.reads import PER_MINUTE as READS_PER_MINUTE
from kiosk.queue.reads import ReadBudget, Work, payer
from kiosk.queue.service import QueueService
from kiosk.queue.throttle import LoginThrottle, PasswordChecks, Policy
from kiosk.queue.txn import PUSHED_TYPES
from kiosk.queue.webhook_sender import WebhookSender

PG_THREADS = 16  # service calls at once on PostgreSQL (anyio's default is 40); the pool keeps 40 connections
# Python's GIL switch interval on PostgreSQL servers (default 5 ms): each of a write's ~4 round trips
# ends with its thread waiting for the GIL while the event loop fans events out; measured with
# bench_queue_scale at 200 calls/s, load 13-14: a create's mean time in the server 1.6 s -> 0.55 s.
PG_SWITCH_S = 0.0005


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServerSettings:
    db_url: str
    state_dir: Path | None = None
    clock: Callable[[], datetime] = utcnow
    escalation_tick_s: float = 1.0
    purge_s: float = 60.0
    deadline_sweep_s: float = 30.0  # 代办 due-soon / overdue flags, pushed live as they are raised
    login_threads: int = 1  # password checks at once (argon2id: ~19 MiB each); see kiosk/queue/throttle.py
    login_first_wait_s: float = 1.0  # the throttle's first wait; each further one doubles it
    login_queue: int = 32  # password checks waiting beyond those; more are refused (503 login_busy)
    session_ttl_s: int = 12 * 3600
    auth_cache_s: float = 5.0
    cookie_secure: bool = False  # always Secure; otherwise Secure whenever the request came over HTTPS
    docs: bool = False  # serve /docs (Swagger UI, offline)
    trusted_proxies: tuple[str, ...] = ()  # addresses/networks whose X-Forwarded-* are believed
    sse_ping_s: float = 15.0
    stream_recheck_s: float = 5.0  # event streams re-check their session this often (revocation)
    identity_hours: float = 1.0
    heartbeat_days: int = 7
    case_retention_days: int = 365  # closed 代办 cases' personal data erased after this (kiosk/queue/retention.py)
    webhook_tick_s: float = 0.5  # how often the webhook sender looks for new events (kiosk/queue/webhook_sender.py)
    kiosk_writes_per_minute: int = 240  # a kiosk's POSTs beyond this answer 429 (kiosk/queue/guard.py)
    staff_writes_per_minute: int = 1200  # a staff member's (all sessions') beyond this answer 429 (guard.py)
    staff_reads_per_minute: int = READS_PER_MINUTE  # a session's read units a minute; beyond, 429 (reads.py)
    webhook_retry_s: float = 2.0  # its first retry wait; each further one doubles (at most 5 minutes)
    migrate: bool = True
    sqlite_synchronous: str = "NORMAL"
    extra: dict = field(default_factory=dict)


@dataclass
class Context:
    settings: ServerSettings
    db: Database
    auth: Authenticator
    queue: QueueService
    health: HealthService
    bus: EventBus
    listener: PgListener | None
    background: Background
    cases: CaseService | None = None
    throttle: LoginThrottle | None = None
    passwords: PasswordChecks | None = None
    metrics: Metrics = field(default_factory=Metrics)
    streams: StreamKeeper | None = None  # open event streams: session re-checks, keep-alives
    rating_budget: object | None = None  # kiosk.queue.budget.AddressBudget, made on first use
    webhooks: WebhookSender | None = None
    box: IdentityBox | None = None
    reads: ReadBudget = field(default_factory=ReadBudget)  # staff sessions' reads (kiosk/queue/reads.py)

    async def run(self, fn, *args, **kwargs):
        """Runs a service call: inline on SQLite (sub-millisecond, one writer: no thread hop, the GIL is
        the limit anyway), in the thread pool on PostgreSQL (network round trips, row-lock waits). A staff
        session's read (:class:`kiosk.queue.reads.Work`) is charged the CPU the call took in this process
        (the event loop's on SQLite; its service thread's on PostgreSQL, the database's own not counted)."""
        if payer() is None:  # a kiosk's call, a write, the background: nothing to charge (the hot paths)
            return fn(*args, **kwargs) if self.db.is_sqlite else await run_in_threadpool(fn, *args, **kwargs)
        work = Work(fn, *args, **kwargs)
        try:
            return work() if self.db.is_sqlite else await run_in_threadpool(work)
        finally:  # (charged on the loop: the budget is not shared with threads)
            work.settle()


def build_context(settings: ServerSettings) -> Context:
    db = Database(settings.db_url, sqlite_synchronous=settings.sqlite_synchronous)
    if settings.migrate:
        db.migrate()
    bus = EventBus(types=PUSHED_TYPES)
    box = IdentityBox(load_cipher(settings.state_dir))
    listener = None
    if db.is_postgres:
        with db.read() as conn:
            channel = pg_channel(conn)
        conninfo = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        publisher = PgPublisher(channel, conninfo)
        listener = PgListener(conninfo, channel, bus)
    else:
        publisher = LocalPublisher(bus)
    queue = QueueService(db, box, settings.clock, publisher)
    if db.is_sqlite:
        from kiosk.queue.group import GroupCommit

        queue.group = GroupCommit(db)
    health = HealthService(db, settings.clock, heartbeat_days=settings.heartbeat_days,
                           identity_hours=settings.identity_hours)
    auth = Authenticator(db, settings.clock, session_ttl_s=settings.session_ttl_s, cache_s=settings.auth_cache_s)
    cases = CaseService(db, box, settings.clock, catalog_path=settings.extra.get("catalog"), publisher=publisher,
                        retention_days=settings.case_retention_days)
    cases.paper.rating_url = rating_url(settings.extra.get("public_url"))  # the return slip's QR: /r/<token>
    background = Background(queue, health, tick_s=settings.escalation_tick_s, purge_s=settings.purge_s,
                            cases=cases, sweep_s=settings.deadline_sweep_s, db=db)
    throttle = LoginThrottle(derived_secret(settings.state_dir, "device cookies"),
                             Policy(first_wait_s=settings.login_first_wait_s))
    passwords = PasswordChecks(settings.login_threads, settings.login_queue)
    webhooks = WebhookSender(db, box, settings.clock, tick_s=settings.webhook_tick_s, retry_s=settings.webhook_retry_s)
    context = Context(settings, db, auth, queue, health, bus, listener, background, cases, throttle, passwords,
                      webhooks=webhooks, box=box, reads=ReadBudget(settings.staff_reads_per_minute))
    context.streams = StreamKeeper(db, settings.clock, context.run, ping_s=settings.sse_ping_s,
                                   recheck_s=settings.stream_recheck_s)
    return context
