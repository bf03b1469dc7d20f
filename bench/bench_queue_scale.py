"""Help-queue server at a province's scale: N server processes (PostgreSQL) or one (SQLite), thousands of
kiosks and consoles; call-to-console latency under load and past saturation, and creations + claims a second.

    python3 bench/bench_queue_scale.py [--db pg|sqlite] [--processes 1] [--kiosks 5000] [--consoles 1000]
                                       [--rate 500] [--seconds 10] [--runs 3] [--throughput]

Provisions 10 sites, ``--kiosks`` kiosks and ``--consoles`` helpers (one SSE console each, so ~100 consoles
per site at 1,000), starts ``--processes`` separate ``kiosk queue serve`` processes on one database (as N
processes behind a proxy; PostgreSQL: a private schema in ``--pg``), then per run:

- latency: consoles spread over the processes stay connected while the kiosks (a second client process,
  also spread over the processes) call for help at ``--rate`` calls/s (Poisson). Each console measures
  kiosk POST start -> ``request.created`` arriving. Prints p50/p99/max, the share of events delivered
  live (the rest were skipped by a ``resync``), resyncs, and the kiosks' create answers (every create
  must succeed: they are the data that must not be lost).
- with ``--throughput``: creations + claims at full speed, clients spread over the processes.

Prints each run with the machine's load average, then the median of the runs. The machine is shared:
read the figures with the load average printed next to them.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_queue import _SENT, Http, body_for, cpu_seconds, pct, provision, throughput  # noqa: E402


def start(args, url: str | None, state: Path) -> tuple[subprocess.Popen, int]:
    db = ["--db", url] if url else []
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "queue", "serve", *db, "--state-dir", str(state),
                             "--port", "0", "--max-connections", "20000", "--max-connections-per-address", "20000"],
                            stderr=subprocess.PIPE, text=True)
    line = ""
    while "listening on" not in line:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise SystemExit("server did not start")
    return proc, int(line.strip().rsplit(":", 1)[1])


def kiosk_process(ports: list[int], kiosks: list, rate: float, seconds: float, started, out) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))

    async def main() -> dict:
        started.wait()
        stop = time.monotonic() + seconds
        interval = len(kiosks) / rate
        codes: dict[int, int] = {}

        async def kiosk(n: int, kiosk_id: str, site: str, token: str) -> None:
            http = None
            await asyncio.sleep(min(random.uniform(0, interval), seconds))
            while time.monotonic() < stop:
                try:
                    if http is None:
                        http = await Http("127.0.0.1", ports[n % len(ports)]).open()
                    status, _ = await http.request("POST", "/api/v1/requests", token,
                                                   body_for(kiosk_id, site, f"t={time.monotonic():.6f}"))
                except OSError:
                    status, http = 0, None
                codes[status] = codes.get(status, 0) + 1
                await asyncio.sleep(min(random.expovariate(1 / interval), max(0.0, stop - time.monotonic())))
            if http:
                http.close()

        await asyncio.gather(*(kiosk(n, *k) for n, k in enumerate(kiosks)))
        return codes

    out.put(asyncio.run(main()))


async def consoles(ports: list[int], world: dict, n: int, seconds: float, started) -> dict:
    latencies: list[float] = []
    ready = resyncs = 0

    async def console(i: int, token: str) -> None:
        nonlocal ready, resyncs
        http = await Http("127.0.0.1", ports[i % len(ports)]).open()
        try:
            async for block in http.sse_blocks("/api/v1/events/stream", token):
                now = time.monotonic()
                if b'data: {"type":"hello"}' in block:
                    ready += 1
                resyncs += block.count(b"event: resync")
                latencies.extend(now - float(sent) for sent in _SENT.findall(block))
        finally:
            http.close()

    tasks = [asyncio.create_task(console(i, token)) for i, (_, token) in enumerate(world["helpers"][:n])]
    deadline = time.monotonic() + 120
    while ready < n and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    started.set()
    await asyncio.sleep(seconds + 3)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"latencies": latencies, "resyncs": resyncs, "ready": ready}


def latency_run(ports: list[int], pids: list[int], world: dict, args) -> dict:
    started, out = mp.Event(), mp.Queue()
    kp = mp.Process(target=kiosk_process, args=(ports, world["kiosks"], args.rate, args.seconds, started, out))
    kp.start()
    cpu0 = sum(cpu_seconds(p) for p in pids)
    got = asyncio.run(consoles(ports, world, args.consoles, args.seconds, started))
    cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    codes = out.get(timeout=120)
    kp.join(timeout=30)
    ms = [v * 1000 for v in got["latencies"]]
    created = codes.get(201, 0)
    expected = created * args.consoles / 10  # each event goes to the consoles of its site (1/10 of them)
    return {"p50": pct(ms, 50), "p99": pct(ms, 99), "max": max(ms, default=float("nan")), "n": len(ms),
            "live": len(ms) / expected if expected else float("nan"), "resyncs": got["resyncs"],
            "ready": got["ready"], "created": created, "failed": sum(v for k, v in codes.items() if k != 201),
            "calls_s": created / args.seconds, "cpu": cpu / (args.seconds + 3), "load": os.getloadavg()[0]}


def throughput_process(port: int, world: dict, seconds: float, workers: int, gate, out) -> None:
    out.put(asyncio.run(throughput("127.0.0.1", port, world, seconds, workers, gate=gate)))


def throughput_run(ports: list[int], world: dict, args) -> dict:
    gate, out = mp.Event(), mp.Queue()
    procs = [mp.Process(target=throughput_process, args=(p, world, args.seconds, args.workers // len(ports), gate, out))
             for p in ports]
    for p in procs:
        p.start()
    time.sleep(3)  # each client encodes its requests first
    gate.set()
    results = [out.get(timeout=args.seconds + 120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    created, claimed = sum(r["created"] for r in results), sum(r["claimed"] for r in results)
    return {"created": created, "claimed": claimed, "ops": created + claimed,
            "errors": sum(r["total"]["errors"] for r in results), "load": os.getloadavg()[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("pg", "sqlite"), default="pg")
    ap.add_argument("--pg", default=os.environ.get("KIOSK_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test"))
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--kiosks", type=int, default=5000)
    ap.add_argument("--consoles", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=500, help="kiosk calls per second in total")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--throughput", action="store_true", help="also creations + claims at full speed")
    ap.add_argument("--workers", type=int, default=32, help="concurrent clients of the throughput part")
    args = ap.parse_args()
    if args.db == "sqlite" and args.processes != 1:
        raise SystemExit("SQLite has one writer: --processes 1")
    resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; {args.processes} "
          f"{args.db} server process(es), {args.kiosks} kiosks, {args.consoles} consoles, {args.rate:.0f} calls/s")
    admin, schema, url = None, None, None
    if args.db == "pg":
        import psycopg

        schema = f"bench_scale_{secrets.token_hex(4)}"
        admin = psycopg.connect(args.pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{args.pg}?options=-csearch_path%3D{schema}"
    procs: list = []
    lat_runs, tp_runs = [], []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            state = Path(tmp) / "state"
            world = provision(state, args.kiosks, args.consoles, url)
            procs = [start(args, url, state) for _ in range(args.processes)]
            ports, pids = [p for _, p in procs], [proc.pid for proc, _ in procs]
            for run in range(args.runs):
                r = latency_run(ports, pids, world, args)
                lat_runs.append(r)
                print(f"run {run + 1}: call -> console p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.0f} ms "
                      f"({r['n']} timed deliveries, {r['live']:.0%} live, {r['resyncs']} resyncs, {r['ready']} consoles); "
                      f"creates {r['created']} ok ({r['calls_s']:.0f}/s), {r['failed']} failed; server CPU "
                      f"{r['cpu'] * 100:.0f}% of one core; load average {r['load']:.1f}", flush=True)
                if args.throughput:
                    t = throughput_run(ports, world, args)
                    tp_runs.append(t)
                    print(f"run {run + 1}: throughput {t['created']:.0f} creations/s + {t['claimed']:.0f} claims/s = "
                          f"{t['ops']:.0f}/s (errors {t['errors']}); load average {t['load']:.1f}", flush=True)
    finally:
        for proc, _ in procs:
            proc.terminate()
            proc.wait(timeout=20)
        if admin is not None:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            admin.close()

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(f"median of {args.runs}: p50 {med(lat_runs, 'p50'):.1f} ms, p99 {med(lat_runs, 'p99'):.1f} ms, "
          f"{med(lat_runs, 'live'):.0%} live, creates failed {max(r['failed'] for r in lat_runs)} (worst run); "
          f"load average {med(lat_runs, 'load'):.1f}")
    if tp_runs:
        print(f"median of {args.runs}: {med(tp_runs, 'ops'):.0f} creations+claims/s "
              f"({med(tp_runs, 'created'):.0f} + {med(tp_runs, 'claimed'):.0f}); load average {med(tp_runs, 'load'):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
