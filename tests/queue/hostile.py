"""A real ``kiosk queue serve`` process for the attack suite (tests/queue/test_hostile_*.py).

:func:`served` provisions a SQLite state directory (sites T1 and T2, kiosks k1/k2, staff li, wang and
zhao as helpers, mgr as T1's manager, all with :data:`PASSWORD`), starts the server on a free port with
the given extra arguments and yields a :class:`Served`: its URL, process id, tokens, the lines it wrote
to stderr, and clients bound to a chosen loopback source address (127.0.0.2, 127.0.0.3…), so one
machine can play the attacker and the helper's own phone at once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

PASSWORD = "correct-horse-1"
USERS = (("li", "helper", "T1", "李四"), ("wang", "helper", "T1", "王五"), ("zhao", "helper", "T2", "赵六"),
         ("mgr", "manager", "T1", "周经理"))


@dataclass
class Served:
    url: str
    proc: subprocess.Popen
    state_dir: Path
    kiosk_tokens: dict[str, str]
    stderr: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def client(self, address: str = "127.0.0.1", **kw) -> httpx.Client:
        """An HTTP client whose connections come from ``address`` (any 127.x.y.z works on Linux)."""
        transport = httpx.HTTPTransport(local_address=address)
        return httpx.Client(base_url=self.url, transport=transport, timeout=kw.pop("timeout", 30), **kw)

    def raw(self, address: str = "127.0.0.1", head: bytes = b"") -> socket.socket:
        """A bare TCP connection from ``address`` to the server, ``head`` sent (slow or crowding clients)."""
        sock = socket.socket()
        sock.bind((address, 0))
        sock.connect(("127.0.0.1", self.port))
        if head:
            sock.sendall(head)
        return sock

    def kiosk(self, name: str = "k1") -> dict:
        return {"Authorization": f"Bearer {self.kiosk_tokens[name]}"}

    def login(self, name: str, address: str = "127.0.0.1") -> str:
        with self.client(address) as c:
            r = c.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def request_body(self, kiosk: str = "k1", **over) -> dict:
        body = {"id": str(uuid.uuid4()), "kind": "assist", "kiosk_id": kiosk,
                "site_code": {"k1": "T1", "k2": "T2"}[kiosk], "step": "matter",
                "created_at": datetime.now(UTC).isoformat(), "ticket_no": "A017",
                "matter_name": "城乡居民养老保险参保登记"}
        return body | over

    def log(self) -> str:
        return "".join(self.stderr)

    def _status(self, key: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        raise KeyError(key)

    def rss_mb(self) -> float:
        return self._status("VmRSS") / 1024

    def peak_rss_mb(self) -> float:
        """The process's high-water mark of resident memory (VmHWM)."""
        return self._status("VmHWM") / 1024

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))


def provision(state_dir: Path, db_url: str | None = None) -> dict[str, str]:
    from kiosk.queue.db import Database, sqlite_url
    from kiosk.queue.provision import add_kiosk, add_site, add_user

    state_dir.mkdir(parents=True, exist_ok=True)
    db = Database(db_url or sqlite_url(state_dir))
    db.migrate()
    now = datetime.now(UTC)
    add_site(db, "T1", "南郊街道便民服务中心", "town", now)
    add_site(db, "T2", "北郊街道便民服务中心", "town", now)
    tokens = {"k1": add_kiosk(db, "k1", "T1", now, location="一楼"), "k2": add_kiosk(db, "k2", "T2", now)}
    for name, role, site, display in USERS:
        add_user(db, name, role, [site], PASSWORD, now, display_name=display)
    db.dispose()
    return tokens


@contextmanager
def served(state_dir: Path, *args: str, env: dict | None = None, provisioned: bool = True,
           db_url: str | None = None):
    """``kiosk queue serve --port 0 --state-dir STATE_DIR ARGS…`` in a subprocess (always stopped); with
    ``db_url`` (a PostgreSQL schema's URL, see ``conftest.pg_schema``) on that database instead of SQLite."""
    tokens = provision(state_dir, db_url) if provisioned else {}
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "queue", "serve", "--port", "0",
                             "--state-dir", str(state_dir), *(["--db", db_url] if db_url else []), *args],
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    s = Served("", proc, state_dir, tokens)
    try:
        deadline = time.monotonic() + 60
        while "listening on" not in (s.stderr[-1] if s.stderr else ""):
            line = proc.stderr.readline()
            if line:
                s.stderr.append(line)
            elif proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start (exit {proc.poll()}): {s.log()}")
        s.url = s.stderr[-1].strip().rsplit(" ", 1)[-1]

        def drain() -> None:
            for line in proc.stderr:
                s.stderr.append(line)

        threading.Thread(target=drain, daemon=True).start()
        yield s
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def served_for_bench(stack: ExitStack, db: str, *args: str):
    """For the benches' ``--db sqlite|pg``: a :func:`served` process on a fresh temporary state directory
    and, with ``pg``, a fresh PostgreSQL schema, closed with ``stack``. Returns (server, state dir, the
    PostgreSQL URL or None)."""
    import tempfile

    state = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    db_url = None
    if db == "pg":
        from tests.queue.conftest import pg_schema

        db_url = stack.enter_context(pg_schema("bench"))
    return stack.enter_context(served(state, *args, db_url=db_url)), state, db_url
