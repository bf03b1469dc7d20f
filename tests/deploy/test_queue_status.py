"""`kiosk queue status` against a real running server: version, database, migrations, kiosks with their
last heartbeat, the queue's lengths, and the consoles connected to the live process."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime

import httpx

from tests.deploy.test_queue_backup import PASSWORD, cli, provision
from tests.queue.test_server_cli import server


def status(*argv: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "kiosk", "queue", "status", *argv], capture_output=True, text=True,
                          timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_status_of_a_running_server(tmp_path):
    state = tmp_path / "state"
    token = provision(state)
    assert cli("add-kiosk", "--state-dir", str(state), "--kiosk-id", "zd-qj-02", "--site", "421303")[0] == 0
    with server(["--state-dir", str(state)]) as url, httpx.Client(base_url=url, timeout=30) as c:
        kiosk = {"Authorization": f"Bearer {token}"}
        now = datetime.now(UTC).isoformat()
        for _ in range(3):
            assert c.post("/api/v1/requests", headers=kiosk, json={
                "id": str(uuid.uuid4()), "kind": "call", "kiosk_id": "zd-qj-01", "site_code": "421303",
                "created_at": now}).status_code == 201
        assert c.post("/api/v1/heartbeats", headers=kiosk, json={
            "id": str(uuid.uuid4()), "kiosk_id": "zd-qj-01", "sent_at": now, "outbox_pending": 0,
            "devices": [{"device": "printer", "state": "error", "detail": {"paper": "out"}}]}).status_code == 200
        login = c.post("/api/v1/auth/login", json={"username": "li", "password": PASSWORD}).json()
        staff = {"Authorization": f"Bearer {login['token']}"}
        assert c.post("/api/v1/requests/claim-next", headers=staff).status_code == 200

        opened, done = threading.Event(), threading.Event()

        def console() -> None:  # a helper's console holding the live stream until the test is done
            with httpx.stream("GET", f"{url}/api/v1/events/stream", headers=staff, timeout=120) as r:
                for _ in r.iter_bytes():
                    opened.set()
                    done.wait(120)
                    return

        threading.Thread(target=console, daemon=True).start()
        assert opened.wait(20)
        from kiosk import __version__
        from kiosk.queue.ops.inspect import head_revision

        code, out, err = status("--state-dir", str(state), "--url", url)
        assert code == 0, err
        head = head_revision()
        for line in (f"kiosk {__version__}", "database: sqlite", f"migrations: {head} (newest {head}: up to date)",
                     "1 console(s) connected", "kiosks: 1 of 2 connected",
                     "zd-qj-01", "paper_out", "zd-qj-02", "never", "queue 421303: claimed 1, waiting 2",
                     "staff on duty: 1"):
            assert line in out, (line, out)
        code, out, _ = status("--state-dir", str(state), "--url", url, "--json")
        data = json.loads(out)
        assert data["servers"][0]["consoles"] == 1 and data["queue"] == {"421303": {"claimed": 1, "waiting": 2}}
        done.set()

        # the live endpoint answers only the operator (a token made from the server's key)
        assert c.get("/api/v1/ops/live").status_code == 404
        assert c.get("/api/v1/ops/live", headers=staff).status_code == 404
        other = tmp_path / "other"
        other.mkdir()
        (other / "queue.key").write_bytes((state / "queue.key").read_bytes()[::-1])
        code, out, _ = status("--db", f"sqlite:///{state / 'queue.sqlite3'}", "--state-dir", str(other), "--url", url)
        assert "answered 404 (another server, or another key?)" in out


def test_status_says_when_migrations_are_behind(tmp_path):
    from kiosk.queue.db import Database, sqlite_url

    db = Database(sqlite_url(tmp_path))
    db.migrate()
    with db.write() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.dispose()
    code, out, _ = status("--state-dir", str(tmp_path))
    assert code == 3 and "migrations: 0001 (newest" in out and "BEHIND" in out
