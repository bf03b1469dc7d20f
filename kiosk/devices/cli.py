"""`kiosk devices …` (diagnostics) and `kiosk simulate …` (protocol simulators).

Each device package registers its own commands in its ``cli.py``; this module only assembles them.
"""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    devices = sub.add_parser("devices", help="设备诊断 (device diagnostics for technicians)")
    dsub = devices.add_subparsers(dest="devices_command", metavar="ACTION", required=True)
    simulate = sub.add_parser("simulate", help="启动设备模拟器 (start a device simulator)")
    ssub = simulate.add_subparsers(dest="simulate_command", metavar="DEVICE", required=True)

    from kiosk.devices.button import cli as button_cli
    from kiosk.devices.camera import cli as camera_cli
    from kiosk.devices.idcard import cli as idcard_cli
    from kiosk.devices.printer import cli as printer_cli

    for module in (idcard_cli, printer_cli, camera_cli, button_cli):
        module.add_commands(dsub, ssub)

    check = dsub.add_parser("check", help="self-test every configured device, one line each")
    check.add_argument("--config", help="kiosk config file (default: $KIOSK_CONFIG or ./kiosk.toml)")
    check.add_argument("--json", action="store_true", help="one JSON object per device")
    check.add_argument("--timeout", type=float, default=8.0, help="seconds each device may take (default 8)")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from kiosk.devices.check import run_check

    return run_check(args)
