"""The kiosk's side of central configuration: settings pushed in heartbeat answers, checked, applied, cached.

Contract
- :meth:`RemoteSettings.offer` takes the answer's ``{"version", "settings"}`` (any thread). A version the
  kiosk already runs, or one it already refused, is ignored. Each other one is laid over the kiosk's own
  file (the data it started from) and checked by the same schema as ``kiosk config check``
  (:func:`kiosk.config.remote.validate`): invalid → nothing changes, and the next heartbeat reports
  ``config_rejected`` with the problems (the server then rolls that version back and answers the previous
  one). Valid → the keys of :data:`~kiosk.config.remote.LIVE_KEYS` are set on the running config at once
  (``on_live(keys)``; idle times, elderly defaults, the hall's name and help desk); any other changed key
  (devices, language) waits for :meth:`at_idle_reset`, which calls ``on_restart()`` (the terminal exits at
  the start screen and systemd starts it again, reading the cache).
- The accepted version is cached in ``STATE_DIR/central_config.json`` (private, written atomically and
  fsynced). At boot :func:`boot_config` lays the cache over the file when it still passes the schema; with
  no cache, or a server that cannot be reached, the local file alone is the configuration.
- :meth:`report` is what heartbeats carry: ``config_version`` (``"0.0"``: the file only), and after a
  refusal ``config_rejected`` and ``config_problems``, until the server answers another version (it rolled
  the refused one back; its history keeps the kiosk's reason).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.config.remote import LIVE_KEYS, merge, validate
from kiosk.config.settings import KioskConfig, parse_config
from kiosk.durable import atomic_write

log = logging.getLogger(__name__)
CACHE = "central_config.json"


def _cache_path(state_dir: Path) -> Path:
    return Path(state_dir) / CACHE


def read_cache(state_dir: Path) -> dict | None:
    try:
        data = json.loads(_cache_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and isinstance(data.get("version"), str) and isinstance(data.get("settings"), dict):
        return data
    return None


def boot_config(config: KioskConfig) -> tuple[KioskConfig, dict, dict | None]:
    """``(config to run, the file's data, the cached central settings applied or None)``."""
    base = config.model_dump(mode="json")
    cached = read_cache(config.state_dir)
    if cached and not validate(base, cached["settings"]):
        return parse_config(merge(base, cached["settings"]), "central config (cached)"), base, cached
    if cached:
        log.warning("cached central settings %s no longer fit this kiosk's file; using the file", cached["version"])
    return config, base, None


class RemoteSettings:
    def __init__(self, config: KioskConfig, base: dict, cached: dict | None = None, *,
                 on_live: Callable[[set[str]], None] | None = None, on_restart: Callable[[], None] | None = None,
                 on_refused: Callable[[], None] | None = None):
        self.config, self.base = config, base
        self.version = cached["version"] if cached else "0.0"
        self.settings: dict = dict(cached["settings"]) if cached else {}
        self.on_live, self.on_restart, self.on_refused = on_live, on_restart, on_refused
        self.rejected: str | None = None
        self.problems: list[str] = []
        self.pending: str | None = None  # a version whose other keys wait for the idle reset
        self.catalog_version: str | None = None  # the catalogue's own version, once loaded (told to the server)
        self._lock = threading.Lock()

    def report(self) -> dict:
        with self._lock:
            out: dict = {"config_version": self.version}
            if self.catalog_version is not None:
                out["catalog_version"] = self.catalog_version[:64]
            if self.rejected:
                out.update(config_rejected=self.rejected, config_problems=[p[:300] for p in self.problems[:20]])
            return out

    def offer(self, pushed: object) -> str:
        """Handles a heartbeat answer's ``config``: ``same``, ``refused``, ``applied`` or ``pending``."""
        if not isinstance(pushed, dict) or not isinstance(pushed.get("version"), str) \
                or not isinstance(pushed.get("settings"), dict):
            return "same"
        version, settings = pushed["version"], pushed["settings"]
        with self._lock:
            if self.rejected and version != self.rejected:  # the server rolled it back: stop reporting it
                self.rejected, self.problems = None, []
            if version in (self.version, self.rejected, self.pending):
                return "same"
            problems = validate(self.base, settings)
            if problems:
                self.rejected, self.problems = version, problems
                log.warning("central settings %s refused: %s", version, "; ".join(problems))
            else:
                new = parse_config(merge(self.base, settings), f"central config {version}")
                changed = {k for k in set(settings) | set(self.settings) if settings.get(k) != self.settings.get(k)}
                Path(self.config.state_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
                atomic_write(_cache_path(self.config.state_dir),
                             json.dumps({"version": version, "settings": settings}, ensure_ascii=False))
                live = changed & LIVE_KEYS
                for key in sorted(live):
                    _set(self.config, new, key)
                self.settings, self.rejected, self.problems = dict(settings), None, []
                if changed - LIVE_KEYS:
                    self.pending = version
                else:
                    self.version, self.pending = version, None
        if problems:
            if self.on_refused:
                self.on_refused()
            return "refused"
        log.info("central settings %s: %s now%s", version, ", ".join(sorted(live)) or "nothing",
                 "; the rest at the next idle reset" if self.pending else "")
        if live and self.on_live:
            self.on_live(live)
        return "pending" if self.pending == version else "applied"

    def at_idle_reset(self) -> bool:
        """At the start screen with no resident: True (and ``on_restart()``) when a version waits for it."""
        with self._lock:
            if self.pending is None:
                return False
        if self.on_restart:
            self.on_restart()
        return True


def _set(config: KioskConfig, new: KioskConfig, key: str) -> None:
    """Sets one dotted key of the running ``config`` to its value in ``new`` (a key removed centrally goes
    back to the file's value, which ``new`` holds)."""
    *path, last = key.split(".")
    target, source = config, new
    for part in path:
        target, source = getattr(target, part), getattr(source, part)
    setattr(target, last, getattr(source, last))
