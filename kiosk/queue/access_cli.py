"""``kiosk queue disable-user | enable-user | disable-kiosk | enable-kiosk``: take access away, and give it back.

Disabling a user ends every session of theirs at once (servers notice within a second — PostgreSQL
notifies, SQLite's counter is polled — open event streams included) and their logins then fail like a wrong password; disabling a kiosk makes its token fail.
Enabling restores access; sessions that were ended stay ended.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.queue.server_cli import _db_options, _on_database


def add_commands(qsub: argparse._SubParsersAction) -> None:
    for verb, active in (("disable", False), ("enable", True)):
        p = qsub.add_parser(f"{verb}-user", help=("停用账户并结束其全部登录 (disable an account, ending its sessions)"
                                                  if not active else "重新启用账户 (enable an account again)"))
        _db_options(p)
        p.add_argument("--username", required=True)
        p.set_defaults(func=cmd_user, active=active)
        p = qsub.add_parser(f"{verb}-kiosk", help=("停用终端令牌 (disable a kiosk's token)" if not active
                                                   else "重新启用终端 (enable a kiosk again)"))
        _db_options(p)
        p.add_argument("--kiosk-id", required=True)
        p.set_defaults(func=cmd_kiosk, active=active)


def cmd_user(args: argparse.Namespace) -> int:
    from kiosk.queue.provision import set_user_active

    ended, failed = _on_database(args, lambda db: set_user_active(db, args.username, args.active))
    if failed is not None:
        return failed
    if args.active:
        print(f"user {args.username} enabled", file=sys.stderr)
    else:
        print(f"user {args.username} disabled; {ended} session(s) ended", file=sys.stderr)
    return 0


def cmd_kiosk(args: argparse.Namespace) -> int:
    from kiosk.queue.provision import set_kiosk_active

    _, failed = _on_database(args, lambda db: set_kiosk_active(db, args.kiosk_id, args.active))
    if failed is not None:
        return failed
    print(f"kiosk {args.kiosk_id} {'enabled' if args.active else 'disabled'}", file=sys.stderr)
    return 0
