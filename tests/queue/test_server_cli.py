"""`kiosk queue serve | add-site | add-kiosk | add-user`, and several server processes sharing PostgreSQL."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from kiosk.cli import main
from tests.queue.conftest import auth, clean

HELPERS, REQUESTS = 12, 120


def run(argv: list[str], monkeypatch, capsys, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["queue", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_provisioning_commands(tmp_path, monkeypatch, capsys):
    state = ["--state-dir", str(tmp_path / "st")]
    assert run(["add-site", *state, "--code", "421303", "--name", "曾都区", "--level", "district"],
               monkeypatch, capsys)[0] == 0
    code, _, err = run(["add-site", *state, "--code", "T1", "--name", "南郊", "--level", "town",
                        "--parent", "nope"], monkeypatch, capsys)
    assert code == 2 and "parent site 'nope' does not exist" in err
    assert run(["add-site", *state, "--code", "T1", "--name", "南郊", "--level", "town", "--parent", "421303"],
               monkeypatch, capsys)[0] == 0
    code, out, err = run(["add-kiosk", *state, "--kiosk-id", "zd-01", "--site", "T1", "--location", "一楼"],
                         monkeypatch, capsys)
    token = out.strip()
    assert code == 0 and re.fullmatch(r"kqk_[A-Za-z0-9_\-]{43}", token) and "shown only this once" in err
    code, _, err = run(["add-kiosk", *state, "--kiosk-id", "zd-01", "--site", "T1"], monkeypatch, capsys)
    assert code == 2 and "--rotate" in err
    code, _, err = run(["add-kiosk", *state, "--kiosk-id", "zd-02", "--site", "X9"], monkeypatch, capsys)
    assert code == 2 and "site 'X9' does not exist" in err
    code, _, err = run(["add-user", *state, "--username", "li", "--role", "helper", "--sites", "T1"],
                       monkeypatch, capsys, stdin="short\n")
    assert code == 2 and "at least 8 characters" in err
    code, _, _ = run(["add-user", *state, "--username", "li", "--role", "helper", "--sites", "T1",
                      "--display-name", "李四"], monkeypatch, capsys, stdin="long enough pw\n")
    assert code == 0
    key = tmp_path / "st" / "queue.key"
    db_file = tmp_path / "st" / "queue.sqlite3"
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600
    from kiosk.queue.api import ServerSettings, build_context

    context = build_context(ServerSettings(db_url=f"sqlite:///{db_file}", state_dir=tmp_path / "st"))
    assert context.auth.principal(token).kiosk_id == "zd-01"
    assert context.auth.login("li", "long enough pw")[2].display_name == "李四"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    context.db.dispose()


def test_serve_refuses_several_workers_on_sqlite(tmp_path, monkeypatch, capsys):
    code, _, err = run(["serve", "--state-dir", str(tmp_path), "--workers", "2"], monkeypatch, capsys)
    assert code == 2 and "several workers need PostgreSQL" in err


def test_serve_carries_the_read_budget_and_the_answer_deadline_to_every_worker(tmp_path, monkeypatch, capsys):
    """``--reads-per-minute`` (a staff session's read budget) and ``--answer-timeout`` (an answer its client
    stops reading): parsed, refused when nonsensical, and exported to worker processes like the others."""
    import argparse

    from kiosk.queue.connguard import ConnLimits
    from kiosk.queue.reads import PER_MINUTE
    from kiosk.queue.serve_options import conn_limits, exported
    from kiosk.queue.server_cli import _settings, add_commands

    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers())
    args = parser.parse_args(["serve", "--reads-per-minute", "50", "--answer-timeout", "7", "--body-timeout", "9"])
    assert (conn_limits(args).answer_timeout_s, conn_limits(args).body_timeout_s) == (7.0, 9.0)
    for name, value in exported(args).items():
        monkeypatch.setenv(name, value)
    assert ConnLimits.from_env().answer_timeout_s == 7.0
    values = {"db": "sqlite://", "state": str(tmp_path), "tick": "1", "secure": "0", "sync": "normal"}
    assert _settings(values | {"reads": "50"}).staff_reads_per_minute == 50
    assert _settings(values).staff_reads_per_minute == PER_MINUTE
    defaults = parser.parse_args(["serve"])
    assert defaults.reads_per_minute == PER_MINUTE and defaults.answer_timeout == ConnLimits().body_timeout_s == 30
    for bad in (["--reads-per-minute", "0"], ["--answer-timeout", "0"]):
        code, _, err = run(["serve", "--state-dir", str(tmp_path), *bad], monkeypatch, capsys)
        assert code == 2 and "--reads-per-minute must be at least 1" in err


@contextmanager
def server(args: list[str], env_extra: dict | None = None):
    """``kiosk queue serve --port 0 …`` in a subprocess; yields its base URL; always stopped."""
    env = {**os.environ, **(env_extra or {})}
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "queue", "serve", "--port", "0", *args],
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        line, deadline = "", time.monotonic() + 60
        while "listening on" not in line:
            line = proc.stderr.readline()
            if not line and (proc.poll() is not None or time.monotonic() > deadline):
                raise RuntimeError(f"server did not start (exit {proc.poll()})")
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep draining
        yield line.strip().rsplit(" ", 1)[-1]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_serve_sqlite_creates_state_and_serves_openapi(tmp_path):
    with server(["--state-dir", str(tmp_path / "fresh")]) as url:
        spec = httpx.get(f"{url}/openapi.json", timeout=10).json()
        assert "/api/v1/requests" in spec["paths"] and "/api/v1/requests/{request_id}/claim" in spec["paths"]
        assert httpx.get(f"{url}/healthz", timeout=10).json()["ok"] is True
        assert httpx.get(f"{url}/console/", timeout=10).status_code == 200  # the web console is served
    assert (tmp_path / "fresh" / "queue.sqlite3").exists() and (tmp_path / "fresh" / "queue.key").exists()


def test_serve_listens_with_its_own_backlog_not_uvicorns(tmp_path):
    """5,000 kiosks reconnecting at once: the accept queue is serve's BACKLOG (the kernel's cap aside), not
    uvicorn's 2,048, which it would set by listening on the socket again."""
    from kiosk.queue.server_cli import BACKLOG

    cap = int(Path("/proc/sys/net/core/somaxconn").read_text())
    if shutil.which("ss") is None or cap <= 2048:
        pytest.skip("needs ss and net.core.somaxconn above uvicorn's 2,048 to tell them apart")
    with server(["--state-dir", str(tmp_path / "st")]) as url:
        assert httpx.get(f"{url}/healthz", timeout=30).status_code == 200  # uvicorn serves: it has listened
        port = url.rsplit(":", 1)[1]
        row = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout.split()
    assert int(row[2]) == min(BACKLOG, cap)  # a listening socket's Send-Q is its backlog


@pytest.mark.postgres
@pytest.mark.slow
def test_two_server_processes_on_postgres_never_double_claim(pg_url, tmp_path):
    """12 helpers on two server processes race for 120 requests: each claimed exactly once (the full
    100 helpers × 1,000 requests run is bench/bench_queue_pg_race.py)."""
    from datetime import UTC, datetime

    from kiosk.queue.db import Database
    from kiosk.queue.provision import add_kiosk, add_site, add_user

    db = Database(pg_url)
    clean(db)
    now = datetime.now(UTC)
    add_site(db, "T1", "南郊", "town", now)
    token = add_kiosk(db, "k1", "T1", now)
    for i in range(HELPERS):
        add_user(db, f"h{i}", "helper", ["T1"], "helper-password", now)
    db.dispose()
    state = ["--db", pg_url, "--state-dir", str(tmp_path)]
    with server(state) as url_a, server(state) as url_b:
        urls = [url_a, url_b]
        ids = []
        with httpx.Client(timeout=20) as c:
            for i in range(REQUESTS):
                body = {"id": f"00000000-0000-4000-8000-{i:012d}", "kind": "call", "kiosk_id": "k1",
                        "site_code": "T1", "created_at": now.isoformat()}
                assert c.post(f"{urls[i % 2]}/api/v1/requests", json=body, headers=auth(token)).status_code == 201
                ids.append(body["id"])
            sessions = [c.post(f"{urls[i % 2]}/api/v1/auth/login",
                               json={"username": f"h{i}", "password": "helper-password"}).json()["token"]
                        for i in range(HELPERS)]

        def helper(i: int) -> list[str]:
            got = []
            with httpx.Client(timeout=20) as c:
                while True:
                    r = c.post(f"{urls[i % 2]}/api/v1/requests/claim-next", headers=auth(sessions[i]))
                    if r.status_code == 404:
                        return got
                    assert r.status_code == 200, r.text
                    got.append(r.json()["id"])

        with ThreadPoolExecutor(HELPERS) as pool:
            claims = [rid for got in pool.map(helper, range(HELPERS)) for rid in got]
    assert len(claims) == REQUESTS and sorted(claims) == sorted(ids)
