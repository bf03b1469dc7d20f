"""Sub-commands of `kiosk queue`."""

from __future__ import annotations

import argparse


def add_commands(qsub: argparse._SubParsersAction) -> None:
    """Registers this module's `kiosk queue` actions."""
