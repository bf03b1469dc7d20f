"""Where a command finds the kiosk's config file when none is given."""

from __future__ import annotations

import os


def default_config_path() -> str | None:
    """The config file named by $KIOSK_CONFIG, else ./kiosk.toml when it exists, else None."""
    path = os.environ.get("KIOSK_CONFIG")
    if path:
        return path
    return "kiosk.toml" if os.path.exists("kiosk.toml") else None
