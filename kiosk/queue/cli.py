"""`kiosk queue …`: the help-queue server and its provisioning (server_cli), disabling and enabling
accounts and kiosks (access_cli), the kiosk's outbox (outbox_cli), and running the server as a service
(ops/cli). This module only assembles them."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    queue = sub.add_parser("queue", help="帮办呼叫队列 (help-queue server, accounts, outbox)")
    qsub = queue.add_subparsers(dest="queue_command", metavar="ACTION", required=True)

    from kiosk.queue import (
        access_cli,
        ledger_cli,
        metrics_cli,
        outbox_cli,
        remote_config_cli,
        report_cli,
        server_cli,
        webhook_cli,
    )
    from kiosk.queue.ops import cli as ops_cli

    server_cli.add_commands(qsub)
    access_cli.add_commands(qsub)
    ledger_cli.add_commands(qsub)
    report_cli.add_commands(qsub)
    outbox_cli.add_commands(qsub)
    ops_cli.add_commands(qsub)
    metrics_cli.add_commands(qsub)
    webhook_cli.add_commands(qsub)
    remote_config_cli.add_commands(qsub)
