"""``kiosk queue serve | add-site | add-kiosk | add-user``: run and provision the help-queue server.

Building the parser imports nothing heavy; handlers import FastAPI/SQLAlchemy when they run. The database
is SQLite in ``--state-dir`` unless ``--db`` names PostgreSQL; the state directory also holds the identity
key (``queue.key``, 0600) unless ``$KIOSK_QUEUE_KEYS`` is set.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

DEFAULT_STATE_DIR = "queue-state"
BACKLOG = 8192  # pending connections (the kernel caps it at net.core.somaxconn): 5,000 kiosks reconnecting at once


def _db_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", default=os.environ.get("KIOSK_QUEUE_DB"),
                   help="postgresql+psycopg://user@host/db (default: SQLite in the state directory; env KIOSK_QUEUE_DB)")
    p.add_argument("--state-dir", metavar="DIR", type=Path,
                   default=Path(os.environ.get("KIOSK_QUEUE_STATE", DEFAULT_STATE_DIR)),
                   help=f"database (SQLite), identity key (default: ./{DEFAULT_STATE_DIR}; env KIOSK_QUEUE_STATE)")


def add_commands(qsub: argparse._SubParsersAction) -> None:
    """Registers this module's `kiosk queue` actions."""
    p = qsub.add_parser("serve", help="运行帮办呼叫队列服务 (run the help-queue server)")
    _db_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8600, help="TCP port (default 8600; 0 = any free port)")
    p.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL only)")
    p.add_argument("--escalation-tick", type=float, default=1.0, metavar="S", help="escalation check period")
    p.add_argument("--sqlite-sync", choices=("normal", "full"), default="normal",
                   help="normal: commits survive a killed process; full: also a power cut (slower)")
    p.add_argument("--cookie-secure", action="store_true",
                   help="always mark the session cookies Secure (they are anyway when a request came over HTTPS)")
    p.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this PEM certificate (chain); the session "
                                                      "cookie is then Secure (see `kiosk queue tls-cert`)")
    p.add_argument("--tls-key", metavar="FILE", help="the certificate's PEM private key")
    p.add_argument("--catalog", metavar="FILE", type=Path, default=os.environ.get("KIOSK_QUEUE_CATALOG"),
                   help="matters catalogue (TOML) for 代办 deadlines; checked at start "
                        "(default: the shipped sample; env KIOSK_QUEUE_CATALOG)")
    p.add_argument("--login-first-wait", type=float, default=1.0, metavar="S",
                   help="the first wait after too many wrong passwords; each further one doubles it (default 1 s, "
                        "see API.md 'Limits and security')")
    p.add_argument("--case-retention-days", type=int, metavar="N",
                   default=int(os.environ.get("KIOSK_QUEUE_CASE_RETENTION_DAYS") or 365),
                   help="erase closed 代办 cases' personal data N days after closing (365; env KIOSK_QUEUE_CASE_RETENTION_DAYS)")
    p.add_argument("--public-url", metavar="URL", default=os.environ.get("KIOSK_QUEUE_PUBLIC_URL"),
                   help="the address residents' phones reach, e.g. https://zw.example.gov.cn: the 材料归还单's QR "
                        "code links to URL/r/<token> for 好差评 (env KIOSK_QUEUE_PUBLIC_URL)")
    from kiosk.queue.serve_options import add_options

    add_options(p)
    p.set_defaults(func=cmd_serve)

    p = qsub.add_parser("add-site", help="添加或修改站点 (add or update a site)")
    _db_options(p)
    p.add_argument("--code", required=True, help="site code, e.g. 421303")
    p.add_argument("--name", required=True, help="e.g. 曾都区政务服务中心")
    p.add_argument("--level", required=True, type=_level, metavar="{district,town,village}",
                   help="district (区级政务服务大厅), town (镇、街道便民服务大厅) or village (村、社区便民服务室)")
    p.add_argument("--parent", help="the next level up (escalation goes there)")
    p.add_argument("--phone", help="the hall's public phone (咨询电话) printed on 代办 slips, e.g. 0722-3251234; "
                                   "\"\" removes it; left out: kept as it is")
    p.add_argument("--escalate-after", type=int, default=180, metavar="S", help="flag unclaimed after S s (180)")
    p.add_argument("--escalate-up-after", type=int, default=600, metavar="S",
                   help="send to the parent site after S s (600)")
    p.set_defaults(func=cmd_add_site)

    p = qsub.add_parser("add-kiosk", help="登记终端并签发令牌 (register a kiosk, print its token once)")
    _db_options(p)
    p.add_argument("--kiosk-id", required=True)
    p.add_argument("--site", required=True, help="site code")
    p.add_argument("--location", default="", help="where it stands in the hall, e.g. 一楼大厅东侧")
    p.add_argument("--rotate", action="store_true", help="issue a new token for an existing kiosk")
    p.set_defaults(func=cmd_add_kiosk)

    p = qsub.add_parser("add-user", help="添加帮办员/管理员 (add a staff account; password from stdin)")
    _db_options(p)
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=("helper", "manager", "supervisor"))
    p.add_argument("--sites", required=True, help="comma-separated site codes")
    p.add_argument("--display-name", help="the name colleagues see, e.g. 李四")
    p.add_argument("--update", action="store_true", help="reset password, role and sites of an existing user")
    p.set_defaults(func=cmd_add_user)


def _database(args: argparse.Namespace):
    from kiosk.queue.db import Database, sqlite_url

    if args.db:
        url = args.db
    else:
        args.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        url = sqlite_url(args.state_dir)
    db = Database(url)
    db.migrate()
    if db.is_sqlite and not args.db:  # a --db sqlite:/// file elsewhere keeps the mode its owner gave it
        os.chmod(args.state_dir / "queue.sqlite3", 0o600)  # WAL and SHM files inherit this mode
    return db


def _now():
    from datetime import UTC, datetime
    return datetime.now(UTC)


def _fail(message: str) -> int:
    print(f"错误 error: {message}", file=sys.stderr)
    return 2


def _on_database(args: argparse.Namespace, work):
    """``(work(db), None)`` on the migrated database of ``args``, or ``(None, 2)`` once bad input was printed."""
    from kiosk.queue.errors import QueueError
    db = _database(args)
    try:
        return work(db), None
    except (ValueError, QueueError) as exc:  # QueueError: e.g. NotFound for a kiosk id with a typo
        return None, _fail(str(exc))
    finally:
        db.dispose()


def _level(text: str) -> str:
    """``--level``: one of the config's levels; a legacy spelling (hall, city) with a deprecation message."""
    from kiosk.config.levels import normal_level

    try:
        level, deprecated = normal_level(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if deprecated:
        print(f"kiosk queue add-site: {deprecated}", file=sys.stderr)
    return level


def cmd_add_site(args: argparse.Namespace) -> int:
    from kiosk.queue.provision import add_site

    created, failed = _on_database(args, lambda db: add_site(
        db, args.code, args.name, args.level, _now(), parent=args.parent,
        escalate_after_s=args.escalate_after, escalate_up_after_s=args.escalate_up_after, phone=args.phone))
    if failed is not None:
        return failed
    print(f"site {args.code} {'added' if created else 'updated'}", file=sys.stderr)
    return 0


def cmd_add_kiosk(args: argparse.Namespace) -> int:
    from kiosk.queue.provision import add_kiosk

    token, failed = _on_database(args, lambda db: add_kiosk(db, args.kiosk_id, args.site, _now(),
                                                            location=args.location, rotate=args.rotate))
    if failed is not None:
        return failed
    print(f"kiosk {args.kiosk_id} registered; its token follows (shown only this once: put it in the "
          "kiosk's token_file, mode 0600)", file=sys.stderr)
    print(token)
    return 0


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码 password: ")
    if getpass.getpass("再输一次 again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_add_user(args: argparse.Namespace) -> int:
    from kiosk.queue.provision import add_user

    try:
        password = _read_password()
    except ValueError as exc:
        return _fail(str(exc))
    _, failed = _on_database(args, lambda db: add_user(db, args.username, args.role, args.sites.split(","),
                                                       password, _now(), display_name=args.display_name,
                                                       update_existing=args.update))
    if failed is not None:
        return failed
    print(f"user {args.username} ({args.role}) saved", file=sys.stderr)
    return 0


_ENV = {"db": "KIOSK_QUEUE_DB", "state": "KIOSK_QUEUE_STATE", "tick": "KIOSK_QUEUE_TICK",
        "secure": "KIOSK_QUEUE_COOKIE_SECURE", "sync": "KIOSK_QUEUE_SQLITE_SYNC", "catalog": "KIOSK_QUEUE_CATALOG",
        "retention": "KIOSK_QUEUE_CASE_RETENTION_DAYS", "public": "KIOSK_QUEUE_PUBLIC_URL",
        "proxies": "KIOSK_QUEUE_TRUSTED_PROXIES", "docs": "KIOSK_QUEUE_DOCS",
        "login_wait": "KIOSK_QUEUE_LOGIN_FIRST_WAIT", "reads": "KIOSK_QUEUE_READS_PER_MINUTE"}


def _settings(values: dict[str, str]):
    from kiosk.queue.api import ServerSettings

    return ServerSettings(db_url=values["db"], state_dir=Path(values["state"]),
                          escalation_tick_s=float(values["tick"]), cookie_secure=values["secure"] == "1",
                          migrate=False, sqlite_synchronous=values["sync"],
                          case_retention_days=int(values.get("retention") or 365),
                          trusted_proxies=tuple(a for a in values.get("proxies", "").split(",") if a),
                          docs=values.get("docs") == "1",
                          login_first_wait_s=float(values.get("login_wait") or 1.0),
                          **({"staff_reads_per_minute": int(values["reads"])} if values.get("reads") else {}),
                          extra={k: v for k, v in (("catalog", values.get("catalog")),
                                                   ("public_url", values.get("public")),
                                                   # the garbage collector tuned once started (kiosk/queue/gcwatch.py)
                                                   ("gc", os.environ.get("KIOSK_QUEUE_GC", "tuned"))) if v})


def app_from_env():
    """uvicorn factory for ``--workers`` > 1: each worker process builds its app from the environment
    that ``serve`` exported for it."""
    from kiosk.queue.api import create_app

    return create_app(_settings({key: os.environ.get(name, "") for key, name in _ENV.items()}))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk.queue.api import create_app
    from kiosk.queue.crypto import KeyProblem
    from kiosk.queue.serve_options import check_catalog, exported, trusted_proxies, uvicorn_kwargs

    if args.public_url and not args.public_url.startswith(("https://", "http://")):
        return _fail(f"--public-url '{args.public_url}' must start with https:// (the address phones reach)")
    if args.case_retention_days < 1:
        return _fail("--case-retention-days must be at least 1 (days after a case closed)")
    if not 0.1 <= args.login_first_wait <= 60:
        return _fail("--login-first-wait must be between 0.1 and 60 seconds")
    if args.reads_per_minute < 1 or args.answer_timeout <= 0:
        return _fail("--reads-per-minute must be at least 1 and --answer-timeout above 0 seconds")
    try:
        catalog = check_catalog(args.catalog)  # before anything is created: a bad file changes nothing
    except ValueError as exc:
        return _fail(str(exc))
    tls = {}
    if args.tls_cert or args.tls_key:
        from kiosk.queue.ops.tls import check_pair

        problem = check_pair(args.tls_cert, args.tls_key) if args.tls_cert and args.tls_key else \
            "--tls-cert and --tls-key go together"
        if problem:
            return _fail(f"TLS: {problem}")
        tls = {"ssl_certfile": args.tls_cert, "ssl_keyfile": args.tls_key}
        args.cookie_secure = True
    db = _database(args)  # create and migrate once, before any worker starts
    is_sqlite, url = db.is_sqlite, db.url
    db.dispose()
    if args.workers > 1 and is_sqlite:
        return _fail("several workers need PostgreSQL (--db postgresql+psycopg://…); SQLite has one writer")
    values = {"db": url, "state": str(args.state_dir.resolve()), "tick": str(args.escalation_tick),
              "secure": "1" if args.cookie_secure else "0", "sync": args.sqlite_sync, "catalog": catalog or "",
              "retention": str(args.case_retention_days), "public": args.public_url or "",
              "proxies": ",".join(sorted(trusted_proxies(args))), "docs": "1" if args.docs else "0",
              "login_wait": str(args.login_first_wait), "reads": str(args.reads_per_minute)}
    try:
        app = create_app(_settings(values))  # also checks the key before any worker starts
        kwargs = uvicorn_kwargs(args) | tls
    except (KeyProblem, ValueError, RuntimeError) as exc:
        return _fail(str(exc))
    scheme = "https" if tls else "http"
    if args.workers > 1:
        app.state.ctx.db.dispose()  # each worker builds its own
        os.environ.update({name: values[key] for key, name in _ENV.items()} | exported(args))
        print(f"help-queue server on {scheme}://{args.host}:{args.port} with {args.workers} workers", file=sys.stderr)
        uvicorn.run("kiosk.queue.server_cli:app_from_env", host=args.host, port=args.port, workers=args.workers,
                    backlog=BACKLOG,
                    factory=True, **kwargs)
        return 0
    import socket

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
        sock.listen(BACKLOG)  # connections wait in the backlog until the app has started (and in bursts)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port} ({exc.strerror}); pick another --port")
    host, port = sock.getsockname()[:2]
    # The first line names the real port (useful with --port 0); OpenAPI at /openapi.json (/docs with --docs).
    print(f"help-queue server listening on {scheme}://{host}:{port}", file=sys.stderr, flush=True)
    # backlog again: uvicorn listens on the socket once more with its own (2,048 unless told), and a full
    # queue drops connections (the kiosks then wait for SYN-ACK retransmissions: 1 s, 3 s, 7 s)
    uvicorn.Server(uvicorn.Config(app, backlog=BACKLOG, **kwargs)).run(sockets=[sock])
    return 0
