"""``kiosk install`` and ``kiosk uninstall``: make this machine a kiosk that boots into the terminal, or
undo it. ``--dry-run`` prints every file it would write; ``--root DIR`` writes under DIR instead of ``/``
(an image being prepared; nothing outside DIR is touched, no user is created, no command runs)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.deploy.plan import Plan


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("install", help="把本机设为自助终端：开机全屏运行 (set this machine up as a kiosk; root)")
    p.add_argument("--config", required=True, type=Path, metavar="FILE", help="the kiosk's kiosk.toml")
    p.add_argument("--user", default="kiosk", help="system user the kiosk runs as (default kiosk)")
    p.add_argument("--tty", type=int, default=1, choices=range(1, 13), metavar="N", help="console (default 1)")
    p.add_argument("--rotate", type=int, default=0, choices=range(4), metavar="N",
                   help="turn the picture N x 90° clockwise (a portrait screen on a landscape output)")
    p.add_argument("--usb", action="append", default=[], metavar="NAME=VID:PID[:SERIAL]",
                   help="find device NAME (idcard, printer, button, camera) by its USB ids after a replug "
                        "(udev rule and /dev/kiosk/NAME); repeatable")
    _common(p)
    p.set_defaults(func=_install)
    p = sub.add_parser("uninstall", help="撤销 kiosk install (undo kiosk install; keeps data unless --purge)")
    p.add_argument("--purge", action="store_true",
                   help="also delete the state (outbox, tickets, logs), the config, the keys and the user")
    p.add_argument("--root", type=Path, default=Path("/"), metavar="DIR", help="undo an install under DIR")
    p.add_argument("--dry-run", action="store_true", help="print what would be run and removed; change nothing")
    p.set_defaults(func=_uninstall)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="print every file it would write; change nothing")
    p.add_argument("--root", type=Path, default=Path("/"), metavar="DIR",
                   help="write under DIR instead of / (a disk image; no user, no commands)")


def needs_root(args: argparse.Namespace, what: str) -> int | None:
    """Exit status 2 with a message when a change to the real system is asked for without root."""
    if getattr(args, "dry_run", False) or args.root.resolve() != Path("/") or os.geteuid() == 0:
        return None
    print(f"{what} changes the system: run it as root (sudo {what} …), or look first with --dry-run",
          file=sys.stderr)
    return 2


def report(problems: list[str], what: str) -> int:
    print(f"{what}: cannot go ahead; nothing was changed:", file=sys.stderr)
    for line in problems:
        print(f"  {line}", file=sys.stderr)
    return 1


def run_install(args: argparse.Namespace, what: str, make_plan: Callable[[], Plan],
                summary: Callable[[Plan, dict], str]) -> int:
    """The shared course of ``kiosk install`` and ``kiosk queue install``: root check, plan (problems
    reported, nothing changed), ``--dry-run`` listing, or the install and its notes."""
    from kiosk.deploy.apply import install
    from kiosk.deploy.kiosk_plan import InstallError

    code = needs_root(args, what)
    if code is not None:
        return code
    try:
        plan = make_plan()
    except InstallError as err:
        return report(err.problems, what)
    except ValueError as err:  # e.g. a malformed --usb
        return report([str(err)], what)
    if args.dry_run:
        sys.stdout.write(plan.render())
        return 0
    manifest = install(plan, args.root)
    print(summary(plan, manifest))
    for note in plan.notes:
        print(f"note: {note}")
    return 0


def _install(args: argparse.Namespace) -> int:
    from kiosk.deploy.kiosk_plan import KioskOptions, build

    opts = KioskOptions(config=args.config, user=args.user, tty=args.tty, rotate=args.rotate, usb=args.usb,
                        root=args.root, dry_run=args.dry_run)
    return run_install(args, "kiosk install", lambda: build(opts),
                       lambda plan, manifest: f"kiosk installed under {args.root}: "
                       f"{len(manifest['files']) + len(manifest['conf'])} files, record in {plan.manifest}")


def run_uninstall(args: argparse.Namespace, what: str, manifest: str, done: str, kept: str) -> int:
    """The shared course of ``kiosk uninstall`` and ``kiosk queue uninstall``: root check, then remove what
    the install recorded in ``manifest``; prints ``done: N paths removed`` and, without ``--purge``, ``kept``."""
    from kiosk.deploy.apply import uninstall, uninstall_plan

    code = needs_root(args, what)
    if code is not None:
        return code
    try:
        if args.dry_run:
            for line in uninstall_plan(manifest, args.root, purge=args.purge):
                print(line)
            print(f"{what} --dry-run: nothing was changed")
            return 0
        removed = uninstall(manifest, args.root, purge=args.purge)
    except FileNotFoundError as err:
        print(f"{what}: {err}", file=sys.stderr)
        return 1
    print(f"{done}: {len(removed)} paths removed" + ("" if args.purge else f" ({kept})"))
    return 0


def _uninstall(args: argparse.Namespace) -> int:
    return run_uninstall(args, "kiosk uninstall", "/etc/kiosk/install.json", "kiosk uninstalled",
                         "kept: /var/lib/kiosk, /etc/kiosk config and keys, and a record of them: "
                         "kiosk uninstall --purge deletes them")
