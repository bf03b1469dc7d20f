"""`kiosk demo` as a new user runs it, with no display: the scripted visits, then the help-queue server and
the simulators stay up until Ctrl-C, saying so; `--exit` (the README's command 1) stops after the visits."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update({"KIVY_HOME": str(tmp_path / "kivy-home"), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
    return env


def _port_open(url: str) -> bool:
    host, port = re.match(r"\w+://([\d.]+):(\d+)", url).groups()
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((host, int(port))) == 0


def test_demo_keeps_the_console_and_simulators_up_until_ctrl_c(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "demo", "--out", str(tmp_path / "out")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(tmp_path))
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(lines)
        assert "press Ctrl-C to stop everything" in text, text
        console = re.search(r"help-queue console\s+(http://\S+/console/)", text).group(1)
        reader = re.search(r"ID card reader\s+(socket://\S+)", text).group(1)
        printer = re.search(r"ticket printer\s+(tcp://\S+)", text).group(1)
        time.sleep(2)  # what is printed is still alive a moment later: the point of the change
        assert httpx.get(console, timeout=30).status_code == 200
        login = httpx.post(console.replace("/console/", "/api/v1/auth/login"), timeout=30,
                           json={"username": "helper1", "password": "demo-helper-1"})
        assert login.status_code == 200, login.text
        status = subprocess.run([sys.executable, "-m", "kiosk", "devices", "printer-status", "--printer", printer,
                                 "--json"], capture_output=True, text=True, timeout=60, env=_env(tmp_path))
        assert status.returncode == 0 and '"paper": "ok"' in status.stdout
        assert _port_open(reader)
        for _ in range(2):  # as the demo says to; a reader reads a card lying on it again and again
            read = subprocess.run([sys.executable, "-m", "kiosk", "devices", "read-id", "--port", reader, "--wait",
                                   "10", "--json"], capture_output=True, text=True, timeout=60, env=_env(tmp_path))
            assert read.returncode == 0 and '"name": "张*"' in read.stdout, read.stdout + read.stderr
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=180)  # a loaded machine: stopping takes a while
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == 0, rest
    assert "stopping the server and the simulators" in rest
    assert not _port_open(console) and not _port_open(reader) and not _port_open(printer)


def test_demo_exit_stops_after_the_scripted_visits(tmp_path):
    run = subprocess.run([sys.executable, "-m", "kiosk", "demo", "--exit", "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=400, env=_env(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ticket printed" in run.stdout and "Ctrl-C" not in run.stdout
    assert "until the scripted visits end; without --exit it stays up" in run.stdout
    console = re.search(r"helper console: (http://\S+)", run.stdout).group(1)
    assert not _port_open(console)
    assert len(list((tmp_path / "out" / "screens").glob("*.png"))) >= 8
