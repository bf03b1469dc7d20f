"""``kiosk queue install | uninstall | backup | restore | status | tls-cert``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def add_commands(qsub: argparse._SubParsersAction) -> None:
    from kiosk.deploy.cli import _common
    from kiosk.queue.server_cli import _db_options

    p = qsub.add_parser("install", help="把呼叫服务装成系统服务 (run the server as a hardened systemd service; root)")
    p.add_argument("--db", metavar="URL", help="PostgreSQL URL (default: SQLite in /var/lib/kiosk-queue)")
    p.add_argument("--listen", metavar="ADDR", help="HOST:PORT (default 0.0.0.0:8443 with TLS, 0.0.0.0:8600 "
                                                     "without, 127.0.0.1:8600 behind --proxy)")
    p.add_argument("--tls-cert", type=Path, metavar="FILE", help="PEM certificate chain (kiosk queue tls-cert)")
    p.add_argument("--tls-key", type=Path, metavar="FILE", help="its PEM private key")
    p.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL only)")
    p.add_argument("--proxy", choices=("nginx",), help="TLS at nginx in front of the server (writes its site)")
    p.add_argument("--server-name", metavar="NAME", help="with --proxy: the host name phones open")
    p.add_argument("--catalog", type=Path, metavar="FILE", help="matters catalogue for 代办 deadlines")
    p.add_argument("--user", default="kiosk-queue", help="system user (default kiosk-queue)")
    _common(p)
    p.set_defaults(func=_install)

    p = qsub.add_parser("uninstall", help="撤销 kiosk queue install (keeps the database unless --purge)")
    p.add_argument("--purge", action="store_true", help="also delete the database, keys and configuration")
    p.add_argument("--root", type=Path, default=Path("/"), metavar="DIR")
    p.add_argument("--dry-run", action="store_true", help="print what would be run and removed; change nothing")
    p.set_defaults(func=_uninstall)

    p = qsub.add_parser("backup", help="在线备份数据库和密钥 (back up the database and keys while serving)")
    _db_options(p)
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="the archive to write (0600)")
    p.add_argument("--key-out", type=Path, metavar="FILE",
                   help="write the identity keys to this file instead of into the archive (keep them apart)")
    p.set_defaults(func=_backup)

    p = qsub.add_parser("restore", help="从备份恢复 (restore a backup; stop the server first)")
    _db_options(p)
    p.add_argument("file", type=Path, help="an archive from kiosk queue backup")
    p.add_argument("--key", type=Path, metavar="FILE", help="the keys, when the backup was made with --key-out")
    p.set_defaults(func=_restore)

    p = qsub.add_parser("status", help="版本、数据库、迁移、终端、队列 (version, database, kiosks, queue)")
    _db_options(p)
    p.add_argument("--url", action="append", default=[], metavar="URL",
                   help="a running server to ask for its live consoles (repeatable; default: the installed one)")
    p.add_argument("--ca", metavar="FILE", help="CA to trust for an https:// --url (the hall's ca.pem)")
    p.add_argument("--json", action="store_true", help="the same as one JSON object")
    p.set_defaults(func=_status)

    p = qsub.add_parser("tls-cert", help="内部 CA 和服务器证书 (an internal CA and a server certificate)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder of the CA and certificates")
    p.add_argument("--name", action="append", required=True, metavar="HOST",
                   help="a host name or IP address phones use to reach the server (repeatable)")
    p.add_argument("--days", type=int, default=397, help="validity of the server certificate (max 397)")
    p.set_defaults(func=_tls_cert)


def _fail(message: str, code: int = 2) -> int:
    print(f"错误 error: {message}", file=sys.stderr)
    return code


def _url(args: argparse.Namespace) -> str:
    from kiosk.queue.db import sqlite_url

    return args.db or sqlite_url(args.state_dir)


def _install(args: argparse.Namespace) -> int:
    from kiosk.deploy.cli import run_install
    from kiosk.queue.ops.install import QueueOptions, build

    opts = QueueOptions(db=args.db, listen=args.listen, tls_cert=args.tls_cert, tls_key=args.tls_key,
                        workers=args.workers, proxy=args.proxy, server_name=args.server_name, catalog=args.catalog,
                        user=args.user, root=args.root, dry_run=args.dry_run)
    return run_install(args, "kiosk queue install", lambda: build(opts),
                       lambda plan, _manifest: f"kiosk-queue installed under {args.root}; record in {plan.manifest}")


def _uninstall(args: argparse.Namespace) -> int:
    from kiosk.deploy.cli import run_uninstall

    return run_uninstall(args, "kiosk queue uninstall", "/etc/kiosk-queue/install.json", "kiosk-queue uninstalled",
                         "the database, keys and /etc/kiosk-queue stay, with a record of them: "
                         "kiosk queue uninstall --purge deletes them")


def _backup(args: argparse.Namespace) -> int:
    from kiosk.queue.ops.backup import BackupError, backup

    try:
        manifest = backup(_url(args), args.state_dir, args.out, key_out=args.key_out)
    except BackupError as err:
        return _fail(str(err), 1)
    c = manifest["counts"]
    print(f"backup {args.out}: {manifest['database']} at {manifest['revision']}, {c['requests']} requests, "
          f"{c['cases']} cases, {c['kiosks']} kiosks, {c['users']} staff; {manifest['identities']['opened']} "
          f"identities open with the key ({'in ' + str(args.key_out) if args.key_out else 'in the archive'}). "
          "It holds personal data: keep it as private as the server.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from kiosk.queue.ops.archive import ArchiveError
    from kiosk.queue.ops.restore import RestoreError, restore

    try:
        result = restore(args.file, state_dir=args.state_dir, db_url=args.db, key_file=args.key)
    except (RestoreError, ArchiveError) as err:
        return _fail(str(err), 1)
    c, m = result["counts"], result["manifest"]
    same = "the same as" if c == m["counts"] else "DIFFERENT from"
    print(f"restored {args.file} (made {m['created_at']}): {c['requests']} requests, {c['cases']} cases, "
          f"{c['kiosks']} kiosks ({same} the backup's counts); {result['identities']['opened']} identities "
          f"open with the key; schema at {result['migrated_to']}")
    for path in result["moved_aside"]:
        print(f"  kept the previous {Path(path).name.split('.before-restore')[0]} as {path}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from kiosk.queue.ops.inspect import key_material
    from kiosk.queue.ops.live import ops_token
    from kiosk.queue.ops.status import gather, render

    urls = args.url or _installed_urls()
    token = None
    if urls:
        try:
            token = ops_token(key_material(args.state_dir)[0])
        except (OSError, ValueError):
            token = None  # the server will answer 404: said so in the output
    data = gather(_url(args), server_urls=urls, token=token, ca_file=args.ca)
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n" if args.json else render(data))
    return 0 if data.get("revision") == data.get("head_revision") else 3


def _installed_urls() -> list[str]:
    unit = Path("/etc/systemd/system/kiosk-queue.service")
    if not unit.exists():
        return []
    words = unit.read_text(encoding="utf-8").split()
    try:
        host, port = words[words.index("--host") + 1], words[words.index("--port") + 1]
    except (ValueError, IndexError):
        return []
    scheme = "https" if "--tls-cert" in words else "http"
    return [f"{scheme}://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"]


def _tls_cert(args: argparse.Namespace) -> int:
    from kiosk.queue.ops.tls import SERVER_DAYS, make_certs

    if not 1 <= args.days <= SERVER_DAYS:
        return _fail(f"--days {args.days}: browsers refuse server certificates valid for more than {SERVER_DAYS} days")
    names = list(dict.fromkeys([*args.name, "127.0.0.1", "localhost"]))  # status and checks on the machine itself
    try:
        paths = make_certs(args.out, names, days=args.days)
    except ValueError as err:
        return _fail(str(err))
    print(f"certificate {paths['cert']} (key {paths['key']}, 0600) for {', '.join(names)}, "
          f"valid {args.days} days, from the CA {paths['ca']}.\n"
          f"Install {paths['ca']} once on each helper's phone (Android: 设置 → 安全 → 加密与凭据 → 安装证书 → "
          "CA 证书; iPhone: open the file, install the profile, then 通用 → 关于本机 → 证书信任设置) and on the "
          f"kiosks (queue.ca_file). Keep {Path(args.out) / 'ca.key'} offline: it can sign for any name.")
    if os.geteuid() == 0:
        print("then: kiosk queue install --tls-cert … --tls-key … (copies them where the service reads them)")
    return 0
