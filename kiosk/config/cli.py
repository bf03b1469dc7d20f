"""`kiosk config check|init|hash-pin`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_commands(sub: argparse._SubParsersAction) -> None:
    cfg = sub.add_parser("config", help="检查或生成终端配置 (check or create a kiosk config)")
    csub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate a config file; lists every problem, then warns about what "
                                          "will not work here (no token, no manager PIN, missing ports)")
    check.add_argument("file")
    check.set_defaults(func=_check)
    init = csub.add_parser("init", help="write a commented example config")
    init.add_argument("file", nargs="?", default="kiosk.toml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(func=_init)
    pin = csub.add_parser("hash-pin", help="hash a manager PIN for [manager] pin_hash (reads it from stdin)")
    pin.set_defaults(func=_hash_pin)


def _problems(source: str, problems: list[str], prefix: str = "") -> int:
    print(f"{source}: {len(problems)} problem(s)", file=sys.stderr)
    for line in problems:
        print(f"  {prefix}{line}", file=sys.stderr)
    return 1


def _check(args: argparse.Namespace) -> int:
    from kiosk.config.settings import ConfigError, load_config

    try:
        cfg = load_config(args.file)
    except ConfigError as err:
        return _problems(str(err.source), err.problems)
    from kiosk.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog(cfg.catalog)
    except CatalogError as err:
        return _problems(f"{args.file}: catalog {cfg.catalog}", err.problems, "catalog: ")
    from kiosk.config.advice import config_warnings

    warnings = config_warnings(cfg)
    print(f"{args.file}: OK (kiosk {cfg.kiosk_id}, site {cfg.site.code} {cfg.site.name}, "
          f"{len(catalog.matters)} matters)" + (f"; {len(warnings)} warning(s)" if warnings else ""))
    for line in warnings:
        print(f"  warning: {line}", file=sys.stderr)
    return 0


def _init(args: argparse.Namespace) -> int:
    target = Path(args.file)
    if target.exists() and not args.force:
        print(f"{target} exists; use --force to overwrite it", file=sys.stderr)
        return 1
    from kiosk.durable import atomic_write

    source = Path(__file__).with_name("default.toml")
    atomic_write(target, source.read_bytes(), mode=0o600)  # it will hold the PIN's hash: the owner's only
    print(f"wrote {target}; edit it, then run: kiosk config check {target}")
    return 0


def _hash_pin(args: argparse.Namespace) -> int:
    import getpass

    from argon2 import PasswordHasher

    pin = getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    from kiosk.terminal.manager_auth import pin_problem

    problem = pin_problem(pin)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print(PasswordHasher().hash(pin))
    return 0
