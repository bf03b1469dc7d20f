"""``kiosk queue set-config | show-config``: central kiosk settings from the command line.

``set-config --site CODE [--kiosk ID] KEY=VALUE… [--unset KEY…]``: VALUE is read as TOML (``120``, ``true``,
``"一楼大厅"``; bare text is taken as text). Stored as a new version by ``cli`` (the console records the
manager's name); kiosks get it with their next heartbeat answer.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib

from kiosk.queue.server_cli import _db_options, _fail, _now, _on_database


def add_commands(qsub: argparse._SubParsersAction) -> None:
    p = qsub.add_parser("set-config", help="修改站点默认或某台终端的设置 (central kiosk settings: a new version)")
    _db_options(p)
    p.add_argument("--site", required=True)
    p.add_argument("--kiosk", help="one kiosk (default: the site's default for all its kiosks)")
    p.add_argument("settings", nargs="*", metavar="KEY=VALUE", help="e.g. ui.idle_timeout_s=120")
    p.add_argument("--unset", action="append", default=[], metavar="KEY", help="back to the inherited value")
    p.set_defaults(func=cmd_set)
    p = qsub.add_parser("show-config", help="显示设置、版本历史和终端运行的版本 (settings, history, running)")
    _db_options(p)
    p.add_argument("--site", required=True)
    p.add_argument("--kiosk")
    p.set_defaults(func=cmd_show)


def _value(text: str):
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def cmd_set(args: argparse.Namespace) -> int:
    from kiosk.queue import remote_config

    changes: dict = {key: None for key in args.unset}
    for item in args.settings:
        key, sep, value = item.partition("=")
        if not sep:
            return _fail(f"{item!r}: 请写成 KEY=VALUE，例如 ui.idle_timeout_s=120")
        changes[key.strip()] = _value(value.strip())
    if not changes:
        return _fail("没有要修改的设置 (give KEY=VALUE or --unset KEY)")

    def work(db):
        try:
            return remote_config.change(db, args.site, args.kiosk, changes, None, "cli", _now())
        except LookupError:  # cannot happen without base_version
            raise ValueError("stale") from None

    shown, failed = _on_database(args, work)
    if failed is not None:
        return failed
    print(f"version {shown['version']} stored: {json.dumps(shown['history'][0]['diff'], ensure_ascii=False)}",
          file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from kiosk.queue import remote_config

    shown, failed = _on_database(args, lambda db: remote_config.show(db, args.site, args.kiosk))
    if failed is not None:
        return failed
    print(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
    return 0
