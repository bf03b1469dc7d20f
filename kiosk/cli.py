"""The `kiosk` command line. Building the parser imports only light modules: no Kivy, no OpenCV.

Each area registers its own sub-commands with an ``add_commands(subparsers)`` function, and each
handler imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import logging
import sys

from kiosk import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="帮办代办 自助终端、设备诊断与帮办呼叫队列 (kiosk terminal, device diagnostics, help queue)",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    from kiosk.config import cli as config_cli
    from kiosk.deploy import cli as deploy_cli
    from kiosk.devices import cli as devices_cli
    from kiosk.queue import cli as queue_cli
    from kiosk.terminal import cli as terminal_cli
    from kiosk.voice import cli as voice_cli

    for module in (terminal_cli, devices_cli, queue_cli, config_cli, deploy_cli, voice_cli):
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from kiosk.privacy import install_log_redaction

    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    install_log_redaction()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
