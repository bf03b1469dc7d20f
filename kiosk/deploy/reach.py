"""Checks an install makes before it writes anything: can the service's user reach the Python that will
run it (a pyenv under /root is 0700: the unit would fail at every start), and is a program installed."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def unreachable(path: str | Path) -> Path | None:
    """The first folder on the way to ``path`` (resolved) that other users cannot enter, or None."""
    for folder in reversed(Path(path).resolve().parents):  # "/", then deeper
        try:
            mode = folder.stat().st_mode
        except OSError:
            return folder
        if not mode & stat.S_IXOTH:
            return folder
    return None


def python_problem(python: str, package_dir: str | Path, command: str = "kiosk install") -> str | None:
    """Why a system user could not run ``python -m kiosk`` from here, or None; ``command`` is the install
    being run (``kiosk install`` or ``kiosk queue install``), to be run again from the shared place."""
    checkout = Path(package_dir).resolve().parent
    source = checkout if (checkout / "pyproject.toml").is_file() else "/path/to/the/checkout"
    for what, path in (("the Python interpreter", python), ("the kiosk package", package_dir)):
        blocked = unreachable(path)
        if blocked is not None:
            # the package is not on PyPI: the venv installs this checkout (not -e, which would point back here)
            return (f"{what} at {Path(path).resolve()} is inside {blocked} (mode "
                    f"{stat.S_IMODE(blocked.stat().st_mode):04o}), which a service user cannot enter; install "
                    "into a shared place first, e.g. python3 -m venv /opt/kiosk && /opt/kiosk/bin/pip install "
                    f"{source} (not -e: pip copies it there), then run /opt/kiosk/bin/{command} …")
    if os.access(python, os.X_OK) is False:
        return f"{python} is not executable"
    return None


def missing_program(path: str, package: str, root: Path = Path("/")) -> str | None:
    """A sentence when ``path`` (an absolute program path) is not installed under ``root``."""
    if (root / path.lstrip("/")).exists():
        return None
    return f"{path} is not installed; apt-get install {package}"
