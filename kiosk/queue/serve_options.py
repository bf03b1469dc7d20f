"""The security options of ``kiosk queue serve`` and how they become uvicorn's configuration.

Contract
- :func:`add_options` adds the flags (logging, trusted proxies, slow-client limits, a staff session's read
  budget (``--reads-per-minute``, kiosk/queue/reads.py), ``--docs``; TLS is
  ``serve``'s own ``--tls-cert``/``--tls-key``);
  :func:`uvicorn_kwargs` turns parsed arguments into keyword arguments for ``uvicorn.Config`` /
  ``uvicorn.run`` (the same for ``--workers`` > 1: each worker configures its logging from them).
- Connections (:mod:`kiosk.queue.connguard`): head, body and answer deadlines, a cap on open connections and
  one per client address; the process's open-file limit is raised to fit.
- Logging: every log record of the server, uvicorn's own ``uvicorn.error`` and ``uvicorn.access``
  included, goes to stderr through :class:`kiosk.privacy.RedactingFilter` (ID and phone numbers masked in
  messages and tracebacks), in every worker. The access log is off unless ``--access-log``.
- uvicorn's own ``X-Forwarded-*`` handling is off: :mod:`kiosk.queue.proxy` trusts those headers only
  from the ``--trusted-proxy`` addresses.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def add_options(p: argparse.ArgumentParser) -> None:
    from kiosk.queue.connguard import ConnLimits
    from kiosk.queue.reads import PER_MINUTE

    d = ConnLimits()
    p.add_argument("--access-log", action="store_true", help="log every request (masked) to stderr")
    p.add_argument("--docs", action="store_true",
                   help="serve the API pages at /docs (Swagger UI from this server, nothing from the internet)")
    p.add_argument("--trusted-proxy", metavar="ADDR", action="append", default=[],
                   help="a reverse proxy's address whose X-Forwarded-For/-Proto/-Host are believed (repeatable; "
                        "env KIOSK_QUEUE_TRUSTED_PROXIES, comma-separated); from anyone else they are ignored")
    p.add_argument("--header-timeout", type=float, default=d.header_timeout_s, metavar="S",
                   help=f"a request's head must arrive within S seconds, else 408 and closed ({d.header_timeout_s:g})")
    p.add_argument("--body-timeout", type=float, default=d.body_timeout_s, metavar="S",
                   help=f"a request's body must arrive within S seconds of its head, else closed ({d.body_timeout_s:g})")
    p.add_argument("--answer-timeout", type=float, default=d.answer_timeout_s, metavar="S",
                   help=f"an answer the client stops reading is cut off after S seconds without a byte moving "
                        f"({d.answer_timeout_s:g})")
    p.add_argument("--reads-per-minute", type=int, metavar="N",
                   default=int(os.environ.get("KIOSK_QUEUE_READS_PER_MINUTE") or PER_MINUTE),
                   help=f"a staff session's read budget, units a minute (a read 1, +1 per 32 KiB of its answer; "
                        f"beyond: 429 reads_throttled; {PER_MINUTE}, env KIOSK_QUEUE_READS_PER_MINUTE)")
    p.add_argument("--max-connections", type=int, default=d.max_connections, metavar="N",
                   help=f"open connections at most; more are closed at once ({d.max_connections})")
    p.add_argument("--max-connections-per-address", type=int, default=d.max_per_address, metavar="N",
                   help=f"open connections from one client address at most, trusted proxies excepted ({d.max_per_address})")


def trusted_proxies(args: argparse.Namespace) -> frozenset[str]:
    given = [a for value in args.trusted_proxy for a in value.split(",")]
    given += os.environ.get("KIOSK_QUEUE_TRUSTED_PROXIES", "").split(",")
    return frozenset(a.strip() for a in given if a.strip())


def conn_limits(args: argparse.Namespace):
    from kiosk.queue.connguard import ConnLimits

    return ConnLimits(args.header_timeout, args.body_timeout, args.max_connections,
                      args.max_connections_per_address, trusted_proxies(args), args.answer_timeout)


def raise_file_limit(needed: int) -> None:
    """Raises the soft limit of open files towards ``needed`` (a socket each), within the hard limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def log_config(access_log: bool, level: str = "WARNING") -> dict:
    """A ``logging.config.dictConfig`` dict: one stderr handler with the masking filter, for everything, and
    a bound on repeats (:mod:`kiosk.queue.logrepeat`: no client can flood the log)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "kiosk.privacy.RedactingFilter"},
                    "repeats": {"()": "kiosk.queue.logrepeat.RepeatFilter"}},
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "filters": ["repeats", "redact"], "formatter": "plain"}},
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

    from kiosk.queue.connguard import GuardedHttpTools, configure

    limits = conn_limits(args)
    configure(limits)
    raise_file_limit(limits.max_connections + 256)
    level = logging.getLevelName(min(logging.getLogger().level or logging.WARNING, logging.WARNING))
    return {"log_config": log_config(args.access_log, level), "log_level": None, "access_log": args.access_log,
            "proxy_headers": False, "http": GuardedHttpTools, "timeout_graceful_shutdown": 5,
            "timeout_keep_alive": 75}  # kiosks and consoles keep their connections


def exported(args: argparse.Namespace) -> dict[str, str]:
    """The environment that carries these options to worker processes (``--workers`` > 1)."""
    return conn_limits(args).exported()


def check_catalog(path: Path | None) -> str | None:
    """The catalogue's absolute path, after loading it once; raises ValueError saying what is wrong."""
    if path is None:
        return None
    from kiosk.catalog import CatalogError, load_catalog

    try:
        load_catalog(path)
    except CatalogError as exc:
        raise ValueError(f"--catalog {path}: not a usable matters catalogue: " + "; ".join(exc.problems)
                         + " (fix the file, or leave out --catalog to use the shipped sample)") from None
    except OSError as exc:
        raise ValueError(f"--catalog {path}: cannot read it ({exc.strerror or exc}); give an existing TOML file") from None
    return str(path.resolve())
