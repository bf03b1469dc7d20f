"""`kiosk devices …` and `kiosk simulate printer` commands for the printer."""

from __future__ import annotations

import argparse


def add_commands(devices: argparse._SubParsersAction, simulate: argparse._SubParsersAction) -> None:
    """Registers this device's diagnostics under `devices` and its simulator under `simulate`."""
