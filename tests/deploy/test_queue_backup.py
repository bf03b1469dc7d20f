"""`kiosk queue backup` while a real server takes requests, then `kiosk queue restore` into a fresh state
folder and a server started on it: requests, 代办 cases (their applicants decrypt), kiosk tokens and the
identity key all come back. Then the ways a restore must refuse, changing nothing."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk.cli import main
from tests.queue.case_helpers import APPLICANT, handover
from tests.queue.test_server_cli import server

PASSWORD = "long enough pw"
RESIDENT = {"name": "王小明", "id_number": "11010519491231002X"}


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "kiosk", "queue", *argv], input=stdin, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, done.stdout, done.stderr


def provision(state: Path) -> str:
    s = ["--state-dir", str(state)]
    assert cli("add-site", *s, "--code", "421303", "--name", "曾都区政务服务中心", "--level", "district")[0] == 0
    code, token, _ = cli("add-kiosk", *s, "--kiosk-id", "zd-qj-01", "--site", "421303")
    assert code == 0
    assert cli("add-user", *s, "--username", "li", "--role", "helper", "--sites", "421303", stdin=PASSWORD + "\n")[0] == 0
    return token.strip()


def request_body(resident: bool = True) -> dict:
    body = {"id": str(uuid.uuid4()), "kind": "assist", "kiosk_id": "zd-qj-01", "site_code": "421303",
            "step": "matter", "created_at": datetime.now(UTC).isoformat(), "matter_name": "养老保险"}
    return body | ({"resident": RESIDENT} if resident else {})


class Writer(threading.Thread):
    """A kiosk posting requests as fast as the server takes them; ``acked`` holds those answered 201."""

    def __init__(self, url: str, token: str):
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.acked: list[tuple[float, str]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30) as c:
            while not self.stop.is_set():
                body = request_body()
                r = c.post("/api/v1/requests", json=body)
                if r.status_code == 429:  # the kiosk's bound (240 writes a minute) reached: it has written enough
                    return
                assert r.status_code == 201, r.text
                self.acked.append((time.monotonic(), body["id"]))


def session(client: httpx.Client) -> dict:
    r = client.post("/api/v1/auth/login", json={"username": "li", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.mark.slow
def test_backup_while_serving_then_restore_brings_everything_back(tmp_path):
    state, restored, out = tmp_path / "state", tmp_path / "restored", tmp_path / "backup.tar.gz"
    token = provision(state)
    with server(["--state-dir", str(state)]) as url, httpx.Client(base_url=url, timeout=30) as c:
        staff = session(c)
        case = c.post("/api/v1/cases", json=handover(), headers=staff)
        assert case.status_code == 201, case.text
        case_id = case.json()["id"]
        writer = Writer(url, token)
        writer.start()
        while len(writer.acked) < 20:
            time.sleep(0.05)
        started = time.monotonic()
        code, out_text, err = cli("backup", "--state-dir", str(state), "--out", str(out))
        ended = time.monotonic()
        time.sleep(0.3)
        writer.stop.set()
        writer.join(30)
        assert code == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "identities open with the key" in out_text and "keep it as private as the server" in out_text
    before = {rid for t, rid in writer.acked if t < started}  # acknowledged before the backup began: all in it
    maybe = {rid for t, rid in writer.acked if started <= t <= ended}
    assert maybe, "the server took no request while the backup ran"

    code, text, err = cli("restore", str(out), "--state-dir", str(restored))
    assert code == 0, err
    assert "the same as the backup's counts" in text
    assert (restored / "queue.key").read_bytes() == (state / "queue.key").read_bytes()
    assert stat.S_IMODE((restored / "queue.key").stat().st_mode) == 0o600
    with server(["--state-dir", str(restored)]) as url, httpx.Client(base_url=url, timeout=30) as c:
        staff = session(c)  # accounts came back
        queue = c.get("/api/v1/requests", params={"state": "waiting", "limit": 1000}, headers=staff)
        assert queue.status_code == 200, queue.text
        ids = {r["id"] for r in queue.json()["items"]}
        assert before <= ids and ids <= before | maybe, (len(before), len(ids))
        applicant = c.get(f"/api/v1/cases/{case_id}/applicant", headers=staff)
        assert applicant.status_code == 200 and applicant.json()["id_number"] == APPLICANT["id_number"]
        again = c.post("/api/v1/requests", json=request_body(), headers={"Authorization": f"Bearer {token}"})
        assert again.status_code == 201  # the kiosk's token still works

        # while that server runs, a restore over its database is refused and changes nothing
        size = (restored / "queue.sqlite3").stat().st_size
        code, _, err = cli("restore", str(out), "--state-dir", str(restored))
        assert code == 1 and "stop the server first" in err
        assert (restored / "queue.sqlite3").stat().st_size == size
        assert not list(restored.glob("*.before-restore-*"))


def _backup_of_small_db(tmp_path, *extra: str) -> tuple[Path, Path]:
    from kiosk.queue.crypto import load_cipher
    from kiosk.queue.db import Database, sqlite_url
    from kiosk.queue.provision import add_kiosk, add_site

    state = tmp_path / "state"
    state.mkdir()
    load_cipher(state)  # the key a server makes on its first start
    db = Database(sqlite_url(state))
    db.migrate()
    add_site(db, "421303", "曾都区", "district", datetime.now(UTC))
    add_kiosk(db, "zd-qj-01", "421303", datetime.now(UTC))
    db.dispose()
    out = tmp_path / "b.tar.gz"
    assert main(["queue", "backup", "--state-dir", str(state), "--out", str(out), *extra]) == 0
    return state, out


def test_keys_kept_apart_restore_only_with_them(tmp_path, capsys):
    state, out = _backup_of_small_db(tmp_path, "--key-out", str(tmp_path / "keys"))
    with tarfile.open(out) as tar:
        assert "queue.key" not in tar.getnames()
    assert main(["queue", "restore", str(out), "--state-dir", str(tmp_path / "r1")]) == 1
    assert "--key FILE" in capsys.readouterr().err
    assert not (tmp_path / "r1" / "queue.sqlite3").exists()
    assert main(["queue", "restore", str(out), "--state-dir", str(tmp_path / "r1"), "--key", str(tmp_path / "keys")]) == 0
    assert (tmp_path / "r1" / "queue.key").read_bytes() == (state / "queue.key").read_bytes()


def test_restore_over_a_database_keeps_the_old_one_aside(tmp_path, capsys):
    state, out = _backup_of_small_db(tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    (target / "queue.sqlite3").write_bytes(b"the old database")
    (target / "queue.key").write_bytes(b"an old key\n")
    assert main(["queue", "restore", str(out), "--state-dir", str(target)]) == 0
    text = capsys.readouterr().out
    kept = sorted(p.name.split(".before-restore-")[0] for p in target.glob("*.before-restore-*"))
    assert kept == ["queue.key", "queue.sqlite3"] and "kept the previous queue.sqlite3" in text
    assert (target / "queue.key").read_bytes() == (state / "queue.key").read_bytes()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files another owner needs root, as the real restore runs")
def test_a_restore_by_root_leaves_the_files_to_the_state_folders_owner(tmp_path, capsys):
    """The README restores as root into /var/lib/kiosk-queue (kiosk-queue 0700): a database left root's
    would stop the service from opening it ("unable to open database file") at its next start."""
    _state, out = _backup_of_small_db(tmp_path)
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    os.chown(target, 65534, 65534)  # the service user's folder
    assert main(["queue", "restore", str(out), "--state-dir", str(target)]) == 0, capsys.readouterr().err
    for name in ("queue.sqlite3", "queue.key"):
        st = (target / name).stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o600), name
    assert [p.name for p in target.iterdir() if p.stat().st_uid != 65534] == []


def _rewrite(src: Path, dst: Path, change) -> None:
    with tarfile.open(src) as tin, tarfile.open(dst, "w:gz") as tout:
        for info in tin.getmembers():
            data = tin.extractfile(info).read()
            info, data = change(info, data)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize(("change", "expect"), [
    (lambda i, d: (i, d[:-1] + bytes([d[-1] ^ 1])) if i.name == "queue.sqlite3" else (i, d), "damaged"),
    (lambda i, d: (tarfile.TarInfo("../../etc/evil") if i.name == "queue.key" else i, d), "unexpected members"),
    (lambda i, d: (i, Fernet_key()) if i.name == "queue.key" else (i, d), "damaged"),
])
def test_a_damaged_or_crafted_archive_is_refused_and_nothing_changes(tmp_path, capsys, change, expect):
    _state, out = _backup_of_small_db(tmp_path)
    bad = tmp_path / "bad.tar.gz"
    _rewrite(out, bad, change)
    target = tmp_path / "target"
    assert main(["queue", "restore", str(bad), "--state-dir", str(target)]) == 1
    assert expect in capsys.readouterr().err
    assert not target.exists() or list(target.iterdir()) == []
    assert not (tmp_path.parent / "etc" / "evil").exists()


def Fernet_key() -> bytes:  # noqa: N802 - reads as the value it makes
    from cryptography.fernet import Fernet

    return Fernet.generate_key() + b"\n"


def test_a_wrong_key_is_refused_before_anything_changes(tmp_path, capsys):
    from kiosk.queue.crypto import IdentityBox, load_cipher
    from kiosk.queue.db import Database, sqlite_url

    state, _ = _backup_of_small_db(tmp_path)
    db = Database(sqlite_url(state))
    box = IdentityBox(load_cipher(state))
    with db.write() as conn:
        from kiosk.queue.models import requests

        now = datetime.now(UTC)
        conn.execute(requests.insert().values(
            id=str(uuid.uuid4()), kind="assist", site_code="421303", kiosk_id="zd-qj-01", step="matter",
            priority="normal", priority_rank=2, resident_enc=box.seal("王小明", "11010519491231002X"),
            state="waiting", created_at=now, received_at=now, updated_at=now, escalate_at=now, escalate_up_at=now))
    db.dispose()
    out = tmp_path / "b2.tar.gz"
    assert main(["queue", "backup", "--state-dir", str(state), "--out", str(out), "--key-out", str(tmp_path / "k")]) == 0
    (tmp_path / "other").write_bytes(Fernet_key())
    target = tmp_path / "t"
    assert main(["queue", "restore", str(out), "--state-dir", str(target), "--key", str(tmp_path / "other")]) == 1
    assert "do not open with the backup's key" in capsys.readouterr().err
    assert not (target / "queue.sqlite3").exists() and not (target / "queue.key").exists()
