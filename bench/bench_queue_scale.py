"""Help-queue server at a province's scale: N server processes (PostgreSQL) or one (SQLite), thousands of
kiosks and consoles; call-to-console latency under load and past saturation, and creations + claims a second.

    python3 bench/bench_queue_scale.py [--db pg|sqlite] [--processes 1] [--kiosks 5000] [--consoles 1000]
                                       [--rate 500] [--seconds 10] [--runs 3] [--throughput]

Provisions 10 sites, ``--kiosks`` kiosks and ``--consoles`` helpers (one SSE console each, so ~100 consoles
per site at 1,000), starts ``--processes`` separate ``kiosk queue serve`` processes on one database (as N
processes behind a proxy; PostgreSQL: a private schema in ``--pg``), then per run:

- latency: consoles spread over the processes stay connected while the kiosks (a second client process,
  also spread over the processes) call for help at ``--rate`` calls/s (Poisson). Each console measures
  kiosk POST start -> ``request.created`` arriving (``--timed`` of them parse and time the events; the
  others read and discard them, so the client stays cheap). Prints p50/p99/max, the share of events delivered
  live (the rest were skipped by a ``resync``), resyncs, and the kiosks' create answers (every create
  must succeed: they are the data that must not be lost).
- with ``--throughput``: creations + claims at full speed, clients spread over the processes.

Prints each run with the machine's load average and the servers' own view (``/metrics``: the share of the
frames due that they wrote, in how many writes, resyncs and frames shed, where an event's time went: commit
-> NOTIFY, NOTIFY -> read below the horizon, bus -> console write; ``/healthz``: loop lag, degraded), then
the median of the runs. call -> console is split at the moment the server's create began (the event's
time): before it, the request waited (HTTP, authentication, a thread); after it, the transaction and the
event's way to the console. The machine is shared: read the figures with the load average printed next
to them, and the CPU split (cores used by the servers, the bench's client processes and the PostgreSQL
backends serving the servers, from ``/proc``).

The clients run under ``SCHED_BATCH`` (``--client-sched``, bench/scale_split.py: a woken client does not
preempt the server; in a hall they are other machines), kiosks send requests encoded before the clock
starts. Each run also prints the servers' garbage collections (``/metrics``, kiosk/queue/gcwatch.py):
their count by generation, wall-clock pause and CPU. ``KIOSK_QUEUE_GC=default|frozen|tuned`` in the
environment sets the servers' collector for an A/B; ``BENCH_PROFILE=<file>`` profiles each server's event
loop over the run (CPU time, bench/prof_serve.py).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_queue import _SENT, Http, cpu_seconds, pct, provision, throughput  # noqa: E402
from scale_split import KioskCalls, client_sched, cpu_split, pg_backends  # noqa: E402

# the server's time the create began (its service call, after the HTTP request waited for a thread) and
# the kiosk's send time, from one request.created event: splits call -> console in two (same machine clocks)
_AT = re.compile(rb'"type":"request\.created","at":"([^"]+)"[^\n]*?"note":"t=([0-9.]+)"')


def _wall_to_mono() -> float:
    return time.time() - time.monotonic()


def _parse_at(at: bytes) -> float:
    return datetime.fromisoformat(at.decode().replace("Z", "+00:00")).timestamp()


def start(args, url: str | None, state: Path) -> tuple[subprocess.Popen, int]:
    db = ["--db", url] if url else []
    prog = [str(Path(__file__).parent / "prof_serve.py")] if os.environ.get("BENCH_PROFILE") else ["-m", "kiosk"]
    proc = subprocess.Popen([sys.executable, *prog, "queue", "serve", *db, "--state-dir", str(state),
                             "--port", "0", "--max-connections", "20000", "--max-connections-per-address", "20000"],
                            stderr=subprocess.PIPE, text=True)
    line = ""
    while "listening on" not in line:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise SystemExit("server did not start")
    threading.Thread(target=_drain, args=(proc,), daemon=True).start()  # a full pipe would stop the server
    return proc, int(line.strip().rsplit(":", 1)[1])


SERVER_ERRORS: list[str] = []  # the servers' ERROR log lines (e.g. PostgreSQL out of connections)


def _drain(proc: subprocess.Popen) -> None:
    for line in proc.stderr:
        if " ERROR " in line or "OperationalError" in line:
            SERVER_ERRORS.append(line.strip()[:200])


def kiosk_process(ports: list[int], kiosks: list, rate: float, seconds: float, started, out, sched=("normal", None)) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
    client_sched(*sched)
    calls = [KioskCalls(kiosk_id, site, token, int(seconds * rate / len(kiosks) * 3) + 3)
             for kiosk_id, site, token in kiosks]  # encoded before the clock starts

    async def main() -> dict:
        started.wait()
        stop = time.monotonic() + seconds
        interval = len(kiosks) / rate
        codes: dict[int, int] = {}
        rtts: list[float] = []

        async def kiosk(n: int, mine: KioskCalls) -> None:
            http = None
            await asyncio.sleep(min(random.uniform(0, interval), seconds))
            while time.monotonic() < stop:
                try:
                    if http is None:
                        http = await Http("127.0.0.1", ports[n % len(ports)]).open()
                    t0 = time.monotonic()
                    status, _ = await http.send(mine.next(t0))
                    rtts.append(time.monotonic() - t0)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    status, http = type(exc).__name__, None
                codes[status] = codes.get(status, 0) + 1
                await asyncio.sleep(min(random.expovariate(1 / interval), max(0.0, stop - time.monotonic())))
            if http:
                http.close()

        await asyncio.gather(*(kiosk(n, mine) for n, mine in enumerate(calls)))
        return codes, rtts

    codes, rtts = asyncio.run(main())
    codes["cpu"], codes["rtts"] = time.process_time(), rtts
    out.put(codes)


async def consoles(ports: list[int], helpers: list, seconds: float, ready_q, started, timed: int) -> dict:
    latencies: list[float] = []
    waits: list[float] = []  # kiosk send -> the server's service call began (HTTP, auth, waiting for a thread)
    served: list[float] = []  # the server's create began -> the event at the console (the server's part)
    offset = _wall_to_mono()
    ready = resyncs = 0
    n = len(helpers)

    async def drain(i: int, token: str) -> None:
        """A console that reads everything but parses nothing (cheap: the client must not be the limit)."""
        nonlocal ready, resyncs
        http = await Http("127.0.0.1", ports[i % len(ports)]).open()
        try:
            http.writer.write(f"GET /api/v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                              "Accept: text/event-stream\r\n\r\n".encode())
            first = True
            while data := await http.reader.read(1 << 20):
                if first and b'{"type":"hello"}' in data:
                    ready, first = ready + 1, False
                resyncs += data.count(b"event: resync")
        finally:
            http.close()

    async def console(i: int, token: str) -> None:
        nonlocal ready, resyncs
        if i >= timed:
            return await drain(i, token)
        http = await Http("127.0.0.1", ports[i % len(ports)]).open()
        try:
            async for block in http.sse_blocks("/api/v1/events/stream", token):
                now = time.monotonic()
                if b'data: {"type":"hello"}' in block:
                    ready += 1
                resyncs += block.count(b"event: resync")
                latencies.extend(now - float(sent) for sent in _SENT.findall(block))
                for at, sent in _AT.findall(block):
                    began = _parse_at(at) - offset
                    waits.append(began - float(sent))
                    served.append(now - began)
        finally:
            http.close()

    tasks = [asyncio.create_task(console(i, token)) for i, (_, token) in enumerate(helpers)]
    deadline = time.monotonic() + 120
    while ready < n and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    ready_q.put(ready)
    await asyncio.get_running_loop().run_in_executor(None, started.wait)
    await asyncio.sleep(seconds + 3)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"latencies": latencies, "waits": waits, "served": served, "resyncs": resyncs, "ready": ready, "timed": min(timed, n),
            "cpu": time.process_time()}


def console_process(ports: list[int], helpers: list, seconds: float, ready_q, started, out, timed: int,
                    sched=("normal", None)) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
    client_sched(*sched)
    out.put(asyncio.run(consoles(ports, helpers, seconds, ready_q, started, timed)))


def _health(port: int) -> str:
    import httpx

    try:
        h = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).json()
        return (f"lag {h['loop_lag_ms']:.0f} ms, cpu {h['cpu']:.2f}{', OVERLOADED' if h['overloaded'] else ''}"
                f"{', DEGRADED' if h.get('status') == 'degraded' else ''}, {h.get('calls_waiting', 0)} calls waiting for a thread")
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        return f"healthz failed ({exc})"


_PROCESS = re.compile(r'process="[^"]*",?')


def _pushes(ports: list[int], token: str) -> dict[str, float]:
    """The servers' own figures (``/metrics``: any process answers for all of them, one ``process`` label
    each), summed over the processes."""
    import httpx

    out: dict[str, float] = {}
    for port in ports:
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"},
                             timeout=60).text
        except httpx.HTTPError:
            continue
        for line in text.splitlines():
            if line.startswith("kq_") and ("_total" in line or "_seconds_" in line):
                name, value = line.rsplit(" ", 1)
                name = _PROCESS.sub("", name).replace("{}", "")
                out[name] = out.get(name, 0.0) + float(value)
        return out
    return out


def _quantile(pushes: dict[str, float], name: str, q: float) -> float:
    """A quantile (ms) from a histogram's cumulative buckets: the upper bound of the bucket it falls in."""
    buckets = sorted((float(k.split('le="')[1].split('"')[0]), v) for k, v in pushes.items()
                     if k.startswith(name + "_bucket"))
    total = buckets[-1][1] if buckets else 0
    return next((b * 1000 for b, v in buckets if v >= q * total), float("nan")) if total else float("nan")


def _profile(pids: list[int], sig: int) -> None:
    """``BENCH_PROFILE``: the servers' profiles cover the run only (bench/prof_serve.py)."""
    if os.environ.get("BENCH_PROFILE"):
        for pid in pids:
            os.kill(pid, sig)


def _gc(pushes: dict[str, float]) -> str:
    """The servers' garbage collections during the run (kiosk/queue/gcwatch.py, in /metrics)."""
    count = {g: pushes.get(f'kq_gc_collections_total{{generation="{g}"}}', 0) for g in "012"}
    paused = sum(pushes.get(f'kq_gc_paused_seconds_total{{generation="{g}"}}', 0) for g in "012")
    cpus = [pushes.get(f'kq_gc_cpu_seconds_total{{generation="{g}"}}', 0) * 1000 for g in "012"]
    buckets = sorted((float(k.split('le="')[1].split('"')[0]), v) for k, v in pushes.items()
                     if k.startswith("kq_gc_pause_seconds_bucket"))
    worst = next((b for b, v in buckets if v >= buckets[-1][1]), float("nan")) if buckets and buckets[-1][1] else 0
    return (f"{sum(count.values()):.0f} collections (gen0/1/2 {count['0']:.0f}/{count['1']:.0f}/{count['2']:.0f}), "
            f"{paused * 1000:.0f} ms paused in all ({sum(cpus):.0f} ms CPU: gen0/1/2 {cpus[0]:.0f}/{cpus[1]:.0f}/{cpus[2]:.0f}), the longest <= {worst * 1000:g} ms")


def latency_run(ports: list[int], pids: list[int], world: dict, args) -> dict:
    """Kiosks and consoles each in ``--client-procs`` processes (the client must not be the bottleneck)."""
    started, kout, cout, ready_q = mp.Event(), mp.Queue(), mp.Queue(), mp.Queue()
    k, helpers = args.client_procs, world["helpers"][: args.consoles]
    sched = (args.client_sched, args.client_cpu)
    kps = [mp.Process(target=kiosk_process, args=(ports, world["kiosks"][i::k], args.rate / k, args.seconds, started,
                                                  kout, sched)) for i in range(k)]
    cps = [mp.Process(target=console_process, args=(ports[i:] + ports[:i], helpers[i::k], args.seconds, ready_q,
                                                    started, cout, args.timed // k, sched)) for i in range(k)]
    for proc in kps + cps:
        proc.start()
    ready = sum(ready_q.get(timeout=180) for _ in cps)
    cpu0 = sum(cpu_seconds(p) for p in pids)
    pushes0 = _pushes(ports, args.token)
    pg_pids = pg_backends(args.admin, pids)
    split0 = cpu_split(pids, [p.pid for p in kps + cps], pg_pids)
    _profile(pids, signal.SIGUSR1)
    started.set()
    time.sleep(args.seconds * 0.7)
    health = [_health(port) for port in ports]  # the servers' own view: loop lag, CPU share, overloaded
    parts = [cout.get(timeout=args.seconds + 120) for _ in cps]
    _profile(pids, signal.SIGUSR2)
    cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    # backends opened during the run (the pools grow under load) count from zero
    pg_pids += [pid for pid in pg_backends(args.admin, pids) if pid not in pg_pids]
    split = {k: (v - split0[k]) / (args.seconds + 3)
             for k, v in cpu_split(pids, [p.pid for p in kps + cps], pg_pids).items()}
    pushes = {k: v - pushes0.get(k, 0.0) for k, v in _pushes(ports, args.token).items()}
    served = {k.split('"')[1]: v / pushes.get(k.replace("_sum", "_count"), 1) * 1000
              for k, v in pushes.items() if k.startswith("kq_request_seconds_sum") and pushes.get(k.replace("_sum", "_count"))}
    codes: dict[int, int] = {}
    client_cpu, rtts = sum(part["cpu"] for part in parts), []
    for part in (kout.get(timeout=120) for _ in kps):
        client_cpu += part.pop("cpu")
        rtts.extend(v * 1000 for v in part.pop("rtts"))
        for key, value in part.items():
            codes[key] = codes.get(key, 0) + value
    for proc in kps + cps:
        proc.join(timeout=30)
    got = {"latencies": [v for part in parts for v in part["latencies"]], "ready": ready,
           "resyncs": sum(part["resyncs"] for part in parts), "timed": sum(part["timed"] for part in parts),
           "health": health}
    ms = [v * 1000 for v in got["latencies"]]
    waits = [v * 1000 for part in parts for v in part["waits"]]
    began = [v * 1000 for part in parts for v in part["served"]]
    created = codes.get(201, 0)
    expected = created * got["timed"] / 10  # each event goes to the consoles of its site (1/10 of them)
    return {"p50": pct(ms, 50), "p99": pct(ms, 99), "wait50": pct(waits, 50), "wait99": pct(waits, 99),
            "began50": pct(began, 50), "began99": pct(began, 99), "rtt50": pct(rtts, 50), "rtt99": pct(rtts, 99),
            "client_cpu": client_cpu / (args.seconds + 3), "max": max(ms, default=float("nan")), "n": len(ms),
            "live": len(ms) / expected if expected else float("nan"), "resyncs": got["resyncs"],
            "ready": got["ready"], "created": created, "health": got["health"],
            "written": pushes.get("kq_push_frames_total", 0) / (created * args.consoles / 10) if created else 0,
            "to_bus50": _quantile(pushes, "kq_event_to_bus_seconds", 0.5),
            "to_bus99": _quantile(pushes, "kq_event_to_bus_seconds", 0.99),
            "push99": _quantile(pushes, "kq_push_delay_seconds", 0.99),
            "push50": _quantile(pushes, "kq_push_delay_seconds", 0.5),
            "notify50": _quantile(pushes, "kq_notify_delay_seconds", 0.5),
            "notify99": _quantile(pushes, "kq_notify_delay_seconds", 0.99),
            "listen50": _quantile(pushes, "kq_listen_wait_seconds", 0.5),
            "listen99": _quantile(pushes, "kq_listen_wait_seconds", 0.99),
            "shed": pushes.get("kq_push_shed_frames_total", 0),
            "writes": pushes.get("kq_push_writes_total", 0), "server_resyncs": pushes.get("kq_push_resyncs_total", 0), "failed": sum(v for k, v in codes.items() if k != 201),
            "failures": {k: v for k, v in codes.items() if k != 201},
            "calls_s": created / args.seconds, "cpu": cpu / (args.seconds + 3), "load": os.getloadavg()[0],
            "cpu_per_call_ms": cpu / created * 1000 if created else float("nan"),
            "cpu_per_frame_us": cpu / len(ms) * 1e6 if ms else float("nan"), "served_ms": served, "split": split,
            "pg_backends": len(pg_pids), "gc": _gc(pushes)}


def throughput_process(port: int, world: dict, seconds: float, workers: int, gate, out) -> None:
    out.put(asyncio.run(throughput("127.0.0.1", port, world, seconds, workers, gate=gate)))


def throughput_run(ports: list[int], world: dict, args, pids: list[int]) -> dict:
    gate, out = mp.Event(), mp.Queue()
    procs = [mp.Process(target=throughput_process, args=(p, world, args.seconds, args.workers // len(ports), gate, out))
             for p in ports]
    for p in procs:
        p.start()
    time.sleep(3)  # each client encodes its requests first
    cpu0 = sum(cpu_seconds(p) for p in pids)
    gate.set()
    time.sleep(args.seconds * 0.7)
    health = [_health(port) for port in ports]  # the servers' own view: loop lag, CPU share
    results = [out.get(timeout=args.seconds + 120) for _ in procs]
    cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    for p in procs:
        p.join(timeout=30)
    created, claimed = sum(r["created"] for r in results), sum(r["claimed"] for r in results)
    ops = created + claimed
    seconds = max(r["seconds"] for r in results)
    return {"created": created, "claimed": claimed, "ops": ops, "health": health,
            "errors": sum(r["total"]["errors"] for r in results), "load": os.getloadavg()[0],
            "cpu": cpu / seconds, "cpu_per_op_ms": cpu / (ops * seconds) * 1000 if ops else float("nan")}


def _print_throughput(run: int, t: dict) -> None:
    print(f"run {run + 1}: throughput {t['created']:.0f} creations/s + {t['claimed']:.0f} claims/s = "
          f"{t['ops']:.0f}/s (errors {t['errors']}); server CPU {t['cpu'] * 100:.0f}% of one core, "
          f"{t['cpu_per_op_ms']:.2f} ms per creation or claim; load average {t['load']:.1f}; servers' /healthz "
          f"{'; '.join(t['health'])}", flush=True)


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
    ap.add_argument("--only-throughput", action="store_true", help="creations + claims only (no latency part)")
    ap.add_argument("--workers", type=int, default=32, help="concurrent clients of the throughput part")
    ap.add_argument("--timed", type=int, default=100,
                    help="consoles that parse and time events (the others read and discard, to keep the client cheap)")
    ap.add_argument("--client-procs", type=int, default=2, help="client processes for the kiosks, and for the consoles")
    ap.add_argument("--client-sched", choices=("batch", "normal"), default="batch",
                    help="the clients' scheduling policy: batch = they never preempt the server on wake-up (bench/scale_split.py)")
    ap.add_argument("--client-cpu", type=int, default=None, help="pin the client processes to this CPU")
    args = ap.parse_args()
    if args.db == "sqlite" and args.processes != 1:
        raise SystemExit("SQLite has one writer: --processes 1")
    resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; {args.processes} "
          f"{args.db} server process(es), {args.kiosks} kiosks, {args.consoles} consoles, {args.rate:.0f} calls/s")
    admin, schema, url = None, None, None
    args.admin = None
    if args.db == "pg":
        import psycopg

        schema = f"bench_scale_{secrets.token_hex(4)}"
        admin = psycopg.connect(args.pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        admin.execute(f'CREATE SCHEMA "{schema}"')
        args.admin = admin
        url = f"{args.pg}?options=-csearch_path%3D{schema}"
    tmpdir = tempfile.TemporaryDirectory(prefix="bench-scale-")
    procs: list = []
    lat_runs, tp_runs = [], []
    try:
        tmp = tmpdir.name
        state = Path(tmp) / "state"
        world = provision(state, args.kiosks, args.consoles, url)
        procs = [start(args, url, state) for _ in range(args.processes)]
        from kiosk.queue.ops.inspect import key_material
        from kiosk.queue.ops.live import ops_token

        args.token = ops_token(key_material(state)[0])  # for the servers' /metrics
        ports, pids = [p for _, p in procs], [proc.pid for proc, _ in procs]
        for run in range(args.runs):
            if args.only_throughput:
                tp_runs.append(throughput_run(ports, world, args, pids))
                _print_throughput(run, tp_runs[-1])
                continue
            r = latency_run(ports, pids, world, args)
            lat_runs.append(r)
            print(f"run {run + 1}: call -> console p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.0f} ms "
                  f"(kiosk send -> server's create began p50 {r['wait50']:.0f} ms, p99 {r['wait99']:.0f} ms; create began -> "
                  f"console p50 {r['began50']:.0f} ms, p99 {r['began99']:.0f} ms; "
                  f"{r['n']} timed deliveries, {r['live']:.0%} live, {r['resyncs']} resyncs, {r['ready']} consoles); "
                  f"creates {r['created']} ok ({r['calls_s']:.0f}/s, answered to the kiosk in p50 {r['rtt50']:.0f} ms, p99 "
                  f"{r['rtt99']:.0f} ms), {r['failed']} failed {r['failures'] or ''}; server CPU "
                  f"{r['cpu'] * 100:.0f}% of one core, {r['cpu_per_call_ms']:.2f} ms per call with its fan-out "
                  f"({r['cpu_per_frame_us']:.0f} us per delivered event); bench clients' CPU {r['client_cpu'] * 100:.0f}% of one core; "
                  f"CPU split (cores, /proc): servers {r['split']['server']:.2f}, clients {r['split']['clients']:.2f}, "
                  f"PostgreSQL {r['split']['pg']:.2f} ({r['pg_backends']} backends); servers' GC: {r['gc']}; load average {r['load']:.1f}; the servers wrote {r['written']:.0%} of the frames due in {r['writes']:.0f} writes, "
                  f"{r['server_resyncs']:.0f} resyncs ({r['shed']:.0f} frames shed); event's time -> the servers' bus "
                  f"p50 <= {r['to_bus50']:.0f} ms, p99 <= {r['to_bus99']:.0f} ms (of which commit -> NOTIFY sent p50 <= "
                  f"{r['notify50']:.0f}, p99 <= {r['notify99']:.0f} ms; NOTIFY arrived -> its events read below the "
                  f"horizon p50 <= {r['listen50']:.0f}, p99 <= {r['listen99']:.0f} ms), bus -> console write p50 <= "
                  f"{r['push50']:.0f}, p99 <= {r['push99']:.0f} ms (bucket bounds); servers' /healthz {'; '.join(r['health'])}; their mean time to a "
                  f"response's first byte {', '.join(f'{k} {v:.0f} ms' for k, v in r['served_ms'].items())}", flush=True)
            if args.throughput:
                tp_runs.append(throughput_run(ports, world, args, pids))
                _print_throughput(run, tp_runs[-1])
    finally:
        for proc, _ in procs:
            proc.terminate()
            proc.wait(timeout=20)
        tmpdir.cleanup()  # after the servers stopped (they write their figures there)
        if admin is not None:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            admin.close()

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    if SERVER_ERRORS:
        print(f"the servers logged {len(SERVER_ERRORS)} errors; the last: {SERVER_ERRORS[-1]}")
    if lat_runs:
        print(f"median of {args.runs}: p50 {med(lat_runs, 'p50'):.1f} ms, p99 {med(lat_runs, 'p99'):.1f} ms "
              f"(create began -> console p50 {med(lat_runs, 'began50'):.0f} ms, p99 {med(lat_runs, 'began99'):.0f} ms), "
              f"{med(lat_runs, 'live'):.0%} live, creates failed {max(r['failed'] for r in lat_runs)} (worst run), "
              f"server CPU {med(lat_runs, 'cpu_per_call_ms'):.2f} ms per call with its fan-out "
              f"(=> {1000 / med(lat_runs, 'cpu_per_call_ms'):.0f} calls/s per free core); "
              f"load average {med(lat_runs, 'load'):.1f}")
    if tp_runs:
        print(f"median of {args.runs}: {med(tp_runs, 'ops'):.0f} creations+claims/s "
              f"({med(tp_runs, 'created'):.0f} + {med(tp_runs, 'claimed'):.0f}); load average {med(tp_runs, 'load'):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
