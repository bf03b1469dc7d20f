"""The security options of ``kiosk queue serve`` and how they become uvicorn's configuration.

Contract
- :func:`add_options` adds the flags (logging, trusted proxies, TLS, slow-client limits, ``--docs``);
  :func:`uvicorn_kwargs` turns parsed arguments into keyword arguments for ``uvicorn.Config`` /
  ``uvicorn.run`` (the same for ``--workers`` > 1: each worker configures its logging from them).
- Logging: every log record of the server, uvicorn's own ``uvicorn.error`` and ``uvicorn.access``
  included, goes to stderr through :class:`kiosk.privacy.RedactingFilter` (ID and phone numbers masked in
  messages and tracebacks), in every worker. The access log is off unless ``--access-log``.
- uvicorn's own ``X-Forwarded-*`` handling is off: :mod:`kiosk.queue.proxy` trusts those headers only
  from the ``--trusted-proxy`` addresses.
"""

from __future__ import annotations

import argparse

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--access-log", action="store_true", help="log every request (masked) to stderr")


def log_config(access_log: bool, level: str = "WARNING") -> dict:
    """A ``logging.config.dictConfig`` dict: one stderr handler with the masking filter, for everything."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "kiosk.privacy.RedactingFilter"}},
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "filters": ["redact"], "formatter": "plain"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": True, "level": "INFO" if access_log else "WARNING"},
        },
    }


def uvicorn_kwargs(args: argparse.Namespace) -> dict:
    """Keyword arguments for uvicorn (logging, proxies, timeouts) from the parsed ``serve`` arguments."""
    import logging

    level = logging.getLevelName(min(logging.getLogger().level or logging.WARNING, logging.WARNING))
    return {"log_config": log_config(args.access_log, level), "log_level": None, "access_log": args.access_log,
            "proxy_headers": False, "timeout_graceful_shutdown": 5,
            "timeout_keep_alive": 75}  # kiosks and consoles keep their connections
