"""What a resident leaves behind does not outlive the visit: private files, no core dumps."""

import json
import os
import stat
import subprocess
import sys

from kiosk.deploy.hardening import private_state


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_process_is_not_dumpable_and_creates_private_files(tmp_path):
    code = ("import json, os, resource; from kiosk.deploy.hardening import harden_process, _prctl, PR_GET_DUMPABLE;"
            "info = harden_process(); open(os.environ['OUT'], 'w').write('x');"
            "print(json.dumps({'info': info, 'core': resource.getrlimit(resource.RLIMIT_CORE),"
            "'dumpable': _prctl(PR_GET_DUMPABLE)}))")
    out = tmp_path / "made"
    run = subprocess.run([sys.executable, "-c", code], env={**os.environ, "OUT": str(out)}, capture_output=True,
                         text=True, timeout=60, check=True)
    got = json.loads(run.stdout)
    assert got["core"] == [0, 0] and got["dumpable"] == 0
    assert mode(out) == 0o600


def test_a_crashing_hardened_process_leaves_no_core(tmp_path):
    """SIGSEGV after hardening: no core file in the working folder, whatever the system's core_pattern."""
    code = ("import ctypes, resource; from kiosk.deploy.hardening import harden_process; harden_process();"
            "ctypes.string_at(0)")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, timeout=60,
                         preexec_fn=lambda: __import__("resource").setrlimit(
                             __import__("resource").RLIMIT_CORE, (-1, -1)))
    assert run.returncode < 0  # killed by the signal
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("core")]


def test_an_older_kiosks_readable_files_are_made_private(tmp_path):
    state = tmp_path / "state"
    (state / "logs").mkdir(parents=True)
    (state / "keys").mkdir()
    files = ["tickets.sqlite3", "tickets.sqlite3-wal", "tickets.sqlite3-shm", "outbox.sqlite3",
             "outbox.sqlite3-wal", "outbox.sqlite3-shm", "manager_auth.json", "logs/kiosk.log",
             "logs/kiosk.log.1", "keys/outbox.key"]
    for name in files:
        (state / name).write_text("x")
        os.chmod(state / name, 0o644)
    os.chmod(state, 0o755)
    other = state / "resident-photos-by-mistake.txt"  # not ours to judge: left alone
    other.write_text("x")
    os.chmod(other, 0o644)
    config = tmp_path / "kiosk.toml"
    config.write_text('[manager]\npin_hash = "$argon2id$…"\n')
    os.chmod(config, 0o644)
    changed = private_state(state, config)
    assert {str(p.relative_to(tmp_path)) for p in changed} >= {f"state/{n}" for n in files} | {"kiosk.toml", "state"}
    for name in files:
        assert mode(state / name) == 0o600, name
    assert mode(state) == 0o700 and mode(config) == 0o600 and mode(other) == 0o644
    assert private_state(state, config) == []  # nothing left to do


def test_kiosk_databases_and_their_wal_are_private_even_under_a_loose_umask(tmp_path):
    from kiosk.queue.outbox import Outbox
    from kiosk.queue.outbox_files import outbox_key_path
    from kiosk.visit.tickets import TicketIssuer

    old = os.umask(0o022)
    try:
        box = Outbox(tmp_path / "outbox.sqlite3", key_path=outbox_key_path(tmp_path))
        box.enqueue("heartbeat", "POST", "/api/v1/heartbeats", {"id": "h1"}, item_id="h1")
        issuer = TicketIssuer(tmp_path, "421303", "zd-01")
        issuer.issue()
    finally:
        os.umask(old)
    names = ["outbox.sqlite3", "outbox.sqlite3-wal", "outbox.sqlite3-shm", "tickets.sqlite3",
             "tickets.sqlite3-wal", "tickets.sqlite3-shm", "keys/outbox.key"]
    assert {n: mode(tmp_path / n) for n in names} == dict.fromkeys(names, 0o600)
    assert mode(tmp_path / "keys") == 0o700
    box.close()
    issuer.close()


def test_the_outbox_key_lives_apart_and_an_old_one_is_moved_there(tmp_path):
    from kiosk.queue.outbox import Outbox
    from kiosk.queue.outbox_files import outbox_key_path

    old = Outbox(tmp_path / "outbox.sqlite3")  # an older kiosk: key next to the database
    old.enqueue("request", "POST", "/api/v1/requests", {"id": "r1", "resident": {"name": "张三"}}, item_id="r1")
    old.close()
    legacy = (tmp_path / "outbox.key").read_bytes()
    key = outbox_key_path(tmp_path)
    assert key == tmp_path / "keys" / "outbox.key" and key.read_bytes() == legacy
    assert not (tmp_path / "outbox.key").exists()
    again = Outbox(tmp_path / "outbox.sqlite3", key_path=key, create_key=False)
    assert again.get("r1").body["resident"] == {"name": "张三"}
    again.close()
    configured = tmp_path / "etc" / "outbox.key"
    assert outbox_key_path(tmp_path, configured) == configured  # the config's path is used as given
