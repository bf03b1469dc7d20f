"""The real terminal (``kiosk run``, Kivy offscreen) under a real ``NOTIFY_SOCKET`` bound by the test, as
systemd would bind it: READY once the start screen is drawn, STATUS with device health, WATCHDOG from the
UI thread (a frozen UI stops them), no way out with a keyboard, SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


class SystemdSocket:
    """A unix datagram socket recording each message with the (monotonic) time it arrived."""

    def __init__(self, path: Path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(8192)
            except TimeoutError:
                continue
            self.messages.append((time.monotonic(), data.decode()))

    def wait(self, condition, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = condition(list(self.messages))
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; got {[m for _, m in self.messages][-10:]}")

    def times(self, text: str) -> list[float]:
        return [t for t, m in list(self.messages) if text in m.split("\n")]

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()


def _config(tmp: Path, printer_uri: str) -> Path:
    from argon2 import PasswordHasher

    pin = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("246810")
    path = tmp / "kiosk.toml"
    path.write_text(f"""kiosk_id = "zd-qj-01"
state_dir = "{tmp / 'state'}"
[site]
level = "district"
code = "421303"
name = "曾都区政务服务中心"
[queue]
url = "http://127.0.0.1:9"
[devices.idcard]
type = "none"
[devices.camera]
type = "none"
[devices.printer]
type = "escpos"
uri = "{printer_uri}"
monitor_interval_s = 1
[devices.button]
type = "none"
[ui]
fullscreen = false
width = 540
height = 960
voice = false
[manager]
pin_hash = "{pin}"
""", encoding="utf-8")
    os.chmod(path, 0o644)  # as an older install left it: world-readable, with the PIN hash
    return path


def _ask(folder: Path, name: str, command: str, timeout: float = 60) -> dict:
    (folder / f"cmd-{name}").write_text(command)
    done = folder / f"done-{name}"
    deadline = time.monotonic() + timeout
    while not done.exists():
        assert time.monotonic() < deadline, f"the kiosk did not answer '{command}'"
        time.sleep(0.05)
    return json.loads(done.read_text())


def test_kiosk_run_under_a_real_notify_socket(tmp_path):
    from kiosk.devices.printer.simulator import PrinterSimulator

    printer = PrinterSimulator(state="out").start()
    systemd = SystemdSocket(tmp_path / "notify")
    folder = tmp_path / "hand"
    folder.mkdir()
    config = _config(tmp_path, printer.uri)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "WATCHDOG_PID")}
    env.update(NOTIFY_SOCKET=systemd.path, WATCHDOG_USEC="1000000", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
               SDL_VIDEODRIVER="offscreen",  # no display here: offscreen on purpose (kiosk run refuses otherwise)
               KIVY_HOME=str(tmp_path / "kivy"), PYTHONPATH=f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}")
    proc = subprocess.Popen([sys.executable, "-m", "tests.deploy.kiosk_driver", str(config), str(folder)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        ready = systemd.wait(lambda ms: [m for _, m in ms if m.startswith("READY=1")], 180, "READY=1")[0]
        status = ready.split("STATUS=", 1)[1]
        assert "idcard off" in status and "queue offline" in status
        # the printer's first status query answers paper out (monitor every 1 s)
        systemd.wait(lambda ms: any("printer error, paper out" in m for _, m in ms), 30, "STATUS with paper out")
        systemd.wait(lambda ms: len([m for _, m in ms if m == "WATCHDOG=1"]) >= 3, 30, "three WATCHDOG=1")

        process = _ask(folder, "p", "process")
        assert process == {"dumpable": 0, "core": [0, 0], "umask": "0o77", "notify_env": []}

        keys = _ask(folder, "k", "keys")
        assert keys == {"running": True, "close_refused": True, "settings_open": False, "screen": "start"}

        freeze = _ask(folder, "f", "freeze 5")
        during = [t for t in systemd.times("WATCHDOG=1") if freeze["start"] + 1.0 < t < freeze["end"]]
        assert during == [], "WATCHDOG=1 came while the UI thread was frozen"
        systemd.wait(lambda ms: [t for t, m in ms if m == "WATCHDOG=1" and t > freeze["end"]], 30,
                     "WATCHDOG=1 again after the freeze")

        state = tmp_path / "state"  # while it runs, WAL and SHM files exist too
        files = ["tickets.sqlite3", "tickets.sqlite3-wal", "outbox.sqlite3", "outbox.sqlite3-wal",
                 "outbox.sqlite3-shm", "logs/kiosk.log", "keys/outbox.key"]
        modes = {name: stat.S_IMODE((state / name).stat().st_mode) for name in files if (state / name).exists()}
        assert modes == dict.fromkeys(files, 0o600)
        assert stat.S_IMODE(state.stat().st_mode) == 0o700
        assert stat.S_IMODE(config.stat().st_mode) == 0o600  # the config with the PIN hash was made private

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0, output_of(proc)
        assert systemd.times("STOPPING=1")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        systemd.close()
        printer.stop()


def output_of(proc) -> str:
    return (proc.stdout.read() or "")[-3000:]
