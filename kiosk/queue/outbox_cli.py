"""`kiosk queue outbox`: what the kiosk's outbox holds (counts, pending items masked), and retrying refused
items after their cause was fixed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_commands(qsub: argparse._SubParsersAction) -> None:
    """Registers this module's `kiosk queue` actions."""
    p = qsub.add_parser("outbox", help="终端发件箱：待发送、已发送、被拒绝 (show the kiosk's outbox)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--config", metavar="FILE", help="kiosk config (default: $KIOSK_CONFIG or ./kiosk.toml)")
    src.add_argument("--state-dir", metavar="DIR", help="the kiosk's state directory (instead of a config)")
    p.add_argument("--json", action="store_true", help="one JSON object: counts, pending and dead items")
    p.add_argument("--retry-dead", action="store_true", help="put refused (dead) items back in the queue")
    p.add_argument("--limit", type=int, default=50, help="items listed per state (default 50)")
    p.set_defaults(func=_outbox)


def _state_dir(args: argparse.Namespace) -> tuple[Path | None, int]:
    """The state folder (and, in ``args.key_file``, the outbox key the config names, if any)."""
    args.key_file = None
    if args.state_dir:
        return Path(args.state_dir), 0
    from kiosk.config.paths import default_config_path
    from kiosk.config.settings import ConfigError, load_config

    path = args.config or default_config_path()
    if not path:
        print("no config: pass --config FILE or --state-dir DIR (or set $KIOSK_CONFIG)", file=sys.stderr)
        return None, 2
    try:
        config = load_config(path)
        args.key_file = config.privacy.outbox_key_file
        return Path(config.state_dir), 0
    except ConfigError as err:
        print(f"{err.source}: {len(err.problems)} problem(s)", file=sys.stderr)
        for line in err.problems:
            print(f"  {line}", file=sys.stderr)
        return None, 2


def _outbox(args: argparse.Namespace) -> int:
    state_dir, code = _state_dir(args)
    if state_dir is None:
        return code
    from kiosk.i18n import tr
    from kiosk.queue.outbox import Outbox, OutboxError
    from kiosk.queue.outbox_files import OUTBOX_DB, outbox_key_path

    db = state_dir / OUTBOX_DB
    if not db.exists():
        print(tr("outbox.cli.no_outbox", path=db), file=sys.stderr)
        return 1
    try:
        outbox = Outbox(db, key_path=outbox_key_path(state_dir, args.key_file), create_key=False)
    except OutboxError as err:
        print(str(err), file=sys.stderr)
        return 1
    try:
        retried = outbox.retry_dead() if args.retry_dead else None
        counts = outbox.counts()
        pending = [i.masked() for i in outbox.items("pending", args.limit)]
        dead = [i.masked() for i in outbox.items("dead", args.limit)]
    finally:
        outbox.close()
    if args.json:
        out = {"path": str(db), "counts": counts, "pending": pending, "dead": dead}
        if retried is not None:
            out["retried"] = retried
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(tr("outbox.cli.title", path=db))
    if retried is not None:
        print(tr("outbox.cli.retried", count=retried))
    print(tr("outbox.cli.counts", **counts))
    if not pending and not dead:
        print(tr("outbox.cli.empty"))
    for item in pending + dead:
        what = item["request_kind"] or ""
        extra = " ".join(str(x) for x in (item["step"], item["matter_name"], item["ticket_no"]) if x)
        line = f"  {item['state']:<7} {item['created_at']} {item['kind']:<9} {what:<7} {item['id']}  {extra}"
        print(line.rstrip())
        if item["last_error"]:
            print(f"          attempts {item['attempts']}: {item['last_error']}")
    return 0
