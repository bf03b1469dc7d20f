"""A login storm against the help-queue server while kiosks keep calling for help.

    python3 bench/bench_login_storm.py [--seconds 20] [--attackers 60] [--kiosks 10] [--interval 0.1]
                                       [--one-address]

Starts ``kiosk queue serve`` (a separate process, SQLite in a temp state dir, production argon2 cost),
provisions one site, ``--kiosks`` kiosks and one helper, then:

1. Quiet: for 5 s the kiosks each create a request every ``--interval`` s; their create latency is the
   baseline.
2. Storm: ``--attackers`` threads post wrong passwords to ``/api/v1/auth/login`` as fast as the server
   answers, for ``--seconds``, each from its own loopback address (127.0.1.N, so the per-address budget
   does not stop them early and the password-check pool is what holds; ``--one-address`` sends them all
   from one address instead), with user names that exist and that do not; the kiosks keep creating.

Prints the kiosk create p50/p99 for both phases, the logins answered per status (401 checked, 429
throttled, 503 pool full), and the server's RSS at start, peak (VmHWM) and end (after the storm).
Bars: kiosk create p99 < 100 ms during the storm; peak RSS within 100 MB of the start. With
``STORM_TRACE=1`` it also prints the 25 slowest creates and when they happened (seconds after the storm
began). The attackers run as asyncio tasks in a process of their own: 60 client threads in this process
slowed its own kiosk threads down and were measured as the server's latency.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from queue_server import start_queue_server  # noqa: E402


def provision(state: Path, kiosks: int) -> list[str]:
    from kiosk.queue.db import Database, sqlite_url
    from kiosk.queue.provision import add_kiosk, add_site, add_user

    db = Database(sqlite_url(state))
    db.migrate()
    now = datetime.now(UTC)
    add_site(db, "S1", "南郊街道便民服务中心", "town", now)
    tokens = [add_kiosk(db, f"k{i}", "S1", now) for i in range(kiosks)]
    add_user(db, "li", "helper", ["S1"], "the right password", now)  # production argon2id cost
    db.dispose()
    return tokens


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


TRACE: list[tuple[float, float]] = []


def kiosk_loop(url: str, index: int, token: str, interval: float, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as c:
        while not stop.is_set():
            body = {"id": str(uuid.uuid4()), "kind": "call", "kiosk_id": f"k{index}", "site_code": "S1",
                    "created_at": datetime.now(UTC).isoformat()}
            t0 = time.perf_counter()
            r = c.post("/api/v1/requests", json=body)
            if r.status_code == 201:
                out.append(time.perf_counter() - t0)
                if os.environ.get("STORM_TRACE"):
                    TRACE.append((time.perf_counter(), out[-1]))
            stop.wait(interval)


async def _attack(url: str, address: str, index: int, deadline: float, codes: Counter) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=url, timeout=60, transport=transport) as c:
        n = 0
        while time.monotonic() < deadline:
            name = "li" if n % 2 else f"guess{index}-{n}"
            try:
                r = await c.post("/api/v1/auth/login", json={"username": name, "password": f"wrong {n}"})
                codes[r.status_code] += 1
            except httpx.HTTPError:
                codes[0] += 1
            n += 1


def storm_process(url: str, attackers: int, one_address: bool, seconds: float, results) -> None:
    """``attackers`` concurrent login loops (one asyncio task each: light on this machine's CPU)."""
    import asyncio

    codes: Counter = Counter()
    deadline = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(*(_attack(url, "127.0.0.2" if one_address else f"127.0.1.{i + 1}", i, deadline, codes)
                               for i in range(attackers)))

    asyncio.run(run())
    results.put(dict(codes))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--attackers", type=int, default=60)
    ap.add_argument("--kiosks", type=int, default=10)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--one-address", action="store_true")
    args = ap.parse_args()
    print("command: python3 bench/bench_login_storm.py " + " ".join(sys.argv[1:]))
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "st"
        state.mkdir()
        tokens = provision(state, args.kiosks)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        server = start_queue_server(state, env=env)
        proc, url = server.proc, server.url
        try:
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            with httpx.Client(base_url=url, timeout=30) as c:  # warm up: one password check, one create
                c.post("/api/v1/auth/login", json={"username": "li", "password": "the right password"})
            stop_kiosks = threading.Event()
            latencies: list[float] = []
            kiosk_threads = [threading.Thread(target=kiosk_loop, args=(url, i, t, args.interval, stop_kiosks, latencies))
                             for i, t in enumerate(tokens)]
            for t in kiosk_threads:
                t.start()
            time.sleep(5)
            quiet, latencies[:] = list(latencies), []
            rss = {"start": status_kb(proc.pid, "VmRSS")}
            # the attackers run in their own process, so their threads do not slow this one's kiosks
            storm_proc = mp.get_context("spawn").Process(target=storm_process, args=(
                url, args.attackers, args.one_address, args.seconds, results := mp.get_context("spawn").Queue()))
            storm_proc.start()
            t_storm = time.perf_counter()
            codes = results.get(timeout=args.seconds + 120)
            storm_proc.join()
            storm = list(latencies)
            time.sleep(2)
            stop_kiosks.set()
            for t in kiosk_threads:
                t.join()
            rss["peak"] = status_kb(proc.pid, "VmHWM")
            rss["end"] = status_kb(proc.pid, "VmRSS")
        finally:
            server.stop(timeout=15)
    if os.environ.get("STORM_TRACE"):
        slow = sorted(TRACE, key=lambda x: -x[1])[:25]
        print("slowest (s after storm start, ms):", [(round(t - t_storm, 2), round(d * 1000)) for t, d in sorted(slow)])
    print(f"kiosk creates, quiet : n={len(quiet)} p50 {pct(quiet, .5):.1f} ms  p99 {pct(quiet, .99):.1f} ms")
    print(f"kiosk creates, storm : n={len(storm)} p50 {pct(storm, .5):.1f} ms  p99 {pct(storm, .99):.1f} ms"
          f"  (max {max(storm, default=0) * 1000:.1f} ms; mean {statistics.mean(storm or [0]) * 1000:.1f} ms)")
    total = sum(codes.values())
    print(f"logins answered: {total} in {args.seconds:g} s ({total / args.seconds:.0f}/s): "
          + ", ".join(f"{k}×{v}" for k, v in sorted(codes.items())) + "  (401 checked, 429 throttled, 503 pool full)")
    print(f"server RSS: start {rss['start'] / 1024:.0f} MB, peak {rss['peak'] / 1024:.0f} MB "
          f"(+{(rss['peak'] - rss['start']) / 1024:.0f}), end {rss['end'] / 1024:.0f} MB")
    ok = pct(storm, .99) < 100 and (rss["peak"] - rss["start"]) / 1024 < 100
    print("bars (p99 < 100 ms, peak within 100 MB of start):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
