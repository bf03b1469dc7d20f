"""The printer commands as a technician runs them: real subprocesses against the simulator over tcp://."""

import json
import os
import re
import subprocess
import sys
import time

import pytest

from kiosk.devices.printer import cli
from kiosk.devices.printer.simulator import STATES, PrinterSimulator
from kiosk.printing.escpos_parse import EscposParser

ENV = {**os.environ, "KIOSK_CONFIG": ""}


def kiosk(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=timeout, env=ENV, cwd="/")


def test_cli_states_match_the_simulator():
    assert cli.STATES == STATES


@pytest.fixture
def sim(tmp_path):
    with PrinterSimulator(out_dir=tmp_path / "out") as simulator:
        yield simulator


def test_print_test_prints_chinese_date_native_qr_and_cut(sim):
    run = kiosk("devices", "print-test", "--printer", sim.uri, "--width", "58")
    assert run.returncode == 0, run.stderr
    assert sim.uri in run.stdout and "bytes" in run.stdout
    assert sim.wait_for_slips(1)
    data = bytes(sim.received)
    assert b"\x1c&" in data and "测试".encode("gbk") in data and b"\x1d(k" in data and b"\x1dV" in data
    assert time.strftime("%Y-%m-%d").encode() in data
    assert sim.previews and sim.previews[0].exists()


def test_print_test_paper_out_fails_clearly(sim):
    sim.set_state("out")
    run = kiosk("devices", "print-test", "--printer", sim.uri)
    assert run.returncode == 4
    assert "缺纸" in run.stderr
    assert not sim.slips


def test_printer_status_json(sim):
    sim.set_state("cover_open")  # every state is decoded in test_driver; here the command's output
    run = kiosk("devices", "printer-status", "--printer", sim.uri, "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert (out["paper"], out["online"], out["cover_open"], out["reachable"]) == ("ok", False, True, True)
    assert out["replies"] == {"1": "0x1A", "2": "0x16", "3": "0x12", "4": "0x12"}


def test_printer_status_of_a_silent_printer_is_unknown_within_a_couple_of_seconds(sim):
    sim.set_state("silent")
    started = time.monotonic()
    run = kiosk("devices", "printer-status", "--printer", sim.uri, "--json")
    elapsed = time.monotonic() - started
    out = json.loads(run.stdout)
    assert (out["paper"], out["online"], out["cover_open"]) == ("unknown", None, None)
    # interpreter start + imports + the 1 s status timeout: ~2 s idle (bench_printing measures it); the
    # bound here is loose for a loaded CI machine, and far below python-escpos's 60 s socket default
    assert run.returncode == 0 and elapsed < 10


def test_unreachable_and_malformed_addresses():
    run = kiosk("devices", "printer-status", "--printer", "tcp://127.0.0.1:1")
    assert run.returncode == 4 and "127.0.0.1:1" in run.stderr
    bad = kiosk("devices", "print-test", "--printer", "usb:04b8")
    assert bad.returncode == 2 and "usb:VID:PID" in bad.stderr


def test_print_test_to_a_file(tmp_path):
    out = tmp_path / "slip.bin"
    preview = tmp_path / "slip.png"
    run = kiosk("devices", "print-test", "--printer", f"file:{out}", "--preview", str(preview))
    assert run.returncode == 0, run.stderr
    data = out.read_bytes()
    assert data.startswith(b"\x1b@\x1c&") and b"\x10\x04" not in data
    slips = EscposParser(80).feed(data)
    assert len(slips) == 1 and "测试" in "".join(slips[0].lines())
    assert preview.read_bytes().startswith(b"\x89PNG")


def test_simulate_printer_command_listens_answers_and_saves_previews(tmp_path):
    out = tmp_path / "previews"
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "simulate", "printer", "--port", "0", "--state",
                             "near_end", "--out", str(out), "--record", str(tmp_path / "rec.bin")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV)
    try:
        line = proc.stdout.readline()
        uri = re.search(r"tcp://127\.0\.0\.1:\d+", line).group(0)
        human = kiosk("devices", "printer-status", "--printer", uri).stdout
        assert "online: 在线" in human and "paper: 将尽 (near_end)" in human and "cover_open: 已合上" in human
        proc.stdin.write("out\n")
        proc.stdin.flush()
        assert "out" in proc.stdout.readline()
        assert json.loads(kiosk("devices", "printer-status", "--printer", uri, "--json").stdout)["paper"] == "out"
        proc.stdin.write("ok\n")
        proc.stdin.flush()
        proc.stdout.readline()
        assert kiosk("devices", "print-test", "--printer", uri).returncode == 0
        saved = proc.stdout.readline()
        assert "slip-0001.png" in saved and (out / "slip-0001.png").exists()
        assert (tmp_path / "rec.bin").read_bytes().count(b"\x1dV") == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
        proc.stdin.close()
    assert proc.returncode == 0
