"""Nothing lost, nothing doubled: several kiosk processes, each with its own outbox, send 10,000 help
requests through a TCP proxy that this script cuts and restores, to a server process that it SIGKILLs and
restarts; afterwards every request the kiosks acknowledged must be on the server exactly once.

    python3 bench/bench_outbox.py [--kiosks 10] [--requests 10000] [--server real|stub]

``--server real`` (default when ``kiosk.queue.api`` exists) runs ``python3 -m kiosk queue serve`` on a SQLite
file; ``stub`` runs a minimal SQLite-backed server of the same contract. Prints the figures; exits 1 when
anything was lost or doubled.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789"


# -- the network between kiosks and server ----------------------------------------------------------
class TcpProxy:
    """Forwards 127.0.0.1:port → target. ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, target_port: int):
        self.target = target_port
        self.port = 0
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restore(self) -> None:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(128)
        self.port = s.getsockname()[1]
        self._listener = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=2)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(None)
            with self._lock:
                self._conns |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            with self._lock:
                self._conns.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        if self._listener:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() so the port is freed
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.cut()


# -- servers -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} within {timeout} s")


class Server:
    """A server process that can be SIGKILLed and restarted on the same port and database."""

    def __init__(self, kind: str, work: Path, kiosk_ids: list[str]):
        self.kind, self.work, self.port = kind, work, free_port()
        self.db = work / ("queue/queue.sqlite3" if kind == "real" else "server.sqlite3")
        self.tokens: dict[str, str] = {k: TOKEN for k in kiosk_ids}
        self.proc: subprocess.Popen | None = None
        if kind == "real":
            self.tokens = provision_real(work / "queue", kiosk_ids)
        self.restart()

    def restart(self) -> None:
        if self.kind == "real":
            cmd = [sys.executable, "-m", "kiosk", "queue", "serve", "--state-dir", str(self.work / "queue"),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        else:
            cmd = [sys.executable, __file__, "--serve-stub", str(self.port), str(self.db)]
        with open(self.work / "server.log", "a") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        wait_port(self.port)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def created_counts(self) -> dict[str, int]:
        """Request id → how many rows the server holds for it (the server's own database)."""
        db = sqlite3.connect(self.db)
        if self.kind == "real":
            # one row per id is the primary key's doing; one `request.created` event per id is the server's
            rows = db.execute("SELECT r.id, COUNT(e.id) FROM requests r LEFT JOIN events e ON e.request_id = r.id "
                              "AND e.type = 'request.created' GROUP BY r.id").fetchall()
        else:
            rows = db.execute("SELECT id, COUNT(*) FROM creations GROUP BY id").fetchall()
        db.close()
        return dict(rows)


def provision_real(state_dir: Path, kiosk_ids: list[str]) -> dict[str, str]:
    """Registers a site and the kiosks with `kiosk queue add-site/add-kiosk`; returns their tokens."""
    run = [sys.executable, "-m", "kiosk", "queue"]
    where = ["--state-dir", str(state_dir)]
    subprocess.run([*run, "add-site", *where, "--code", "421303", "--name", "曾都区政务服务中心",
                    "--level", "district"], check=True, cwd=ROOT, capture_output=True)
    tokens = {}
    for kid in kiosk_ids:
        out = subprocess.run([*run, "add-kiosk", *where, "--site", "421303", "--kiosk-id", kid,
                              "--location", "一楼大厅"], check=True, cwd=ROOT, capture_output=True, text=True)
        tokens[kid] = out.stdout.strip()
    return tokens


def serve_stub(port: int, db_path: str) -> None:
    """The contract's idempotency on SQLite (synchronous=FULL): a replayed id is answered, never re-created."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS requests (id TEXT PRIMARY KEY, kiosk_id TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS creations (id TEXT)")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 65536
        disable_nagle_algorithm = True

        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            code, reply = 404, {"detail": "not found"}
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                code, reply = 401, {"detail": "bad token"}
            elif self.path == "/api/v1/requests":
                with lock:
                    db.execute("BEGIN IMMEDIATE")
                    new = db.execute("INSERT OR IGNORE INTO requests VALUES (?, ?)",
                                     (body["id"], body["kiosk_id"])).rowcount
                    if new:
                        db.execute("INSERT INTO creations VALUES (?)", (body["id"],))
                    db.execute("COMMIT")
                code, reply = (201 if new else 200), {"id": body["id"], "state": "waiting", "created": bool(new)}
            elif self.path == "/api/v1/heartbeats":
                code, reply = 200, {"ok": True}
            raw = json.dumps(reply).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


# -- kiosks ------------------------------------------------------------------------------------------
def kiosk_worker(config: str, count: int, rate: float, ack_path: str) -> None:
    """One kiosk: ``count`` calls at ``rate``/s (each acknowledged in ``ack_path``), then drain."""
    from kiosk.config.settings import load_config
    from kiosk.queue.client import HelpQueueClient

    cfg = load_config(config)
    client = HelpQueueClient(cfg)
    client.start()
    with open(ack_path, "a") as ack:
        for n in range(count):
            rid = client.call_helper("call", "start", ticket_no=f"A{n:04d}", visit_id=f"{cfg.kiosk_id}-{n}")
            ack.write(rid + "\n")
            ack.flush()
            time.sleep(1.0 / rate)
    deadline = time.monotonic() + 600
    while client.pending_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    box = client.outbox
    attempts = box._db.execute("SELECT COALESCE(SUM(attempts), 0) + COUNT(*) FROM items WHERE kind='request' "
                               "AND state='sent'").fetchone()[0]
    print(json.dumps({"kiosk": cfg.kiosk_id, "pending": box.pending_count(), "dead": box.counts()["dead"],
                      "attempts": attempts}), flush=True)
    client.stop()


class KioskFleet:
    def __init__(self, work: Path, n: int, total: int, rate: float, url: str, server: Server):
        import tomli_w

        self.work, self.procs, self.acks = work, [], []
        catalog = work / "matters.toml"
        catalog.write_text("")
        per = total // n
        self.plan = []
        for i in range(n):
            kid = f"bench-{i:02d}"
            cfg = work / f"{kid}.toml"
            cfg.write_text(tomli_w.dumps({
                "kiosk_id": kid, "state_dir": str(work / kid), "catalog": str(catalog),
                "site": {"level": "district", "code": "421303", "name": "曾都区政务服务中心"},
                "queue": {"url": url, "token": server.tokens[kid], "timeout_s": 3},
                "privacy": {"sent_outbox_retention_days": 1}}))
            count = per + (1 if i < total % n else 0)
            self.plan.append((str(cfg), count, rate / n, str(work / f"{kid}.ack")))

    def start(self) -> None:
        for cfg, count, rate, ack in self.plan:
            self.acks.append(ack)
            self.procs.append(subprocess.Popen([sys.executable, __file__, "--kiosk", cfg, str(count), str(rate), ack],
                                               cwd=ROOT, stdout=subprocess.PIPE, text=True))

    def running(self) -> bool:
        return any(p.poll() is None for p in self.procs)

    def results(self) -> list[dict]:
        return [json.loads(p.stdout.read() or "{}") for p in self.procs]

    def acknowledged_count(self) -> int:
        return sum(Path(a).stat().st_size // 37 for a in self.acks if Path(a).exists())  # uuid + newline

    def acknowledged(self) -> list[str]:
        out: list[str] = []
        for ack in self.acks:
            out += Path(ack).read_text().split()
        return out

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kiosks", type=int, default=10)
    ap.add_argument("--requests", type=int, default=10_000, help="in total, over all kiosks")
    ap.add_argument("--rate", type=float, default=400.0, help="calls per second over all kiosks")
    ap.add_argument("--server", choices=("real", "stub"),
                    default="real" if importlib.util.find_spec("kiosk.queue.api") else "stub")
    ap.add_argument("--kill-every", type=float, default=3.0, help="seconds between server SIGKILLs")
    ap.add_argument("--cut-every", type=float, default=2.0, help="seconds between network cuts")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    kiosk_ids = [f"bench-{i:02d}" for i in range(args.kiosks)]
    server = Server(args.server, work, kiosk_ids)
    proxy = TcpProxy(server.port)
    fleet = KioskFleet(work, args.kiosks, args.requests, args.rate, proxy.url, server)
    print(f"server={args.server} kiosks={args.kiosks} requests={args.requests} rate={args.rate}/s work={work}")
    kills = cuts = 0
    down_s = 0.0
    rng = random.Random(7)
    started = time.monotonic()
    fleet.start()
    next_kill, next_cut = started + args.kill_every, started + args.cut_every / 2
    try:
        while fleet.running():
            now = time.monotonic()
            calling = fleet.acknowledged_count() < args.requests  # chaos while the kiosks are calling
            if calling and now >= next_kill:
                server.kill()
                kills += 1
                time.sleep(rng.uniform(0.2, 1.0))
                server.restart()
                next_kill = time.monotonic() + args.kill_every * rng.uniform(0.7, 1.3)
            elif calling and now >= next_cut:
                proxy.cut()
                down = rng.uniform(0.3, 1.5)
                time.sleep(down)
                proxy.restore()
                cuts, down_s = cuts + 1, down_s + down
                next_cut = time.monotonic() + args.cut_every * rng.uniform(0.7, 1.3)
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        results = fleet.results()
        acknowledged = fleet.acknowledged()
        stored = server.created_counts()
    finally:
        fleet.stop()
        proxy.close()
        server.kill()

    ours = {i: n for i, n in stored.items()}
    lost = [i for i in acknowledged if i not in ours]
    doubled = {i: n for i, n in ours.items() if n != 1}
    unexpected = set(ours) - set(acknowledged)
    attempts = sum(r.get("attempts", 0) for r in results)
    dead = sum(r.get("dead", 0) for r in results)
    print(f"elapsed                 {elapsed:8.1f} s  (calls paced at {args.rate:.0f}/s: {args.requests / args.rate:.1f} s)")
    print(f"server SIGKILLs         {kills:8d}")
    print(f"network cuts            {cuts:8d}  ({down_s:.1f} s down)")
    print(f"requests acknowledged   {len(acknowledged):8d}  (durable in a kiosk outbox)")
    print(f"requests on the server  {len(ours):8d}")
    print(f"send attempts           {attempts:8d}  ({attempts - len(acknowledged)} retries and replays)")
    print(f"lost                    {len(lost):8d}")
    print(f"doubled                 {len(doubled):8d}")
    print(f"unexpected on server    {len(unexpected):8d}")
    print(f"refused (dead)          {dead:8d}")
    ok = not lost and not doubled and not unexpected and dead == 0 and len(acknowledged) == args.requests
    print("RESULT", "OK: every request arrived exactly once" if ok else f"FAILED (files kept in {work})")
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-stub":
        serve_stub(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--kiosk":
        sys.path.insert(0, str(ROOT))
        kiosk_worker(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(main())

