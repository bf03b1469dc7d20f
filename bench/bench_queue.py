"""Help-queue server benchmark on SQLite: throughput of creations + claims, and call-to-console latency.

    python3 bench/bench_queue.py [--seconds 15] [--kiosks 500] [--consoles 100] [--rate 100]

Starts ``kiosk queue serve`` (a separate process, SQLite in a temp state dir, as deployed), provisions
10 sites with 500 kiosks and 100 helpers, then measures with a light raw-HTTP/1.1 asyncio client so the
client spends little of the machine's 2 cores:

1. Throughput: concurrent workers each create a request (kiosk token) and claim it (helper session);
   prints creations/s, claims/s and their sum. Bar (read strictly): >= 500 creations/s AND >= 500
   claims/s at the same time. Also prints the server's and this client's CPU per operation, so a run on
   a machine shared with other work can be judged (the server is one process: one core at most).
2. Latency: 100 SSE consoles (10 per site) stay connected while 500 simulated kiosks call for help
   (Poisson, ``--rate`` calls/s in total) from a second process; each console measures the time from
   the kiosk starting its POST to the ``request.created`` event arriving (both read CLOCK_MONOTONIC).
   Bars: p50 < 50 ms, p99 < 300 ms.
3. Both at once (skip with ``--no-mixed``): the throughput workers (their own process) run at full speed
   while the 100 consoles stay connected (every create and claim is pushed to 10 of them) and the 500
   kiosks keep calling; prints creations/s, claims/s and the call-to-console latency of that load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from queue_server import add_helpers, start_queue_server  # noqa: E402

SITES = [f"S{i:02d}" for i in range(10)]
_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")
# the kiosk's send time (CLOCK_MONOTONIC) in the note of a request.created event (one line per event)
_SENT = re.compile(rb'"type":"request\.created"[^\n]*?"note":"t=([0-9.]+)"')


# ---- a minimal HTTP/1.1 keep-alive client (the bench must not eat the server's CPU) -------------------
class Http:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self) -> Http:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    def encode(self, method: str, path: str, token: str, body: dict | None = None) -> bytes:
        data = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
        return head.encode() + data

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        """Sends one encoded request and reads the answer (status, body)."""
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        match = _LENGTH.search(head)
        return int(head[9:12]), await self.reader.readexactly(int(match.group(1)) if match else 0)

    async def request(self, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
        return await self.send(self.encode(method, path, token, body))

    async def sse(self, path: str, token: str):
        """Yields each SSE event's data (raw JSON bytes) from a chunked text/event-stream response."""
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        while (await self.reader.readline()) not in (b"\r\n", b""):
            pass
        buffer = b""
        while True:
            size = int((await self.reader.readline()).strip() or b"0", 16)
            if size == 0:
                return
            buffer += (await self.reader.readexactly(size + 2))[:-2]
            while b"\r\n\r\n" in buffer:
                block, buffer = buffer.split(b"\r\n\r\n", 1)
                for line in block.split(b"\r\n"):
                    if line.startswith(b"data:"):
                        yield line[5:].strip()

    async def sse_blocks(self, path: str, token: str):
        """Yields raw bytes holding whole SSE events (chunk-size lines included): the cheapest way for
        100 consoles in one client process to keep up with thousands of events per second."""
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        await self.reader.readuntil(b"\r\n\r\n")
        buffer = b""
        while data := await self.reader.read(262144):
            buffer += data
            cut = buffer.rfind(b"\r\n\r\n")
            if cut >= 0:
                yield buffer[:cut]
                buffer = buffer[cut + 4 :]

    def close(self) -> None:
        if self.writer:
            self.writer.close()


# ---- set-up --------------------------------------------------------------------------------------------
def provision(state: Path, kiosks: int, helpers: int, url: str | None = None) -> dict:
    """Sites, kiosks and helpers, with sessions written straight to the database (logging 100 helpers in
    through argon2 is not what this benchmark measures); SQLite in ``state`` unless ``url`` is given."""
    from kiosk.queue.db import Database, sqlite_url
    from kiosk.queue.provision import add_kiosk, add_site

    state.mkdir(parents=True, exist_ok=True)
    db = Database(url or sqlite_url(state))
    db.migrate()
    now = datetime.now(UTC)
    for code in SITES:
        add_site(db, code, f"站点{code}", "town", now)
    kiosk_tokens = [(f"k{i:03d}", SITES[i % len(SITES)], add_kiosk(db, f"k{i:03d}", SITES[i % len(SITES)], now))
                    for i in range(kiosks)]
    helper_tokens = add_helpers(db, helpers, lambda i: SITES[i % len(SITES)], now)
    db.dispose()
    return {"kiosks": kiosk_tokens, "helpers": helper_tokens}


def body_for(kiosk_id: str, site: str, note: str = "") -> dict:
    return {"id": str(uuid.uuid4()), "kind": "call", "kiosk_id": kiosk_id, "site_code": site, "step": "start",
            "created_at": datetime.now(UTC).isoformat(), "note": note}


# ---- 1. throughput -------------------------------------------------------------------------------------
async def throughput(host: str, port: int, world: dict, seconds: float, workers: int, gate=None) -> dict:
    """Create + claim pairs at full speed; with ``gate`` (an Event) the pairs are encoded first, then it
    waits for the gate before the clock starts."""
    helper_by_site: dict[str, list[str]] = {}
    for site, token in world["helpers"]:
        helper_by_site.setdefault(site, []).append(token)
    counts = {"created": 0, "claimed": 0, "errors": 0}
    stop = 0.0

    def prepared(n: int, http: Http, count: int):
        """Encoded (create, claim) pairs made before the clock starts: the client stays cheap."""
        kiosks = world["kiosks"][n::workers]
        for i in range(count):
            kiosk_id, site, token = kiosks[i % len(kiosks)]
            body = body_for(kiosk_id, site)
            yield (http.encode("POST", "/api/v1/requests", token, body),
                   http.encode("POST", f"/api/v1/requests/{body['id']}/claim", random.choice(helper_by_site[site])))

    async def worker(n: int, pairs: list) -> None:
        nonlocal stop
        http = await Http(host, port).open()
        for create, claim in pairs:
            if time.monotonic() >= stop:
                break
            status, _ = await http.send(create)
            counts["created" if status == 201 else "errors"] += 1
            status, _ = await http.send(claim)
            counts["claimed" if status == 200 else "errors"] += 1
        http.close()

    per_worker = int(seconds * 1500 / workers) + 10  # more than a fast server can take in the time
    dummy = Http(host, port)
    work = [list(prepared(n, dummy, per_worker)) for n in range(workers)]
    if gate is not None:
        await asyncio.get_running_loop().run_in_executor(None, gate.wait)
    stop = time.monotonic() + seconds
    t0 = time.monotonic()
    await asyncio.gather(*(worker(n, work[n]) for n in range(workers)))
    elapsed = time.monotonic() - t0
    return {k: v / elapsed for k, v in counts.items()} | {"seconds": elapsed, "total": counts}


def throughput_process(host: str, port: int, world: dict, seconds: float, workers: int, started, out) -> None:
    out.put(asyncio.run(throughput(host, port, world, seconds, workers, gate=started)))


# ---- 2. latency: kiosks in one process, consoles in this one ------------------------------------------
def kiosk_process(host: str, port: int, kiosks: list, rate: float, seconds: float, started) -> None:
    async def main() -> None:
        started.wait()
        stop = time.monotonic() + seconds
        per_kiosk_interval = len(kiosks) / rate

        async def kiosk(kiosk_id: str, site: str, token: str) -> None:
            http = None
            await asyncio.sleep(min(random.uniform(0, per_kiosk_interval), seconds))
            while time.monotonic() < stop:
                if http is None:
                    http = await Http(host, port).open()
                note = f"t={time.monotonic():.6f}"
                await http.request("POST", "/api/v1/requests", token, body_for(kiosk_id, site, note))
                await asyncio.sleep(min(random.expovariate(1 / per_kiosk_interval), max(0.0, stop - time.monotonic())))
            if http:
                http.close()

        await asyncio.gather(*(kiosk(*k) for k in kiosks))

    asyncio.run(main())


async def consoles(host: str, port: int, world: dict, n: int, seconds: float, kiosks_started) -> list[float]:
    latencies: list[float] = []
    ready = 0

    async def console(token: str) -> None:
        nonlocal ready
        http = await Http(host, port).open()
        try:
            async for block in http.sse_blocks("/api/v1/events/stream", token):  # parsed only as needed
                now = time.monotonic()
                if b'data: {"type":"hello"}' in block:
                    ready += 1
                latencies.extend(now - float(sent) for sent in _SENT.findall(block))
        finally:
            http.close()

    tasks = [asyncio.create_task(console(token)) for _, token in world["helpers"][:n]]
    while ready < n:
        await asyncio.sleep(0.05)
    kiosks_started.set()
    await asyncio.sleep(seconds + 2)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), to report cost per operation."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=1000)[int(p * 10) - 1] if len(values) > 1 else float("nan")


def mixed(host: str, port: int, world: dict, args, server_pid: int) -> None:
    started, out = mp.Event(), mp.Queue()
    kp = mp.Process(target=kiosk_process, args=(host, port, world["kiosks"], args.rate, args.seconds, started))
    tp = mp.Process(target=throughput_process, args=(host, port, world, args.seconds, args.workers, started, out))
    kp.start()
    tp.start()
    cpu0, client0 = cpu_seconds(server_pid), time.process_time()
    lat = asyncio.run(consoles(host, port, world, args.consoles, args.seconds, started))
    cpu, client = cpu_seconds(server_pid) - cpu0, time.process_time() - client0
    t = out.get(timeout=60)
    kp.join(timeout=30)
    tp.join(timeout=30)
    ms = [v * 1000 for v in lat]
    met = "met" if min(t["created"], t["claimed"]) >= 500 else "NOT met"
    print(f"mixed: {t['created']:.0f} creations/s + {t['claimed']:.0f} claims/s (errors {t['total']['errors']}) "
          f"[{met}] while {args.consoles} consoles get every event and {args.kiosks} kiosks call "
          f"({len(ms)} timed deliveries): p50 {pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms; "
          f"server CPU {cpu / (args.seconds + 2) * 100:.0f}% of one core, consoles' client "
          f"{client / (args.seconds + 2) * 100:.0f}%; load average {os.getloadavg()[0]:.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--kiosks", type=int, default=500)
    ap.add_argument("--consoles", type=int, default=100)
    ap.add_argument("--rate", type=float, default=100, help="kiosk calls per second in total (latency part)")
    ap.add_argument("--workers", type=int, default=32, help="concurrent clients in the throughput part")
    ap.add_argument("--no-mixed", action="store_true", help="skip part 3 (throughput and latency at once)")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        state = Path(tmp) / "state"
        world = provision(state, args.kiosks, args.consoles)
        server = start_queue_server(state)
        proc, host, port = server.proc, server.host, server.port
        try:
            cpu0, client0 = cpu_seconds(proc.pid), time.process_time()
            t = asyncio.run(throughput(host, port, world, args.seconds, args.workers))
            cpu, client = cpu_seconds(proc.pid) - cpu0, time.process_time() - client0
            ops = t["total"]["created"] + t["total"]["claimed"]
            met = "met" if min(t["created"], t["claimed"]) >= 500 else "NOT met"
            print(f"throughput ({args.workers} clients, {t['seconds']:.1f} s): {t['created']:.0f} creations/s + "
                  f"{t['claimed']:.0f} claims/s = {t['created'] + t['claimed']:.0f} ops/s "
                  f"(errors {t['total']['errors']}) [bar >= 500 creations/s and >= 500 claims/s: {met}]")
            print(f"server CPU: {cpu / ops * 1000:.2f} ms per operation, {cpu / t['seconds'] * 100:.0f}% of one "
                  f"core used => about {ops / cpu:.0f} ops/s per fully available core; client CPU "
                  f"{client / ops * 1000:.2f} ms per operation; load average {os.getloadavg()[0]:.1f}")
            started = mp.Event()
            kp = mp.Process(target=kiosk_process, args=(host, port, world["kiosks"], args.rate, args.seconds,
                                                        started))
            kp.start()
            cpu0 = cpu_seconds(proc.pid)
            lat = asyncio.run(consoles(host, port, world, args.consoles, args.seconds, started))
            cpu = cpu_seconds(proc.pid) - cpu0
            kp.join(timeout=30)
            ms = [v * 1000 for v in lat]
            print(f"latency kiosk POST -> console event ({args.kiosks} kiosks at {args.rate:.0f} calls/s, "
                  f"{args.consoles} SSE consoles, {len(ms)} deliveries): p50 {pct(ms, 50):.1f} ms, "
                  f"p90 {pct(ms, 90):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms "
                  "[bars p50 < 50 ms, p99 < 300 ms]")
            print(f"server CPU during the latency part: {cpu / (args.seconds + 2) * 100:.0f}% of one core")
            if not args.no_mixed:
                mixed(host, port, world, args, proc.pid)
        finally:
            server.stop()
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
