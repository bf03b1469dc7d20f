"""``kiosk queue add-webhook | list-webhooks | remove-webhook``: a site's outgoing notifications.

``--secret`` may also come from the environment (``KIOSK_WEBHOOK_SECRET``) so it stays out of the shell
history; it is stored encrypted with the server's identity key (the same ``--state-dir``) and never printed.
"""

from __future__ import annotations

import argparse
import os
import sys

from kiosk.queue.server_cli import _db_options, _fail, _now, _on_database
from kiosk.queue.webhook_formats import KINDS


def add_commands(qsub: argparse._SubParsersAction) -> None:
    p = qsub.add_parser("add-webhook", help="添加站点通知地址 (企业微信/钉钉/飞书 robot or JSON webhook)")
    _db_options(p)
    p.add_argument("--site", required=True, help="site code")
    p.add_argument("--kind", required=True, choices=KINDS)
    p.add_argument("--url", required=True, help="the robot's webhook address (http/https)")
    p.add_argument("--secret", default=os.environ.get("KIOSK_WEBHOOK_SECRET"),
                   help="signing secret (钉钉 加签, 飞书 签名校验, JSON: HMAC header); env KIOSK_WEBHOOK_SECRET")
    p.set_defaults(func=cmd_add)
    p = qsub.add_parser("list-webhooks", help="列出通知地址及最近的错误 (webhooks and their last errors)")
    _db_options(p)
    p.add_argument("--site", help="only this site")
    p.set_defaults(func=cmd_list)
    p = qsub.add_parser("remove-webhook", help="删除通知地址 (remove a webhook)")
    _db_options(p)
    p.add_argument("--id", type=int, required=True)
    p.set_defaults(func=cmd_remove)


def cmd_add(args: argparse.Namespace) -> int:
    from kiosk.queue import webhooks
    from kiosk.queue.crypto import IdentityBox, load_cipher

    box = IdentityBox(load_cipher(args.state_dir))
    view, failed = _on_database(args, lambda db: webhooks.add(db, box, args.site, args.kind, args.url, args.secret,
                                                               "cli", _now()))
    if failed is not None:
        return failed
    print(f"webhook {view['id']} added: {view['site_code']} {view['kind']} {view['url']}", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from kiosk.queue import webhooks

    rows, failed = _on_database(args, lambda db: webhooks.listing(db, frozenset({args.site}) if args.site else None))
    if failed is not None:
        return failed
    if not rows:  # said on stderr: the listing itself stays empty for scripts
        print("没有通知地址 (no webhooks" + (f" for site {args.site}" if args.site else "")
              + "): kiosk queue add-webhook adds one", file=sys.stderr)
    for r in rows:
        error = f"  last error {r['last_error_at']:%Y-%m-%d %H:%M}: {r['last_error']}" if r["last_error"] else ""
        print(f"{r['id']:>4} {r['site_code']:<12} {r['kind']:<8} sent {r['sent']:<5} failed {r['failed']:<4} "
              f"dropped {r['dropped']:<4} {r['url']}{' (signed)' if r['secret_set'] else ''}{error}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from kiosk.queue import webhooks

    removed, failed = _on_database(args, lambda db: webhooks.remove(db, args.id))
    if failed is not None:
        return failed
    if not removed:
        return _fail(f"没有编号为 {args.id} 的通知地址 (no webhook {args.id})")
    print(f"webhook {args.id} removed", file=sys.stderr)
    return 0
