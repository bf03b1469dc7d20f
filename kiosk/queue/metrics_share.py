"""The figures of every server process on one machine, whichever of them a scrape or ``kiosk queue status``
reaches (``--workers N`` share one port; N ``serve`` processes sit behind one proxy).

Contract
- Each process writes its figures (:meth:`kiosk.queue.metrics.Metrics.families`) and its live counts
  (consoles holding a stream) once a second to ``<state dir>/metrics/<pid>.json`` (written to a temporary
  name, then renamed: a reader never sees half a file), and removes it when it stops. Nothing personal:
  counts and timings only.
- ``/metrics`` (:func:`merged`) answers for all processes whose file is at most ``FRESH_S`` old (a killed
  process drops out after that), its own figures taken live: every sample labelled ``process="<pid>"``,
  one ``# HELP``/``# TYPE`` per metric. Prometheus sums them (``sum without (process) (…)``); a pid
  changes on restart, so a counter starts a new series, as it would under a new ``instance``.
- Processes on other machines have other state directories: Prometheus scrapes each machine (or each
  process's own port) as a target of its own.
- ``/api/v1/ops/live`` (:func:`live_counts`) gives the consoles of all processes, and each one's.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from kiosk.queue.metrics import Family

log = logging.getLogger(__name__)
FRESH_S = 10.0  # a process's file older than this: the process is gone (or stuck) and not counted


def _label_text(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
                     for k, v in labels.items())
    return "{" + inner + "}"


def text(families: list[Family]) -> str:
    """The Prometheus text format (0.0.4) of ``families``."""
    out: list[str] = []
    for name, kind, help_, samples in families:
        out.append(f"# HELP {name} {help_}\n# TYPE {name} {kind}")
        out.extend(f"{name}{suffix}{_label_text(labels)} {value:g}" for suffix, labels, value in samples)
    return "\n".join(out) + "\n"


class Share:
    """This process's file in the shared directory, and the others' files."""

    def __init__(self, folder: Path, pid: int | None = None, clock=time.time):
        self.folder, self.pid, self.clock = folder, pid or os.getpid(), clock
        self.path = folder / f"{self.pid}.json"
        self.warned = False

    def write(self, families: list[Family], live: dict) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"pid": self.pid, "at": self.clock(), "live": live, "families": families}))
            os.replace(tmp, self.path)
        except OSError as exc:  # figures only: a full disk must not stop the server (said once, not every second)
            if not self.warned:
                self.warned = True
                log.warning("could not share this process's figures in %s (%s); /metrics shows this process "
                            "alone", self.folder, exc)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def others(self) -> list[dict]:
        """The fresh snapshots of the other processes, by pid."""
        out = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else ():
            if path == self.path:
                continue
            try:
                snap = json.loads(path.read_text())
            except (OSError, ValueError):  # (being replaced, or gone)
                continue
            if isinstance(snap, dict) and self.clock() - float(snap.get("at", 0)) <= FRESH_S:
                out.append(snap)
        return sorted(out, key=lambda s: s["pid"])


def merged(own: list[Family], pid: int, others: list[dict]) -> list[Family]:
    """One family per metric, with every process's samples labelled by its pid (own first)."""
    out: dict[str, Family] = {}
    for proc, families in [(pid, own), *((s["pid"], s["families"]) for s in others)]:
        for name, kind, help_, samples in families:
            family = out.setdefault(name, (name, kind, help_, []))
            family[3].extend((suffix, {"process": str(proc)} | labels, value) for suffix, labels, value in samples)
    return list(out.values())


def live_counts(own: dict, pid: int, others: list[dict]) -> dict:
    """Consoles of all processes (``consoles``) and of each (``processes``)."""
    procs = [{"pid": pid, **own}, *({"pid": s["pid"], **s.get("live", {})} for s in others)]
    return {"consoles": sum(int(p.get("consoles", 0)) for p in procs), "processes": procs}


def share_figures(ctx) -> Share:
    """Starts sharing this process's figures (each second, from the metrics monitor); returns the share."""
    share = Share(Path(ctx.settings.state_dir) / "metrics")
    ctx.metrics.on_tick = lambda: share.write(ctx.metrics.families(ctx), {"consoles": ctx.bus.subscribers})
    ctx.metrics.share = share
    ctx.metrics.pool = getattr(ctx.queue, "apool", None)  # (wired here: the one place the app starts figures)
    return share
