"""Logging for the kiosk's long-running commands (``kiosk run``, ``kiosk demo``): a log file, a quiet console.

Records go to a rotating file at INFO (DEBUG with ``-vv``) through a formatter that masks every
ID-number-shaped run in the whole line, tracebacks included; the console keeps only what a person at
the terminal must see. Chatty libraries (httpx/httpcore, PIL, urllib3) are held at WARNING. Kivy must be
imported with ``KIVY_LOG_MODE=PYTHON`` (:func:`kiosk.terminal.app.prepare_kivy` sets it) or it takes over the root
logger, sets it to NOTSET (everything, DEBUG included) and redirects stderr into its own log.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from kiosk.privacy import install_log_redaction, redact_text

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = ("httpx", "httpcore", "urllib3", "PIL", "asyncio", "multipart", "sqlalchemy.engine")


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks ID numbers in the finished line (message, arguments, traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


def log_to_file(path: str | Path, *, console_level: int = logging.WARNING) -> Path:
    """Sends the process's logging to ``path`` (created with its folder; rotated at 5 MB, 3 kept) and
    raises every console handler to at least ``console_level``. Verbosity asked for on the command line
    (a root level below INFO) is kept for the file. Returns the file's path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    level = logging.DEBUG if logging.NOTSET < root.level < logging.INFO else logging.INFO
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setLevel(max(handler.level, console_level))
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path.resolve()
               for h in root.handlers):
        file = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
        file.setLevel(level)
        file.setFormatter(RedactingFormatter(FORMAT))
        root.addHandler(file)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    install_log_redaction(root)
    return path
