"""`kiosk install` / `kiosk uninstall`: the dry run's text, and a real install into a temporary root."""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from kiosk.cli import main

USER = "daemon"  # a user and group every Debian has: owners can be checked without creating one


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def owner(path: Path) -> str:
    st = path.lstat()
    return f"{pwd.getpwuid(st.st_uid).pw_name}:{grp.getgrgid(st.st_gid).gr_name}"


@pytest.fixture
def config(tmp_path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "token").write_text("kqk_secret-token\n")
    path = src / "kiosk.toml"
    text = (Path(__file__).resolve().parents[2] / "kiosk/config/default.toml").read_text(encoding="utf-8")
    text = text.replace('# token_file = "/etc/kiosk/token"', f'token_file = "{src / "token"}"')
    text = text.replace('[manager]\n', '[manager]\npin_hash = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"\n')
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_prints_every_file_and_writes_nothing(tmp_path, config, capsys):
    root = tmp_path / "root"
    root.mkdir()
    code, out, _ = run(capsys, "install", "--config", str(config), "--dry-run", "--root", str(root),
                       "--usb", "idcard=1a86:7523", "--usb", "camera=046d:0825:ABC123", "--rotate", "1")
    assert code == 0 and list(root.iterdir()) == []
    for line in ("dir   0750 root:kiosk  /etc/kiosk", "dir   0700 kiosk:kiosk  /var/lib/kiosk",
                 "--- file 0640 root:kiosk  /etc/kiosk/kiosk.toml",
                 "--- file 0640 root:kiosk  /etc/kiosk/keys/outbox.key, kept if it exists",
                 "--- file 0640 root:kiosk  /etc/kiosk/token", "--- file 0644 root:root  /etc/systemd/system/kiosk.service",
                 "--- file 0644 root:root  /etc/pam.d/kiosk", "--- file 0644 root:root  /etc/systemd/logind.conf.d/kiosk.conf",
                 "--- file 0644 root:root  /etc/systemd/journald.conf.d/kiosk.conf",
                 "--- file 0644 root:root  /etc/systemd/coredump.conf.d/kiosk.conf",
                 "--- file 0644 root:root  /etc/systemd/system.conf.d/kiosk.conf",
                 "--- file 0644 root:root  /etc/sysctl.d/90-kiosk.conf",
                 "--- file 0644 root:root  /etc/udev/rules.d/70-kiosk.rules",
                 "link  /etc/systemd/system/ctrl-alt-del.target -> /dev/null",
                 # the unit: notify + watchdog, restart for ever, no core, private files, cage without -s
                 "Type=notify", "NotifyAccess=all", "WatchdogSec=30", "Restart=always", "StartLimitIntervalSec=0",
                 "LimitCORE=0", "UMask=0077", "PrivateTmp=yes", "NoNewPrivileges=yes", "Environment=TMPDIR=/run/kiosk",
                 "Conflicts=getty@tty1.service", "ExecStart=/usr/bin/cage -d -r -- ",
                 # the rest of the way out: consoles, power keys, SysRq, Ctrl+Alt+Del, cores, logs
                 "NAutoVTs=0", "HandlePowerKey=ignore", "HandleSuspendKey=ignore", "kernel.sysrq = 0",
                 "kernel.core_pattern = |/bin/false", "CtrlAltDelBurstAction=none", "Storage=none",
                 "SystemMaxUse=200M", "session   required  pam_systemd.so",
                 'SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="kiosk/idcard", '
                 'GROUP="kiosk", MODE="0660"',
                 'SUBSYSTEM=="video4linux", ATTR{index}=="0", ATTRS{idVendor}=="046d", ATTRS{idProduct}=="0825", '
                 'ATTRS{serial}=="ABC123", SYMLINK+="kiosk/camera", GROUP="kiosk", MODE="0660"',
                 'state_dir = "/var/lib/kiosk/state"', 'outbox_key_file = "/etc/kiosk/keys/outbox.key"',
                 'port = "/dev/kiosk/idcard"', 'source = "/dev/kiosk/camera"', 'token_file = "/etc/kiosk/token"',
                 "systemctl enable kiosk.service"):
        assert line in out, line
    assert " -s " not in out.split("ExecStart=")[1].split("\n")[0]
    assert "kqk_secret-token" not in out and "(secret, " in out  # neither token nor key printed
    assert "# 帮办代办自助终端配置" in out  # the technician's comments survive in the installed config


def test_install_into_a_root_lays_out_files_modes_and_owners(tmp_path, config, capsys):
    root = tmp_path / "root"
    legacy = root / "var/lib/kiosk/state/outbox.key"  # an older kiosk kept its key next to the outbox
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(Fernet.generate_key() + b"\n")
    old_key = legacy.read_bytes()
    code, out, err = run(capsys, "install", "--config", str(config), "--root", str(root), "--user", USER,
                         "--usb", "button=0483:5750")
    assert code == 0, err
    expect = {  # path: (mode, owner)
        "etc/kiosk": (0o750, f"root:{USER}"), "etc/kiosk/keys": (0o750, f"root:{USER}"),
        "etc/kiosk/kiosk.toml": (0o640, f"root:{USER}"), "etc/kiosk/keys/outbox.key": (0o640, f"root:{USER}"),
        "etc/kiosk/token": (0o640, f"root:{USER}"), "etc/kiosk/install.json": (0o600, "root:root"),
        "var/lib/kiosk": (0o700, f"{USER}:{USER}"), "var/lib/kiosk/state": (0o700, f"{USER}:{USER}"),
        "var/lib/kiosk/state/logs": (0o700, f"{USER}:{USER}"), "var/lib/kiosk/kivy": (0o700, f"{USER}:{USER}"),
        "etc/systemd/system/kiosk.service": (0o644, "root:root"), "etc/pam.d/kiosk": (0o644, "root:root"),
        "etc/udev/rules.d/70-kiosk.rules": (0o644, "root:root"), "etc/sysctl.d/90-kiosk.conf": (0o644, "root:root"),
    }
    assert {p: (mode(root / p), owner(root / p)) for p in expect} == expect
    assert os.readlink(root / "etc/systemd/system/ctrl-alt-del.target") == "/dev/null"
    assert (root / "etc/kiosk/keys/outbox.key").read_bytes() == old_key and not legacy.exists()
    installed = tomllib.loads((root / "etc/kiosk/kiosk.toml").read_text(encoding="utf-8"))
    assert installed["state_dir"] == "/var/lib/kiosk/state"
    assert installed["privacy"]["outbox_key_file"] == "/etc/kiosk/keys/outbox.key"
    assert installed["queue"]["token_file"] == "/etc/kiosk/token"
    assert (root / "etc/kiosk/token").read_text() == "kqk_secret-token\n"
    assert f"User={USER}" in (root / "etc/systemd/system/kiosk.service").read_text()
    assert 'SYMLINK+="kiosk/button"' in (root / "etc/udev/rules.d/70-kiosk.rules").read_text()

    # a second install keeps the key (a new one would make the stored outbox unreadable)
    assert run(capsys, "install", "--config", str(config), "--root", str(root), "--user", USER)[0] == 0
    assert (root / "etc/kiosk/keys/outbox.key").read_bytes() == old_key

    # uninstall: the system files go, data, config and keys stay; --purge takes those too
    (root / "var/lib/kiosk/state/outbox.sqlite3").write_text("pending requests")
    code, out, _ = run(capsys, "uninstall", "--root", str(root))
    assert code == 0 and "kept" in out and "kiosk uninstall --purge deletes them" in out
    assert not (root / "etc/systemd/system/kiosk.service").exists()
    assert not (root / "etc/systemd/system/ctrl-alt-del.target").is_symlink()
    assert (root / "var/lib/kiosk/state/outbox.sqlite3").exists() and (root / "etc/kiosk/keys/outbox.key").exists()
    # what stayed is recorded, so a later --purge can delete it (the record used to go: --purge found nothing)
    assert run(capsys, "uninstall", "--root", str(root))[0] == 0  # again: nothing more to remove
    code, out, _ = run(capsys, "uninstall", "--root", str(root), "--purge", "--dry-run")
    assert code == 0 and "DELETE with everything in it: /var/lib/kiosk" in out
    assert "remove: /etc/systemd/system/kiosk.service" not in out  # gone already
    assert run(capsys, "uninstall", "--root", str(root), "--purge")[0] == 0
    assert not (root / "var/lib/kiosk").exists() and not (root / "etc/kiosk").exists()
    assert run(capsys, "uninstall", "--root", str(root))[0] == 1  # nothing recorded any more
    assert run(capsys, "install", "--config", str(config), "--root", str(root), "--user", USER)[0] == 0
    # --purge looked at first: it names the folders it would delete whole, and deletes nothing
    code, out, _ = run(capsys, "uninstall", "--root", str(root), "--purge", "--dry-run")
    assert code == 0 and "DELETE with everything in it: /var/lib/kiosk" in out and "nothing was changed" in out
    assert "remove: /etc/systemd/system/kiosk.service" in out
    assert (root / "etc/systemd/system/kiosk.service").exists() and (root / "var/lib/kiosk/state").is_dir()
    assert run(capsys, "uninstall", "--root", str(root), "--purge")[0] == 0
    assert not (root / "var/lib/kiosk").exists() and not (root / "etc/kiosk").exists()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_finds_nothing_wrong_in_the_unit(tmp_path, config, capsys):
    root = tmp_path / "root"
    assert run(capsys, "install", "--config", str(config), "--root", str(root), "--user", USER)[0] == 0
    unit = root / "etc/systemd/system/kiosk.service"
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True,
                          timeout=120)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if line.strip() and "/usr/bin/cage" not in line  # cage is only on kiosks
                and "getty@tty1.service" not in line]  # not present in a container
    assert problems == [], done.stdout + done.stderr
    score = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit)], capture_output=True,
                           text=True, timeout=120).stdout
    exposure = float(score.split("Overall exposure level for kiosk.service:")[1].split()[0])
    assert exposure <= 4.0, score  # 3.4 when written: a GUI on the seat cannot have PrivateDevices


@pytest.mark.parametrize(("edit", "argv", "expect"), [
    (lambda t: t.replace('kiosk_id = "zd-qj-01"', 'kiosk_id = "zd-qj"'), [], "kiosk_id"),
    (lambda t: t.replace("[site]\n", "[site]\nbogus = 1\n"), [], "site.bogus: unknown key"),
    (lambda t: t, ["--usb", "idcard=zz:1"], "expected NAME=VID:PID"),
    (lambda t: t, ["--usb", "printer=0416:5011"], "a USB printer is usb:VID:PID"),
    (lambda t: re.sub(r"\[privacy\]\n(?:[a-z_]+ = .*\n)*", "", t).replace(
        'kiosk_id = "zd-qj-01"', 'kiosk_id = "zd-qj-01"\nprivacy = { sent_outbox_retention_days = 7 }'), [],
     "add `outbox_key_file = "),
])
def test_a_bad_config_or_option_changes_nothing(tmp_path, config, capsys, edit, argv, expect):
    config.write_text(edit(config.read_text(encoding="utf-8")), encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    code, _, err = run(capsys, "install", "--config", str(config), "--root", str(root), *argv)
    assert code == 1 and expect in err and "nothing was changed" in err
    assert list(root.iterdir()) == []
