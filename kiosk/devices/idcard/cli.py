"""`kiosk devices …` and `kiosk simulate idcard` commands for the idcard."""

from __future__ import annotations

import argparse


def add_commands(devices: argparse._SubParsersAction, simulate: argparse._SubParsersAction) -> None:
    """Registers this device's diagnostics under `devices` and its simulator under `simulate`."""
