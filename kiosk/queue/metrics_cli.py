"""``kiosk queue metrics-token``: prints the bearer token that ``GET /metrics`` (and ``/api/v1/ops/live``)
accept, derived from the server's identity key (``queue.key`` in ``--state-dir`` or ``$KIOSK_QUEUE_KEYS``),
for Prometheus' ``authorization: {credentials_file: …}``. Keep it like a password (mode 0600)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_commands(qsub: argparse._SubParsersAction) -> None:
    p = qsub.add_parser("metrics-token", help="打印 /metrics 的访问令牌 (print the bearer token /metrics accepts)")
    p.add_argument("--state-dir", metavar="DIR", type=Path,
                   default=Path(os.environ.get("KIOSK_QUEUE_STATE", "queue-state")),
                   help="the server's state directory (its identity key; env KIOSK_QUEUE_STATE)")
    p.set_defaults(func=cmd_metrics_token)


def cmd_metrics_token(args: argparse.Namespace) -> int:
    from kiosk.queue.ops.inspect import key_material
    from kiosk.queue.ops.live import ops_token

    try:
        print(ops_token(key_material(args.state_dir)[0]))
    except (OSError, ValueError) as exc:
        print(f"错误 error: no identity key to derive the token from ({exc}). The server makes it when it first "
              f"starts: run kiosk queue serve once, or give --state-dir of the server's state directory",
              file=sys.stderr)
        return 2
    return 0
