"""``kiosk queue install``'s plan: the server as a system service.

| path | owner, mode | holds |
|---|---|---|
| ``/var/lib/kiosk-queue/`` | kiosk-queue 0700 | SQLite database, ``queue.key`` (systemd's StateDirectory) |
| ``/etc/kiosk-queue/env`` | root 0600 | ``KIOSK_QUEUE_DB`` (a PostgreSQL URL may hold a password) |
| ``/etc/kiosk-queue/tls/server.pem``, ``server.key`` | root 0644 / root 0600 | the certificate; the key reaches the server through systemd's LoadCredential |
| ``/etc/kiosk-queue/catalog.toml`` | root 0644 | the matters catalogue, when one is given |
| ``/etc/systemd/system/kiosk-queue.service`` | root 0644 | the hardened unit |
| ``/etc/nginx/sites-available/kiosk-queue.conf`` (+ link in sites-enabled) | root 0644 | with ``--proxy nginx`` |
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from kiosk.deploy.kiosk_plan import InstallError
from kiosk.deploy.plan import Dir, File, Link, Plan, SystemUser
from kiosk.deploy.reach import missing_program, python_problem
from kiosk.queue.ops import units

ETC = "/etc/kiosk-queue"
STATE = "/var/lib/kiosk-queue"


@dataclass
class QueueOptions:
    db: str | None = None
    listen: str | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    workers: int = 1
    proxy: str | None = None
    server_name: str | None = None
    catalog: Path | None = None
    user: str = "kiosk-queue"
    root: Path = Path("/")
    python: str = sys.executable
    dry_run: bool = False


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[V6]:PORT`` or ``PORT`` → (host, port); raises ValueError saying what is expected."""
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "0.0.0.0", value
    host = host.strip("[]") or "0.0.0.0"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--listen {value!r}: expected HOST:PORT, e.g. 0.0.0.0:8443 or 127.0.0.1:8600")
    return host, int(port)


def _problems(o: QueueOptions) -> list[str]:
    from kiosk.queue.ops.tls import check_pair

    out = []
    if bool(o.tls_cert) != bool(o.tls_key):
        out.append("--tls-cert and --tls-key go together")
    elif o.tls_cert:
        problem = check_pair(o.tls_cert, o.tls_key)
        out += [f"TLS: {problem}"] if problem else []
    if o.db and not o.db.startswith(("postgresql", "postgres://")):
        out.append(f"--db {o.db.split('://')[0]}://…: give a PostgreSQL URL (SQLite needs no --db: it lives in {STATE})")
    if o.workers > 1 and not o.db:
        out.append("--workers above 1 needs PostgreSQL (--db postgresql+psycopg://…)")
    if o.proxy == "nginx" and not (o.tls_cert and o.server_name):
        out.append("--proxy nginx needs --server-name (the name phones open) and --tls-cert/--tls-key")
    if o.catalog is not None and not o.catalog.is_file():
        out.append(f"--catalog {o.catalog}: no such file")
    return out


def admin_command(o: QueueOptions, command: str = "add-site") -> str:
    """How root runs a ``kiosk queue`` command on the installed server's data: as its user (files it
    creates stay the service's; runuser is in every Debian, sudo is not), and with PostgreSQL with the
    unit's database URL, which only root reads (without it the command would fill a SQLite file in the
    state folder that no server reads). The URL goes through the environment, never the command line."""
    db = ("KIOSK_QUEUE_DB=\"$(sed -n 's/^KIOSK_QUEUE_DB=//p' " + f"{ETC}/env)\" ") if o.db else ""
    return f"cd /tmp && {db}runuser -u {o.user} -- kiosk queue {command} --state-dir {STATE}"


def build(o: QueueOptions) -> Plan:
    """The plan for ``o``; raises :class:`InstallError` (or ValueError for a bad --listen)."""
    real = o.root.resolve() == Path("/")
    problems = _problems(o)
    if problems:
        raise InstallError(problems)
    behind = o.proxy == "nginx"
    host, port = parse_listen(o.listen or ("127.0.0.1:8600" if behind else "0.0.0.0:8443" if o.tls_cert
                                           else "0.0.0.0:8600"))
    checks = [p for p in (python_problem(o.python, Path(__file__).resolve().parents[2], "kiosk queue install"),
                          missing_program("/usr/sbin/nginx", "nginx", o.root) if behind else None) if p]
    if checks and real and not o.dry_run:
        raise InstallError(checks)
    plan = Plan("kiosk-queue", manifest=f"{ETC}/install.json", user=SystemUser(o.user, STATE))
    plan.notes += [f"must be fixed before a real install: {p}" if real else p for p in checks]
    in_home = any(str(Path(p).resolve()).startswith(("/home/", "/root/")) for p in (o.python, __file__))
    catalog = f"{ETC}/catalog.toml" if o.catalog else None
    plan.add(Dir(ETC, 0o755), Dir(STATE, 0o700, o.user, o.user, data=True),
             File.text(f"{ETC}/env", "# read by systemd for kiosk-queue.service (root only)\n"
                       + (f"KIOSK_QUEUE_DB={o.db}\n" if o.db else "# KIOSK_QUEUE_DB=postgresql+psycopg://…\n")
                       + "# KIOSK_QUEUE_KEYS=…   (several servers on one database share these keys)\n",
                       0o600, secret=bool(o.db and "@" in o.db), conf=True))
    if catalog:
        plan.add(File(catalog, o.catalog.read_bytes(), 0o644, conf=True, why=f"copy of {o.catalog}"))
    tls_here = bool(o.tls_cert) and not behind
    if o.tls_cert:
        plan.add(Dir(f"{ETC}/tls", 0o755),
                 File(f"{ETC}/tls/server.pem", o.tls_cert.read_bytes(), 0o644, conf=True, why=f"copy of {o.tls_cert}"),
                 File(f"{ETC}/tls/server.key", o.tls_key.read_bytes(), 0o600, secret=True, conf=True,
                      why=f"copy of {o.tls_key}"))
    plan.add(File.text("/etc/systemd/system/kiosk-queue.service", units.service(
        user=o.user, python=o.python, state=STATE, host=host, port=port, workers=o.workers, tls=tls_here,
        cookie_secure=behind, catalog=catalog, protect_home="read-only" if in_home else "yes")))
    if behind:
        site = "/etc/nginx/sites-available/kiosk-queue.conf"
        plan.add(File.text(site, units.nginx_site(server_name=o.server_name, upstreams=[f"{host}:{port}"],
                                                  cert=f"{ETC}/tls/server.pem", key=f"{ETC}/tls/server.key")),
                 Link("/etc/nginx/sites-enabled/kiosk-queue.conf", site))
    scheme = "https" if o.tls_cert else "http"
    address = o.server_name or (host if host not in ("0.0.0.0", "::") else "THIS-MACHINE")
    plan.commands = [["systemctl", "daemon-reload"], ["systemctl", "enable", "kiosk-queue.service"],
                     ["systemctl", "restart", "kiosk-queue.service"]]
    plan.commands += [["nginx", "-t"], ["systemctl", "reload", "nginx"]] if behind else []
    plan.remove_commands = [["systemctl", "disable", "--now", "kiosk-queue.service"]]
    plan.notes.append(f"console: {scheme}://{address}{'' if behind else f':{port}'}/console/ — then "
                      f"add sites, kiosks and staff as the service's user: {admin_command(o)} …")
    if not o.tls_cert:
        plan.notes.append("no TLS: phones get no notifications, no installable app, no wake lock; make a "
                          "certificate with `kiosk queue tls-cert` and install again with --tls-cert/--tls-key")
    return plan
