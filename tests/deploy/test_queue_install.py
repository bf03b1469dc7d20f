"""`kiosk queue install`: the hardened unit (checked by systemd-analyze), TLS through LoadCredential, the
nginx site for several processes, and the mistakes it refuses."""

from __future__ import annotations

import ctypes
import os
import shutil
import stat
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk.cli import main
from kiosk.queue.ops.tls import make_certs

USER = "daemon"


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict:
    return make_certs(tmp_path_factory.mktemp("certs"), ["127.0.0.1", "queue.hall.local"])


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["queue", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_single_node_with_tls_into_a_root(tmp_path, certs, capsys):
    root = tmp_path / "root"
    code, out, err = run(capsys, "install", "--root", str(root), "--user", USER, "--tls-cert", str(certs["cert"]),
                         "--tls-key", str(certs["key"]))
    assert code == 0, err
    unit = (root / "etc/systemd/system/kiosk-queue.service").read_text()
    assert "--host 0.0.0.0 --port 8443 --tls-cert /etc/kiosk-queue/tls/server.pem --tls-key %d/tls.key" in unit
    assert "LoadCredential=tls.key:/etc/kiosk-queue/tls/server.key" in unit
    for line in ("User=daemon", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectHome=",
                 "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "CapabilityBoundingSet=\n",
                 "MemoryDenyWriteExecute=yes", "SystemCallFilter=@system-service", "UMask=0077", "LimitCORE=0",
                 "StateDirectory=kiosk-queue", "StateDirectoryMode=0700", "EnvironmentFile=-/etc/kiosk-queue/env"):
        assert line in unit, line
    assert {p: mode(root / p) for p in ("etc/kiosk-queue/env", "etc/kiosk-queue/tls/server.key",
                                        "etc/kiosk-queue/tls/server.pem", "var/lib/kiosk-queue")} == {
        "etc/kiosk-queue/env": 0o600, "etc/kiosk-queue/tls/server.key": 0o600,
        "etc/kiosk-queue/tls/server.pem": 0o644, "var/lib/kiosk-queue": 0o700}
    assert "https://THIS-MACHINE:8443/console/" in out
    code, out, _ = run(capsys, "uninstall", "--root", str(root), "--purge", "--dry-run")
    assert code == 0 and "DELETE with everything in it: /var/lib/kiosk-queue" in out and "nothing was changed" in out
    assert (root / "etc/systemd/system/kiosk-queue.service").exists()
    code, out, _ = run(capsys, "uninstall", "--root", str(root))
    assert code == 0 and "paths removed" in out and "kiosk queue uninstall --purge deletes them" in out
    assert not (root / "etc/systemd/system/kiosk-queue.service").exists()
    assert (root / "etc/kiosk-queue/tls/server.key").exists()  # kept without --purge, and recorded for it
    assert run(capsys, "uninstall", "--root", str(root), "--purge")[0] == 0
    assert not (root / "etc/kiosk-queue").exists() and not (root / "var/lib/kiosk-queue").exists()
    code, _, err = run(capsys, "uninstall", "--root", str(root))  # nothing recorded any more
    assert code == 1 and "kiosk queue uninstall" in err


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
@pytest.mark.parametrize("listen", ["0.0.0.0:8443", "0.0.0.0:443"])
def test_systemd_analyze_rates_the_unit(tmp_path, certs, capsys, listen):
    root = tmp_path / "root"
    assert run(capsys, "install", "--root", str(root), "--user", USER, "--listen", listen,
               "--tls-cert", str(certs["cert"]), "--tls-key", str(certs["key"]))[0] == 0
    unit = root / "etc/systemd/system/kiosk-queue.service"
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True,
                          timeout=120)
    assert (done.stdout + done.stderr).strip() == ""
    score = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit)], capture_output=True,
                           text=True, timeout=120).stdout
    exposure = float(score.split("Overall exposure level for kiosk-queue.service:")[1].split()[0])
    assert exposure <= 2.0, score  # 1.3 (1.2 before setpriority; 1.x with port 443's one capability)
    if listen.endswith(":443"):
        assert "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" in unit.read_text()


def test_postgres_workers_behind_nginx(tmp_path, certs, capsys):
    root = tmp_path / "root"
    url = "postgresql+psycopg://queue:s3cret@10.0.0.9/queue"
    code, out, err = run(capsys, "install", "--root", str(root), "--user", USER, "--db", url, "--workers", "4",
                         "--proxy", "nginx", "--server-name", "queue.hall.local", "--tls-cert", str(certs["cert"]),
                         "--tls-key", str(certs["key"]), "--dry-run")
    assert code == 0, err
    assert "s3cret" not in out  # the env file with the password is not printed
    assert run(capsys, "install", "--root", str(root), "--user", USER, "--db", url, "--workers", "4", "--proxy",
               "nginx", "--server-name", "queue.hall.local", "--tls-cert", str(certs["cert"]), "--tls-key",
               str(certs["key"]))[0] == 0
    unit = (root / "etc/systemd/system/kiosk-queue.service").read_text()
    assert "--host 127.0.0.1 --port 8600 --workers 4 --cookie-secure --trusted-proxy 127.0.0.1" in unit
    assert "LoadCredential" not in unit
    assert (root / "etc/kiosk-queue/env").read_text().count(f"KIOSK_QUEUE_DB={url}") == 1
    site = (root / "etc/nginx/sites-available/kiosk-queue.conf").read_text()
    for line in ("server 127.0.0.1:8600", "server_name queue.hall.local;", "listen 443 ssl http2;",
                 "ssl_certificate /etc/kiosk-queue/tls/server.pem;", "location /api/v1/events/stream",
                 "proxy_buffering off;", "proxy_set_header X-Forwarded-Proto https;", "return 301 https://"):
        assert line in site, line
    assert (root / "etc/nginx/sites-enabled/kiosk-queue.conf").readlink() == Path(
        "/etc/nginx/sites-available/kiosk-queue.conf")  # a link as the real system resolves it


@pytest.mark.parametrize(("argv", "expect"), [
    (["--workers", "2"], "needs PostgreSQL"),
    (["--tls-cert", "{cert}"], "go together"),
    (["--tls-cert", "{cert}", "--tls-key", "{ca}"], "not a matching PEM certificate and key"),
    (["--listen", "host:port"], "expected HOST:PORT"),
    (["--db", "sqlite:///x.db"], "give a PostgreSQL URL"),
    (["--proxy", "nginx"], "needs --server-name"),
])
def test_mistakes_are_refused_before_anything_is_written(tmp_path, certs, capsys, argv, expect):
    root = tmp_path / "root"
    root.mkdir()
    argv = [a.format(cert=certs["cert"], ca=certs["ca"]) for a in argv]
    code, _, err = run(capsys, "install", "--root", str(root), *argv)
    assert code == 1 and expect in err, err
    assert list(root.iterdir()) == []


def _mdwe_supported() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(66, 0, 0, 0, 0) >= 0  # PR_GET_MDWE (Linux 6.3)


@pytest.mark.slow
@pytest.mark.skipif(not _mdwe_supported(), reason="this kernel has no PR_SET_MDWE (Linux 6.3+)")
def test_the_server_works_with_memory_deny_write_execute(tmp_path, certs):
    """MemoryDenyWriteExecute=yes in the unit: a whole session (TLS, argon2 login, a request with an
    encrypted identity, the live stream, a 代办 case) under the kernel's equivalent, PR_SET_MDWE."""
    from tests.deploy.test_queue_backup import PASSWORD, provision
    from tests.queue.case_helpers import handover

    state = tmp_path / "state"
    token = provision(state)
    code = ("import ctypes, sys; libc = ctypes.CDLL(None, use_errno=True);"
            "assert libc.prctl(65, 1, 0, 0, 0) == 0, ctypes.get_errno();"  # PR_SET_MDWE, REFUSE_EXEC_GAIN
            "from kiosk.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.Popen([sys.executable, "-c", code, "queue", "serve", "--state-dir", str(state), "--port", "0",
                             "--tls-cert", str(certs["cert"]), "--tls-key", str(certs["key"])],
                            stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "listening on" not in line:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, f"server died under MDWE (exit {proc.poll()})"
        url = line.strip().rsplit(" ", 1)[-1]
        import ssl

        verify = ssl.create_default_context(cafile=str(certs["ca"]))
        with httpx.Client(base_url=url, verify=verify, timeout=30) as c:
            staff = {"Authorization": "Bearer " + c.post("/api/v1/auth/login", json={
                "username": "li", "password": PASSWORD}).json()["token"]}
            body = {"id": str(uuid.uuid4()), "kind": "assist", "kiosk_id": "zd-qj-01", "site_code": "421303",
                    "created_at": datetime.now(UTC).isoformat(),
                    "resident": {"name": "王小明", "id_number": "11010519491231002X"}}
            assert c.post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 201
            with c.stream("GET", "/api/v1/events/stream", headers=staff) as r:
                assert r.status_code == 200
                assert b"hello" in next(r.iter_bytes())
            assert c.post("/api/v1/cases", json=handover(), headers=staff).status_code == 201
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed (its site is checked by content above)")
def test_nginx_accepts_the_site(tmp_path, certs):
    from kiosk.queue.ops.units import nginx_site

    site = tmp_path / "site.conf"
    site.write_text(nginx_site(server_name="queue.hall.local", upstreams=["127.0.0.1:8600", "127.0.0.1:8601"],
                               cert=str(certs["cert"]), key=str(certs["key"])))
    main_conf = tmp_path / "nginx.conf"
    temp = " ".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    main_conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                         f"http {{ access_log off; {temp} include {site}; }}\n")
    done = subprocess.run(["nginx", "-t", "-c", str(main_conf)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _admin_line(out: str) -> str:
    """The shell command the install's last note tells root to run (up to the command's own arguments)."""
    note = next(line for line in out.splitlines() if "add sites, kiosks and staff" in line)
    return note.split("add sites, kiosks and staff", 1)[1].split(": ", 1)[1].removesuffix(" …")


def test_the_admin_command_it_prints_needs_no_sudo(tmp_path, certs, capsys):
    """Debian 12 installed with a root password has no sudo; runuser (util-linux) is always there."""
    code, out, err = run(capsys, "install", "--root", str(tmp_path / "root"), "--user", USER, "--dry-run")
    assert code == 0, err
    assert _admin_line(out) == f"cd /tmp && runuser -u {USER} -- kiosk queue add-site --state-dir /var/lib/kiosk-queue"


@pytest.mark.postgres
def test_the_admin_command_it_prints_reaches_the_postgresql_database(tmp_path, certs, capsys):
    """Behind nginx the database is PostgreSQL, named only in the root-only env file: the printed command,
    run as printed (its user's switch aside: this test's Python is not the service's), must add the site
    there, not to a SQLite file in the state folder that no server reads."""
    from sqlalchemy import select

    from kiosk.queue.db import Database
    from kiosk.queue.models import sites
    from tests.queue.conftest import PG_BASE, _pg_admin, pg_reachable

    if reason := pg_reachable():
        pytest.skip(reason)
    schema = f"tqi_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    try:
        root, state = tmp_path / "root", tmp_path / "state"
        code, out, err = run(capsys, "install", "--root", str(root), "--user", USER, "--db", url, "--workers", "2",
                             "--proxy", "nginx", "--server-name", "queue.hall.local",
                             "--tls-cert", str(certs["cert"]), "--tls-key", str(certs["key"]))
        assert code == 0, err
        db = Database(url)
        db.migrate()  # what the service does at its first start
        state.mkdir()
        line = (_admin_line(out).replace("/etc/kiosk-queue/env", str(root / "etc/kiosk-queue/env"))
                .replace("/var/lib/kiosk-queue", str(state))
                .replace(f"runuser -u {USER} -- kiosk", f"{shutil.which('env')} {sys.executable} -m kiosk"))
        done = subprocess.run(["bash", "-c", line + " --code 421303 --name 曾都区政务服务中心 --level district"],
                              env={k: v for k, v in os.environ.items() if k != "KIOSK_QUEUE_DB"},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        with db.read() as conn:
            assert conn.execute(select(sites.c.code)).scalars().all() == ["421303"]
        db.dispose()
        assert not (state / "queue.sqlite3").exists()
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _syscalls(names: str) -> set[str]:
    """The system calls a SystemCallFilter= value names, its @sets expanded by systemd itself."""
    out: set[str] = set()
    for name in names.split():
        if name.startswith("@"):
            listed = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True,
                                    timeout=60).stdout.splitlines()
            words = [w.strip() for w in listed[1:] if w.strip() and not w.strip().startswith("#")]
            out |= _syscalls(" ".join(w for w in words if w != name))  # sets hold sets: @system-service
        else:
            out.add(name)
    return out


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_unit_lets_the_server_make_the_calls_it_makes(tmp_path, certs, capsys):
    """The seccomp filter answers EPERM, which the server's code would swallow: the password-check threads
    lower their priority with setpriority (kiosk/queue/throttle.py; @resources has it) so a login storm only
    takes spare CPU, and serve raises its open-file limit (prlimit64)."""
    root = tmp_path / "root"
    assert run(capsys, "install", "--root", str(root), "--user", USER, "--tls-cert", str(certs["cert"]),
               "--tls-key", str(certs["key"]))[0] == 0
    allowed: set[str] = set()
    for line in (root / "etc/systemd/system/kiosk-queue.service").read_text().splitlines():
        if line.startswith("SystemCallFilter="):
            value = line.split("=", 1)[1]
            if value.startswith("~"):
                allowed -= _syscalls(value[1:])
            else:
                allowed |= _syscalls(value)
    assert {"setpriority", "prlimit64"} <= allowed
    assert "sched_setscheduler" not in allowed and "reboot" not in allowed
