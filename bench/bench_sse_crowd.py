"""A crowd of event streams on one process, half of which never read, and what one real console gets.

    python3 bench/bench_sse_crowd.py [--streams 1000] [--seconds 40] [--rate 3] [--rounds 2] [--db pg]

Starts ``kiosk queue serve`` (SQLite, or a fresh PostgreSQL schema with ``--db pg``) with 50 helpers of
site T1, then opens ``--streams`` event streams (raw sockets from 16 loopback addresses, 3 sessions a
helper): half are read by one thread, half are never read (their buffers fill). One more console
(tests/queue/sse.py) counts its events. A kiosk calls at ``--rate`` a second and a helper claims each
call; after ``--seconds`` every stream is closed, and this repeats ``--rounds`` times (churn). Prints per
round the claims' p50/p99, whether the console got every event once and in order, the server's CPU and
RSS before, at the peak and after the streams closed.
"""

from __future__ import annotations

import argparse
import os
import selectors
import socket
import statistics
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _open(s, token: str, address: str) -> socket.socket:
    sock = s.raw(address, b"GET /api/v1/events/stream?beat=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                 + token.encode() + b"\r\nAccept: text/event-stream\r\n\r\n")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


def _drain(socks: list[socket.socket], stop: threading.Event) -> None:
    sel = selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ)
    while not stop.is_set():
        for key, _ in sel.select(0.2):
            try:
                if not key.fileobj.recv(65536):
                    sel.unregister(key.fileobj)
            except OSError:
                sel.unregister(key.fileobj)


def _round(s, tokens: list[str], helper: str, kiosk: dict, args) -> None:
    from tests.queue.sse import SseReader

    rss0, cpu0 = s.rss_mb(), _cpu_s(s.pid)
    socks = [_open(s, tokens[i % len(tokens)], f"127.0.1.{i % 16 + 1}") for i in range(args.streams)]
    readers, idle = socks[::2], socks[1::2]
    stop = threading.Event()
    drain = threading.Thread(target=_drain, args=(readers, stop))
    drain.start()
    claims, created = [], []
    with SseReader(f"{s.url}/api/v1/events/stream", tokens[-1], max_s=args.seconds + 30) as console, \
            s.client() as http:
        auth = {"Authorization": f"Bearer {helper}"}
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            r = http.post("/api/v1/requests", json=s.request_body("k1"), headers=kiosk)
            assert r.status_code == 201, r.text
            created.append(r.json()["id"])
            t = time.perf_counter()
            c = http.post(f"/api/v1/requests/{created[-1]}/claim", headers=auth)
            claims.append(time.perf_counter() - t)
            assert c.status_code == 200, c.text
            time.sleep(max(0.0, 1 / args.rate - (time.perf_counter() - t)))
        rss_peak = s.rss_mb()
        time.sleep(2)
        got = []
        while True:
            try:
                got.append(console.next(timeout=0.5, skip=("hello", "ping")))
            except Exception:  # noqa: BLE001 - queue.Empty: all read
                break
    stop.set()
    drain.join()
    for sock in socks:
        sock.close()
    time.sleep(3)
    ids = [int(e["id"]) for e in got]
    seen = [e["data"].get("request", e["data"]).get("id") for e in got if e["event"] == "request.created"]
    ok = ids == sorted(set(ids)) and sorted(seen) == sorted(created)
    print(f"{args.streams} streams ({len(idle)} never read): {len(claims)} claims p50 "
          f"{statistics.median(claims) * 1000:.0f} ms, p99 {sorted(claims)[int(0.99 * (len(claims) - 1))] * 1000:.0f} ms;"
          f" console got {len(got)} events, each once and in order, every call: {ok}; server CPU "
          f"{_cpu_s(s.pid) - cpu0:.1f} s; RSS {rss0:.0f} -> {rss_peak:.0f} (peak) -> {s.rss_mb():.0f} MB after close;"
          f" fds {s.open_fds()}; load {os.getloadavg()[0]:.1f}")


def main() -> None:
    from tests.queue.hostile import PASSWORD, served_for_bench

    ap = argparse.ArgumentParser()
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--rate", type=float, default=3)  # (a kiosk writes at most 240 a minute)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    args = ap.parse_args()
    with ExitStack() as stack:
        s, state, db_url = served_for_bench(stack, args.db, "--max-connections", str(args.streams + 500))
        from datetime import UTC, datetime

        from kiosk.queue.db import Database, sqlite_url
        from kiosk.queue.provision import add_user

        db = Database(db_url or sqlite_url(state))
        names = [f"h{i:03d}" for i in range(50)]
        for n in names:
            add_user(db, n, "helper", ["T1"], PASSWORD, datetime.now(UTC))
        db.dispose()
        tokens = [s.login(n, f"127.0.2.{i % 16 + 1}") for i, n in enumerate(names) for _ in range(3)]
        helper = s.login("li")
        with s.client() as http:
            http.put("/api/v1/me/duty", json={"on_duty": True}, headers={"Authorization": f"Bearer {helper}"})
        print(f"{args.db}: server RSS at start {s.rss_mb():.0f} MB")
        for _ in range(args.rounds):
            _round(s, tokens, helper, s.kiosk("k1"), args)


if __name__ == "__main__":
    main()
