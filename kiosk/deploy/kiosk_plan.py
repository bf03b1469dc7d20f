"""``kiosk install``'s plan for one machine, from the technician's ``kiosk.toml``.

The layout (user ``kiosk`` by default):

| path | owner, mode | holds |
|---|---|---|
| ``/etc/kiosk/kiosk.toml`` | root:kiosk 0640 | the config (with the PIN hash): the kiosk reads it, cannot change it |
| ``/etc/kiosk/keys/outbox.key`` | root:kiosk 0640, folder 0750 | the outbox key, apart from the outbox |
| ``/etc/kiosk/token``, ``catalog.toml``, ``queue-ca.pem`` | root:kiosk 0640 / 0644 | copies of the files the config names |
| ``/var/lib/kiosk/`` | kiosk 0700 | home; ``state/`` (outbox, tickets, lock-out, ``logs/``), ``kivy/`` |
| ``/etc/systemd/system/kiosk.service`` … | root 0644 | unit, PAM, logind, journald, coredump, sysctl, udev |

The installed config is the technician's file with ``state_dir``, ``privacy.outbox_key_file`` and the
copied paths set by line edits (comments survive).
"""

from __future__ import annotations

import grp
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from kiosk.deploy import kiosk_units as units
from kiosk.deploy.plan import Dir, File, Link, Plan, SystemUser
from kiosk.deploy.reach import missing_program, python_problem
from kiosk.deploy.tomledit import EditError, set_key
from kiosk.deploy.udev import UsbDevice, from_config, kind_of, parse_usb, rules_file

ETC = "/etc/kiosk"
HOME = "/var/lib/kiosk"
GROUPS = ("video", "render", "input", "dialout", "audio")


class InstallError(Exception):
    """The install cannot go ahead; ``problems`` says what to fix, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class KioskOptions:
    config: Path
    user: str = "kiosk"
    tty: int = 1
    rotate: int = 0
    usb: list[str] = field(default_factory=list)
    root: Path = Path("/")
    python: str = sys.executable
    dry_run: bool = False


def _load(path: Path):
    from kiosk.config.settings import ConfigError, load_config
    from kiosk.visit.tickets import TicketPrefixError, prefix_for_kiosk

    try:
        config = load_config(path)
    except ConfigError as err:
        raise InstallError([f"{err.source}: {line}" for line in err.problems]) from None
    try:
        prefix_for_kiosk(config.kiosk_id)
    except TicketPrefixError as err:
        raise InstallError([f"kiosk_id: {err}"]) from None
    return config


def _devices(opts: KioskOptions, config, notes: list[str]) -> tuple[list[UsbDevice], dict[tuple[str, str], str]]:
    """The USB devices to write rules for, and the config keys to point at their ``/dev/kiosk/`` links."""
    devs: dict[str, UsbDevice] = {}
    for name, vid, pid in from_config(config.devices):
        devs[name] = UsbDevice(name, vid, pid, kind_of(name, config.devices))
    for value in opts.usb:
        name, vid, pid, serial = parse_usb(value)
        devs[name] = UsbDevice(name, vid, pid, kind_of(name, config.devices), serial)
    edits: dict[tuple[str, str], str] = {}
    d = config.devices
    for dev in devs.values():
        if dev.link is None or dev.name not in {u.partition("=")[0] for u in opts.usb}:
            continue
        if dev.name == "idcard":
            edits[("devices.idcard", "port")] = dev.link
        elif dev.name == "button":
            edits[("devices.button", "device" if d.button.type == "evdev" else "port")] = dev.link
        elif dev.name == "camera":
            edits[("devices.camera", "source")] = dev.link
        elif dev.name == "printer" and d.printer.uri.startswith("serial:"):
            query = d.printer.uri.partition("?")[2]
            edits[("devices.printer", "uri")] = f"serial:{dev.link}" + (f"?{query}" if query else "")
        elif dev.name == "printer":
            raise InstallError([f"--usb printer: devices.printer.uri is {d.printer.uri}; a USB printer is "
                                "usb:VID:PID (found by its ids already) or serial:/dev/… (then --usb gives it a "
                                "stable name)"])
    loose = {"idcard": d.idcard.port if d.idcard.type == "sam" else "",
             "button": (d.button.port or "") if d.button.type in ("serial", "serial-contact") else ""}
    linked = {table.split(".")[1] for table, _key in edits}
    sims = [f"devices.{n}" for n, v in (("idcard", loose["idcard"]), ("button", loose["button"]),
                                        ("printer", d.printer.uri))
            if n not in linked and ("127.0.0.1" in v or "localhost" in v)]
    sims += ["devices.camera"] if d.camera.type == "simulator" else []
    if sims:
        notes.append(f"{', '.join(sims)} point at simulators on this machine; set the real devices in the "
                     "config (kiosk devices check --config FILE tests them)")
    for name, port in loose.items():
        if name not in devs and port.startswith(("/dev/ttyUSB", "/dev/ttyACM")):
            notes.append(f"devices.{name}.port {port} may get another number after a replug: give "
                         f"--usb {name}=VID:PID (lsusb shows it), or use /dev/serial/by-id/… or hwgrep://VID:PID")
    return list(devs.values()), edits


def _copy(plan: Plan, text: str, table: str, key: str, source: Path, target: str, mode: int, user: str,
          secret: bool = False) -> str:
    plan.add(File(target, source.read_bytes(), mode, "root", user if mode & 0o040 else "root", secret=secret,
                  conf=True, why=f"copy of {source}"))
    return set_key(text, table, key, target)


def _key_entry(opts: KioskOptions, plan: Plan) -> File:
    """The outbox key: the one this machine already has (installed, or an older kiosk's), else a new one."""
    target = f"{ETC}/keys/outbox.key"
    older = [f"{HOME}/state/keys/outbox.key", f"{HOME}/state/outbox.key"]
    content, why = Fernet.generate_key() + b"\n", "a new key"
    if not (opts.root / target.lstrip("/")).exists():
        for old in older:
            path = opts.root / old.lstrip("/")
            if path.is_file():
                content, why = path.read_bytes(), f"the key found at {old}"
                plan.moved.append(old)
                break
    return File(target, content, 0o640, "root", opts.user, secret=True, keep=True, conf=True, why=why)


def build(opts: KioskOptions) -> Plan:
    """The plan for ``opts``; raises :class:`InstallError` listing what to fix."""
    from kiosk.config.settings import DEFAULT_CATALOG

    config = _load(opts.config)
    real = opts.root.resolve() == Path("/")
    user = opts.user
    plan = Plan("kiosk", manifest=f"{ETC}/install.json")
    notes = plan.notes
    problems = [p for p in (missing_program("/usr/bin/cage", "cage xwayland", opts.root),
                            missing_program("/usr/bin/Xwayland", "xwayland", opts.root)) if p]
    reach = python_problem(opts.python, Path(__file__).resolve().parents[1])
    problems += [reach] if reach else []
    if problems and real and not opts.dry_run:
        raise InstallError(problems)
    notes.extend(f"must be fixed before a real install: {p}" if real else f"{p} (needed on the kiosk)"
                 for p in problems)
    groups = tuple(g for g in GROUPS if not real or _group_exists(g))
    plan.user = SystemUser(user, HOME, groups)
    devices, edits = _devices(opts, config, notes)

    text = opts.config.read_text(encoding="utf-8")
    try:
        text = set_key(text, "", "state_dir", f"{HOME}/state")
        text = set_key(text, "privacy", "outbox_key_file", f"{ETC}/keys/outbox.key")
        if config.catalog.resolve() != DEFAULT_CATALOG.resolve():
            text = _copy(plan, text, "", "catalog", config.catalog, f"{ETC}/catalog.toml", 0o644, user)
        if config.queue.token_file:
            text = _copy(plan, text, "queue", "token_file", config.queue.token_file, f"{ETC}/token", 0o640, user,
                         secret=True)
        if config.queue.ca_file:
            text = _copy(plan, text, "queue", "ca_file", config.queue.ca_file, f"{ETC}/queue-ca.pem", 0o644, user)
        for (table, key), value in edits.items():
            text = set_key(text, table, key, value)
    except EditError as err:
        raise InstallError([f"{opts.config}: {err}"]) from None
    if config.queue.token:
        notes.append("queue.token is written in the config itself; prefer token_file (it is copied to "
                     f"{ETC}/token, 0640)")
    if not config.manager.pin_hash:
        notes.append("manager.pin_hash is not set: manager mode stays closed (kiosk config hash-pin)")

    plan.add(Dir(ETC, 0o750, "root", user), Dir(f"{ETC}/keys", 0o750, "root", user),
             File.text(f"{ETC}/kiosk.toml", text, 0o640, owner="root", group=user, conf=True,
                       why=f"from {opts.config}"),
             _key_entry(opts, plan),
             Dir(HOME, 0o700, user, user, data=True), Dir(f"{HOME}/state", 0o700, user, user),
             Dir(f"{HOME}/state/logs", 0o700, user, user), Dir(f"{HOME}/kivy", 0o700, user, user),
             File.text("/etc/systemd/system/kiosk.service", units.kiosk_service(
                 user=user, python=opts.python, config=f"{ETC}/kiosk.toml", home=HOME, tty=opts.tty,
                 rotate=opts.rotate, groups=groups)),
             File.text("/etc/pam.d/kiosk", units.PAM_SERVICE),
             File.text("/etc/systemd/logind.conf.d/kiosk.conf", units.LOGIND),
             File.text("/etc/systemd/system.conf.d/kiosk.conf", units.SYSTEM),
             File.text("/etc/systemd/journald.conf.d/kiosk.conf", units.journald()),
             File.text("/etc/systemd/coredump.conf.d/kiosk.conf", units.COREDUMP),
             File.text("/etc/sysctl.d/90-kiosk.conf", units.SYSCTL),
             Link("/etc/systemd/system/ctrl-alt-del.target", "/dev/null", "Ctrl+Alt+Del does not reboot"))
    if devices:
        plan.add(File.text("/etc/udev/rules.d/70-kiosk.rules", rules_file(devices, user)))
    plan.commands = [["systemctl", "daemon-reload"], ["sysctl", "--system"],
                     ["udevadm", "control", "--reload-rules"], ["udevadm", "trigger", "--action=add"],
                     ["systemctl", "restart", "systemd-journald"], ["systemctl", "set-default", "graphical.target"],
                     ["systemctl", "enable", "kiosk.service"], ["systemctl", "restart", "kiosk.service"]]
    plan.remove_commands = [["systemctl", "disable", "--now", "kiosk.service"]]
    notes.append("reboot once so logind (no consoles, power keys ignored) and the kernel settings apply; "
                 "a technician reaches the machine over SSH, or by booting with systemd.unit=multi-user.target")
    return plan


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False
