"""`kiosk run`, `kiosk demo`, `kiosk screenshots`: the kiosk terminal itself."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Registers the kiosk terminal's commands."""
