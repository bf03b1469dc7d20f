"""`kiosk queue …`: the help-queue server and its provisioning, and the kiosk's outbox."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    queue = sub.add_parser("queue", help="帮办呼叫队列 (help-queue server, accounts, outbox)")
    queue.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
