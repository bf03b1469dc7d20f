"""What ``bench_queue_scale.py``'s clients share so they stay out of the servers' way, and the CPU split.

- :func:`client_sched`: the bench's client processes run under ``SCHED_BATCH`` (``--client-sched batch``,
  the default): a batch task that wakes (a console whose socket the server just wrote to, a kiosk whose
  answer arrived) does not preempt the running server, it waits for the scheduler's tick. On one machine
  every server write to a console woke a client that preempted the server in the middle of its loop
  (py-spy put 39 % of the server's samples in uvicorn's ``transport.write`` while it was runnable but not
  running); in a hall the clients are other machines. Their CPU share is unchanged, only the wake-up
  preemption goes. ``--client-cpu N`` also pins them to CPU N.
- :class:`KioskCalls`: a kiosk's requests encoded before the clock starts; only the send time (and the
  ``Content-Length``) is filled in at the moment of sending.
- :func:`cpu_split`: CPU seconds so far of the servers, the client processes and the PostgreSQL backends
  serving the servers' connections (found from the servers' sockets to port 5432), from ``/proc``.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson


def client_sched(policy: str, cpu: int | None) -> None:
    if policy == "batch":
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


class KioskCalls:
    """Pre-encoded ``POST /api/v1/requests`` of one kiosk: ``next(t0)`` gives the bytes to send (the send
    time in the note is filled in then, with the ``Content-Length``; not zero-padded: the note's masking
    would take a leading-zero digit run for a landline number)."""

    MARK = "@T@"

    def __init__(self, kiosk_id: str, site: str, token: str, count: int):
        self._head = (f"POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                      "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n").encode()
        self._kiosk, self._site = kiosk_id, site
        self._bodies: list[tuple[bytes, bytes]] = [self._encode() for _ in range(count)]
        self._next = 0

    def _encode(self) -> tuple[bytes, bytes]:
        body = orjson.dumps({"id": str(uuid.uuid4()), "kind": "call", "kiosk_id": self._kiosk, "site_code": self._site,
                             "step": "start", "created_at": datetime.now(UTC).isoformat(), "note": self.MARK})
        before, _, after = body.partition(self.MARK.encode())
        return before, after

    def next(self, t0: float) -> bytes:
        if self._next >= len(self._bodies):  # past the end: a new request (a reused id with another note is a 409)
            self._bodies.append(self._encode())
        before, after = self._bodies[self._next]
        self._next += 1
        body = b"%st=%.6f%s" % (before, t0, after)
        return self._head % len(body) + body


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _local_ports_to(pids: list[int], remote_port: int) -> set[int]:
    """Local ports of the TCP sockets these processes hold to ``remote_port`` (from /proc/net/tcp)."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[9] in inodes and int(cols[2].rsplit(":", 1)[1], 16) == remote_port:
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def pg_backends(admin, server_pids: list[int]) -> list[int]:
    """The PostgreSQL backend processes serving these server processes' connections."""
    ports = _local_ports_to(server_pids, 5432)
    if admin is None or not ports:
        return []
    rows = admin.execute("SELECT pid, client_port FROM pg_stat_activity WHERE client_port IS NOT NULL").fetchall()
    return [pid for pid, port in rows if port in ports]


def cpu_split(server_pids: list[int], client_pids: list[int], pg_pids: list[int]) -> dict[str, float]:
    return {"server": sum(map(cpu_seconds, server_pids)), "clients": sum(map(cpu_seconds, client_pids)),
            "pg": sum(map(cpu_seconds, pg_pids))}
