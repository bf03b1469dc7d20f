"""`kiosk simulate button` and `kiosk devices button-test`, run as processes, with the real driver."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.devices.base import Backoff, HealthState
from kiosk.devices.button.events import ButtonEvent
from kiosk.devices.button.press import PressLogic
from kiosk.devices.button.serial_button import SerialButton
from kiosk.devices.button.simulator import ButtonSimulator
from tests.devices.waiting import wait_for

KIOSK = [sys.executable, "-m", "kiosk"]



def start_simulator(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([*KIOSK, "simulate", "button", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    match = re.search(r"(socket://127\.0\.0\.1:\d+|/\S+)\s*$", first)
    assert match, first + proc.stderr.read() if proc.stderr else first
    return proc, match.group(1)


def driver(url: str) -> tuple[SerialButton, list[ButtonEvent]]:
    button = SerialButton(url, PressLogic("cli", min_interval_s=0), backoff=Backoff(0.05, 0.2)).start()
    got: list[ButtonEvent] = []
    button.subscribe(got.append)
    assert button.wait_connected(5), button.health()
    return button, got


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait(5)


@pytest.mark.parametrize("where", [["--port", "0"], ["--pty"]])
def test_enter_presses_and_commands_unplug_and_replug(where):
    proc, url = start_simulator(*where)
    button = None
    try:
        button, got = driver(url)
        time.sleep(0.1)                              # the simulator has accepted the connection
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert wait_for(lambda: len(got) == 1)
        proc.stdin.write("u\n")
        proc.stdin.flush()
        assert wait_for(lambda: button.health().state is HealthState.DISCONNECTED)
        proc.stdin.write("r\n")
        proc.stdin.flush()
        assert wait_for(lambda: button.health().state is HealthState.CONNECTED)
        time.sleep(0.1)
        proc.stdin.write("b\n")
        proc.stdin.flush()
        assert wait_for(lambda: len(got) == 2)
        proc.stdin.write("zz\nq\n")
        proc.stdin.flush()
        assert proc.wait(5) == 0
        out = proc.stdout.read()
        assert "zz" in out                           # the unknown command is named
    finally:
        if button:
            button.close()
        stop(proc)


def test_timer_presses_without_stdin_and_sigterm_cleans_up():
    proc, link = start_simulator("--pty", "--every", "0.3", "--duration", "8")
    button = None
    try:
        button, got = driver(link)
        assert wait_for(lambda: len(got) >= 2)
        proc.terminate()
        assert proc.wait(5) == 0
        assert not Path(link).exists() and not Path(link).parent.exists()
    finally:
        if button:
            button.close()
        stop(proc)


def write_config(tmp_path: Path, button: str) -> Path:
    catalog = tmp_path / "matters.toml"
    catalog.write_text("", encoding="utf-8")
    path = tmp_path / "kiosk.toml"
    path.write_text(f'kiosk_id = "t1"\ncatalog = "{catalog}"\n[site]\nlevel = "village"\ncode = "1"\n'
                    f'name = "测试村"\n[devices.button]\n{button}\n', encoding="utf-8")
    return path


def test_button_test_prints_presses(tmp_path):
    with ButtonSimulator("socket") as sim:
        config = write_config(tmp_path, f'type = "serial"\nport = "{sim.url}"\nmin_interval_s = 30')
        proc = subprocess.Popen([*KIOSK, "devices", "button-test", "--config", str(config), "--seconds", "4",
                                 "--no-rate-limit"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert sim.wait_connected(60)  # the command's start-up takes seconds on a loaded machine
            time.sleep(0.2)
            sim.press()
            time.sleep(0.3)
            sim.press()
            out, err = proc.communicate(timeout=60)
        finally:
            stop(proc)
    assert proc.returncode == 0, err
    assert out.count(" press ") == 2, out
    assert "共 2 次按下" in out


def test_button_test_without_presses_exits_3(tmp_path):
    with ButtonSimulator("socket") as sim:
        config = write_config(tmp_path, f'type = "serial"\nport = "{sim.url}"')
        result = subprocess.run([*KIOSK, "devices", "button-test", "--config", str(config), "--seconds", "0.5"],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 3
    assert "connected" in result.stdout


@pytest.mark.parametrize("button", ['type = "keyboard"', 'type = "none"'])
def test_button_test_refuses_types_it_cannot_test(tmp_path, button):
    config = write_config(tmp_path, button)
    result = subprocess.run([*KIOSK, "devices", "button-test", "--config", str(config), "--seconds", "1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and result.stderr.strip()
