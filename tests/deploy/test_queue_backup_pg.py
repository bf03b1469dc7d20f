"""Backup and restore on PostgreSQL (pg_dump / pg_restore of the server's own schema): a request with an
encrypted identity and a 代办 case come back, and their identities open with the restored key."""

from __future__ import annotations

import os
import secrets
import shutil
import time
import uuid
from datetime import UTC, datetime

import pytest

from kiosk.cli import main
from tests.queue.case_helpers import APPLICANT, handover
from tests.queue.conftest import PG_BASE, _pg_admin, pg_reachable
from tests.queue.test_events_pg import _serve

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def pg_schema():
    reason = pg_reachable()
    if reason:
        pytest.skip(reason)
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client)")
    schema = f"tqb_{os.getpid()}_{secrets.token_hex(4)}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema, f"{PG_BASE}?options=-csearch_path%3D{schema}"
    with _pg_admin() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_postgres_backup_and_restore(pg_schema, tmp_path, capsys):
    from fastapi.testclient import TestClient

    from kiosk.queue.api import ServerSettings, create_app
    from kiosk.queue.db import Database
    from kiosk.queue.provision import add_kiosk, add_site, add_user

    schema, url = pg_schema
    state = tmp_path / "state"
    db = Database(url)
    db.migrate()
    now = datetime.now(UTC)
    add_site(db, "421303", "曾都区", "district", now)
    token = add_kiosk(db, "zd-qj-01", "421303", now)
    add_user(db, "li", "helper", ["421303"], "long enough pw", now)
    db.dispose()
    with TestClient(create_app(ServerSettings(db_url=url, state_dir=state))) as c:
        body = {"id": str(uuid.uuid4()), "kind": "assist", "kiosk_id": "zd-qj-01", "site_code": "421303",
                "created_at": now.isoformat(), "resident": {"name": "王小明", "id_number": "11010519491231002X"}}
        assert c.post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 201
        staff = {"Authorization": "Bearer " + c.post("/api/v1/auth/login", json={
            "username": "li", "password": "long enough pw"}).json()["token"]}
        case_id = c.post("/api/v1/cases", json=handover(), headers=staff).json()["id"]

    out = tmp_path / "pg.tar.gz"
    assert main(["queue", "backup", "--db", url, "--state-dir", str(state), "--out", str(out)]) == 0
    assert "postgresql" in capsys.readouterr().out
    server = _serve(url, state)  # a server still running on it: the restore refuses and changes nothing
    try:
        deadline = time.monotonic() + 20  # its figures file, written each second once it serves
        while not (state / "metrics" / f"{server[0].pid}.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert main(["queue", "restore", str(out), "--db", url, "--state-dir", str(state)]) == 1
        err = capsys.readouterr().err
        assert f"a queue server is running on {state} (pid {server[0].pid})" in err and "stop the server first" in err
    finally:
        server[0].terminate()
        server[0].wait(timeout=20)
    with _pg_admin() as conn:  # the database is lost
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    restored = tmp_path / "restored"
    assert main(["queue", "restore", str(out), "--db", url, "--state-dir", str(restored)]) == 0, capsys.readouterr().err
    text = capsys.readouterr().out
    assert "1 requests, 1 cases" in text and "2 identities open" in text
    assert (restored / "queue.key").read_bytes() == (state / "queue.key").read_bytes()
    with TestClient(create_app(ServerSettings(db_url=url, state_dir=restored))) as c:
        staff = {"Authorization": "Bearer " + c.post("/api/v1/auth/login", json={
            "username": "li", "password": "long enough pw"}).json()["token"]}
        assert c.get(f"/api/v1/cases/{case_id}/applicant", headers=staff).json()["id_number"] == APPLICANT["id_number"]
        assert [r["id"] for r in c.get("/api/v1/requests", headers=staff).json()["items"]] == [body["id"]]
