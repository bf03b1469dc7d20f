"""The printer commands as a technician runs them: real subprocesses against the simulator over tcp://."""

import json
import os
import re
import subprocess
import sys
import time

import pytest

from kiosk.devices.printer import cli
from kiosk.devices.printer.sim_connection import GS_R_MODES
from kiosk.devices.printer.simulator import STATES, PrinterSimulator
from kiosk.printing.escpos_parse import EscposParser

ENV = {**os.environ, "KIOSK_CONFIG": ""}


def kiosk(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=timeout, env=ENV, cwd="/")


def test_cli_states_match_the_simulator():
    assert cli.STATES == STATES and cli.GS_R_MODES == GS_R_MODES


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


@pytest.mark.parametrize("options", [[], ["--print-speed", "2000", "--gs-r", "answers"]], ids=["in-step", "lagging"])
def test_print_test_on_a_simulated_roll_that_ends_mid_slip_fails_and_says_incomplete(options):
    """``--paper-left``: the roll ends during the test slip. ``--print-speed``: DLE EOT is answered ahead of the
    printer's buffer; GS r 1, answered in order, still sees the end."""
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "simulate", "printer", "--port", "0",
                             "--paper-left", "60", *options], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        uri = re.search(r"tcp://127\.0\.0\.1:\d+", proc.stdout.readline()).group(0)
        run = kiosk("devices", "print-test", "--printer", uri)
        assert run.returncode == cli.EXIT_DEVICE_ERROR and "不完整" in run.stderr, run.stdout + run.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr, proc.stdin):
            stream.close()


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


def _texts(slip) -> list[str]:
    from kiosk.printing.layout import Text

    return [b.text for b in slip.blocks if isinstance(b, Text)]


def _rasters(slip) -> int:
    from kiosk.printing.layout import Raster

    return sum(isinstance(b, Raster) for b in slip.blocks)


def test_cli_encodings_and_fonts_match_the_renderer_and_parser():
    from kiosk.printing import escpos_parse, escpos_render

    assert cli.ENCODINGS == escpos_render.ENCODINGS and cli.FONTS == escpos_parse.FONTS


def test_a_gb2312_printer_prints_gbk_names_as_garbage_and_the_gb2312_encoding_as_images():
    """喆 86 B4, 堃 88 D2, 昇 95 4E: GBK codes whose lead byte a GB2312 font prints as a single character."""
    with PrinterSimulator(font="gb2312") as sim:
        gbk = kiosk("devices", "print-test", "--printer", sim.uri, "--encoding", "gbk", "--text", "王喆 李堃 张昇")
        assert gbk.returncode == 0, gbk.stderr
        assert sim.wait_for_slips(1)
        texts = _texts(sim.slips[0])
        assert not any("王喆" in t for t in texts) and any("王" in t and "å" in t for t in texts)  # garbage
        good = kiosk("devices", "print-test", "--printer", sim.uri, "--encoding", "gb2312",
                     "--text", "王喆 李堃 张昇")
        assert good.returncode == 0, good.stderr
        assert sim.wait_for_slips(2)
    slip = sim.slips[1]
    texts = _texts(slip)
    assert _rasters(slip) == 2  # the name at normal and double size, as images
    assert not any("\ufffd" in t or "å" in t for t in texts)  # every other line reads right …
    assert any("中文测试" in t for t in texts) and any("打印测试" in t for t in texts)
    assert "喆 堃 昇" in good.stdout and "gb2312" in good.stdout  # … and the technician is told which


def test_gb18030_double_byte_only_prints_four_byte_characters_as_images():
    with PrinterSimulator(font="gb18030-2byte") as sim:
        assert kiosk("devices", "print-test", "--printer", sim.uri, "--encoding", "gb18030",
                     "--text", "王𠮷祥").returncode == 0
        assert kiosk("devices", "print-test", "--printer", sim.uri, "--encoding", "gb18030",
                     "--double-byte-only", "--text", "王𠮷祥").returncode == 0
        assert sim.wait_for_slips(2)
    assert any("王\ufffd\ufffd祥" in t for t in _texts(sim.slips[0]))  # four bytes as two wrong characters
    assert _rasters(sim.slips[0]) == 0 and _rasters(sim.slips[1]) == 2
    assert not any("\ufffd" in t for t in _texts(sim.slips[1]))


def test_qr_module_size_is_clamped_to_what_the_printer_takes():
    from kiosk.printing.layout import QR

    def qr_sizes(slip) -> list[int]:
        return [b.size for b in slip.blocks if isinstance(b, QR)]

    with PrinterSimulator(qr_sizes=(2, 5)) as sim:  # a model that ignores sizes above 5
        assert kiosk("devices", "print-test", "--printer", sim.uri, "--qr-sizes", "1-16").returncode == 0
        assert kiosk("devices", "print-test", "--printer", sim.uri, "--qr-sizes", "2-5").returncode == 0
        assert sim.wait_for_slips(2)
    assert qr_sizes(sim.slips[0]) == [3]  # size 6 was ignored: the printer's default module, a small code
    assert qr_sizes(sim.slips[1]) == [5]
    bad = kiosk("devices", "print-test", "--printer", "file:/dev/null", "--qr-sizes", "0-20")
    assert bad.returncode == 2 and "LOW-HIGH" in bad.stderr
